// The node side of TestTunnelTimeoutMatchesNode (tunnel_timeout_test.go):
// socket.setTimeout on the sockets HTTP has left: an 'upgrade' socket
// (after a 101 head, and with nothing written), a 'connect' one, and a
// 'clientError' one left open, on a server without and with a 'timeout'
// listener; a 'clientError' socket left open gets 'clientError' again for
// each later read, as Node's parser stays in its error. Prints "NAME\tPORT" for each server once listening, then
// "REMOTEPORT\tevent" lines. Usage: node diff_server_tunnel_timeout.js
const http = require('http');
const log = (p, s) => console.log(p + '\t' + s);
const tunnel = (req, sock) => {
  const p = sock.remotePort;
  log(p, (req.method === 'CONNECT' ? 'connect ' : 'upgrade ') + req.url);
  if (req.url === '/up') sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n');
  if (req.method === 'CONNECT') sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  sock.setTimeout(300, () => log(p, 'sock.timeout cb'));
  sock.on('timeout', () => log(p, 'sock.timeout'));
  sock.on('data', d => { log(p, 'data ' + d); sock.write(String(d).toUpperCase()); });
};
const clientError = (err, sock) => {
  const p = sock.remotePort;
  log(p, 'clientError ' + err.code + ' ' + err.bytesParsed + ' ' + JSON.stringify(String(err.rawPacket)));
  if (sock.timeout) return; // a later read on the socket left open
  sock.setTimeout(300, () => log(p, 'sock.timeout cb'));
};
const servers = {
  a: http.createServer(), // no 'timeout' listener
  b: http.createServer(), // a 'timeout' listener
};
for (const s of Object.values(servers)) {
  s.on('upgrade', tunnel);
  s.on('connect', tunnel);
  s.on('clientError', clientError);
}
servers.b.on('timeout', sock => log(sock.remotePort, 'timeout'));
const listen = name => new Promise(ok => servers[name].listen(0, '127.0.0.1', () => {
  console.log(name + '\t' + servers[name].address().port);
  ok();
}));
Object.keys(servers).reduce((p, name) => p.then(() => listen(name)), Promise.resolve());
process.stdin.on('end', () => process.exit(0)).resume();

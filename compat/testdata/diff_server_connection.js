// The node side of TestServerConnectionSocketMatchesNode
// (server_connection_test.go): servers whose 'connection' listener keeps
// the socket: c1 destroys it at once, c2 when a request for /later has
// waited 50 ms; c3 ends it at once (socket.end()). Each prints "NAME\tPORT" once listening, then
// "REMOTEPORT\tevent" lines, keyed by the client's port.
// Usage: node diff_server_connection.js
const http = require('http');
const log = (sock, s) => console.log(sock.remotePort + '\t' + s);
const errText = e => e ? e.code + ' ' + e.message : String(e);
const sockets = new Map();
const handle = (req, res) => {
  const sock = sockets.get(req.socket.remotePort);
  log(sock, 'request ' + req.url + ' same=' + (req.socket === sock && res.socket === sock));
  req.on('aborted', () => log(sock, 'aborted'));
  req.on('error', e => log(sock, 'req.error ' + errText(e)));
  req.on('close', () => log(sock, 'req.close'));
  res.on('close', () => log(sock, 'res.close'));
  if (req.url === '/later') setTimeout(() => sock.destroy(), 50);
  else if (req.url === '/resdestroy') setTimeout(() => res.destroy(), 50);
  else if (req.url === '/reqdestroy') setTimeout(() => req.destroy(), 50);
  else if (req.url === '/end-after') { res.end('ok'); sock.end(); }
  else if (req.url === '/end-mid') { res.write('part'); sock.end(); setTimeout(() => res.end('rest'), 50); }
  else if (req.url === '/end-before') { sock.end(); setTimeout(() => res.end('late'), 50); }
  else if (req.url === '/end-later') setTimeout(() => { res.write('part'); sock.end(); }, 50);
  else if (req.url === '/end-big') { res.write('a'.repeat(4 << 20)); sock.end(); }
  else if (req.url !== '/slow') res.end('ok');
};
const connection = (destroyNow, endNow) => sock => {
  const port = sock.remotePort;
  log(sock, 'connection ' + sock.remoteAddress + ' ' + sock.remoteFamily + ' ' + sock.localAddress);
  sock.on('close', () => { console.log(port + '\tsocket.close'); sockets.delete(port); });
  sockets.set(port, sock);
  if (destroyNow) sock.destroy();
  if (endNow) sock.end();
};
const c1 = http.createServer(handle).on('connection', connection(true));
const c2 = http.createServer(handle).on('connection', connection(false));
const c3 = http.createServer(handle).on('connection', connection(false, true));
const listen = (name, srv) => new Promise(ok => srv.listen(0, '127.0.0.1', () => { console.log(name + '\t' + srv.address().port); ok(); }));
listen('c1', c1).then(() => listen('c2', c2)).then(() => listen('c3', c3));
process.stdin.on('end', () => process.exit(0)).resume();

// The node side of TestServerTimeoutEventsMatchNode
// (server_timeout_events_test.go): two servers with timeout 300 ms, t1
// without and t2 with a 'timeout' listener. Each prints "NAME\tPORT" once
// listening, then "REMOTEPORT\tevent" lines, keyed by the client's port.
// The request's path picks the listeners: /res ends the response at the
// response's 'timeout', /req logs the request's and ends at its 'end',
// /none has neither. Usage: node diff_server_timeout_events.js
const http = require('http');
const log = (sock, s) => console.log(sock.remotePort + '\t' + s);
const handle = (req, res) => {
  const sock = req.socket;
  log(sock, 'request ' + req.url);
  if (req.url === '/res') res.on('timeout', () => { log(sock, 'res.timeout'); res.end('late'); });
  if (req.url === '/req') {
    req.on('timeout', () => log(sock, 'req.timeout complete=' + req.complete));
    req.on('data', c => log(sock, 'data ' + c));
    req.on('end', () => res.end('got'));
  }
  res.on('close', () => log(sock, 'res.close'));
};
const t1 = http.createServer(handle);
const t2 = http.createServer(handle);
t2.on('timeout', sock => log(sock, 'timeout'));
const listen = (name, srv) => new Promise(ok => {
  srv.timeout = 300;
  srv.listen(0, '127.0.0.1', () => { console.log(name + '\t' + srv.address().port); ok(); });
});
listen('t1', t1).then(() => listen('t2', t2));
process.stdin.on('end', () => process.exit(0)).resume();

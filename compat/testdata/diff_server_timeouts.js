// The node side of TestServerTimeoutsMatchNode (server_timeouts_test.go): four
// servers whose timeouts are set after listen(), as a Node program may.
// Each prints "NAME\tPORT" once listening, then "REMOTEPORT\tevent" lines,
// keyed by the client's port. Usage: node diff_server_timeouts.js
const http = require('http');
const log = (sock, s) => console.log(sock.remotePort + '\t' + s);
const handle = (req, res) => {
  log(req.socket, 'request ' + req.method + ' ' + req.url + ' upgrade=' + req.upgrade);
  req.on('data', () => {});
  // A /slow response comes 800 ms after the request, past requestTimeout.
  req.on('end', () => req.url === '/slow' ? setTimeout(() => res.end('x'), 800) : res.end('x'));
};
// tim: no listeners; keepAliveTimeout, headersTimeout, requestTimeout
// (checked every 50 ms) and maxRequestsPerSocket set after listen.
const tim = http.createServer({connectionsCheckingInterval: 50}, handle);
// timL: the same with 'clientError' and 'timeout' listeners (server.setTimeout(0, cb)).
const timL = http.createServer({connectionsCheckingInterval: 50}, handle);
timL.on('clientError', (err, sock) => {
  log(sock, 'clientError ' + err.code + ' ' + err.message + ' ' + err.bytesParsed);
  sock.end('HTTP/1.1 418 X\r\nX-Code: ' + err.code + '\r\n\r\n');
});
// tims: server.setTimeout(300, cb) after listen.
const tims = http.createServer(handle);
// tim0: keepAliveTimeout 0 and server.setTimeout(300) with no listener, after listen.
const tim0 = http.createServer(handle);
const listen = (name, srv, set) => new Promise(ok => srv.listen(0, '127.0.0.1', () => {
  set(srv);
  console.log(name + '\t' + srv.address().port);
  ok();
}));
const set = srv => { srv.keepAliveTimeout = 300; srv.headersTimeout = 300; srv.requestTimeout = 500; };
listen('tim', tim, srv => { set(srv); srv.maxRequestsPerSocket = 2; })
  .then(() => listen('timL', timL, srv => { set(srv); srv.setTimeout(0, sock => log(sock, 'timeout')); }))
  .then(() => listen('tims', tims, srv => srv.setTimeout(300, sock => log(sock, 'timeout'))))
  .then(() => listen('tim0', tim0, srv => { srv.keepAliveTimeout = 0; srv.setTimeout(300); }));
process.stdin.on('end', () => process.exit(0)).resume();

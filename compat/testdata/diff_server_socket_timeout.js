// The node side of TestSocketTimeoutMatchesNode (socket_timeout_test.go):
// five servers whose sockets get timeouts of their own. Each prints
// "NAME\tPORT" once listening, then "REMOTEPORT\tevent" lines, keyed by
// the client's port. On every server the request's path picks what the
// handler does (see handle). Usage: node diff_server_socket_timeout.js
const http = require('http');
const log = (sock, s) => console.log(sock.remotePort + '\t' + s);
// A destroyed socket has no remotePort: the logs take it before.
const at = sock => ({ remotePort: sock.remotePort });
const handle = (req, res) => {
  const sock = req.socket;
  const p = at(sock);
  log(sock, 'request ' + req.url);
  res.on('close', () => log(sock, 'res.close'));
  let got = 0;
  switch (req.url) {
    case '/req': // the body stalls; its rest comes after the timeout
    case '/rearm': // the body trickles in, re-arming the timeout, then stalls
      req.setTimeout(req.url === '/req' ? 300 : 500,
        () => log(sock, 'req.timeout complete=' + req.complete + ' got=' + got));
      req.on('data', c => { got += c.length; });
      req.on('end', () => res.end('got ' + got));
      break;
    case '/res': // a slow handler, answered at the response's timeout
      res.setTimeout(300, () => { log(sock, 'res.timeout'); res.end('late'); });
      break;
    case '/res-keep': // a listener that neither answers nor destroys
      res.setTimeout(300, () => log(sock, 'res.timeout'));
      break;
    case '/res-destroy':
      res.setTimeout(300, () => { log(sock, 'res.timeout'); sock.destroy(); });
      break;
    case '/off': // the server's timeout (300 on b) turned off for the socket
      res.setTimeout(0);
      setTimeout(() => res.end('late'), 600);
      break;
    case '/between': // a timeout set at 'finish', after the keep-alive one
      res.on('finish', () => sock.setTimeout(300, () => log(p, 'sock.timeout')));
      res.end('ok');
      break;
    case '/end-then': // set right after end(): the keep-alive one replaces it at 'finish'
      res.end('ok');
      res.setTimeout(300, () => log(p, 'res.timeout'));
      break;
    case '/res-finish': // the response has left its socket at 'finish': nothing
      res.on('finish', () => {
        log(p, 'finish socket=' + res.socket);
        res.setTimeout(300, () => log(p, 'res.timeout'));
      });
      res.end('ok');
      break;
    case '/later': // a timeout set between requests
      res.end('ok');
      setTimeout(() => sock.setTimeout(300, () => log(p, 'sock.timeout')), 50);
      break;
    case '/hang': // never answered
      break;
    default:
      res.end('ok');
  }
};
const servers = {
  a: http.createServer(handle),
  b: http.createServer(handle), // server.setTimeout(300), no listener
  c: http.createServer(handle), // sock.setTimeout(300, cb) at 'connection'
  d: http.createServer(handle), // the same, cb destroys; a server 'timeout' listener
  e: http.createServer(handle), // sock.on('timeout'), sock.setTimeout(300); a server listener
};
servers.b.setTimeout(300);
servers.c.on('connection', sock => {
  const p = at(sock);
  sock.setTimeout(300, () => log(p, 'sock.timeout'));
});
servers.d.on('connection', sock => {
  const p = at(sock);
  sock.setTimeout(300, () => { log(p, 'sock.timeout destroy'); sock.destroy(); });
});
servers.d.on('timeout', sock => log(sock, 'timeout'));
servers.e.on('connection', sock => {
  const p = at(sock);
  sock.on('timeout', () => log(p, 'sock.on timeout'));
  sock.setTimeout(300);
});
servers.e.on('timeout', sock => log(sock, 'timeout'));
const listen = name => new Promise(ok => servers[name].listen(0, '127.0.0.1', () => {
  console.log(name + '\t' + servers[name].address().port);
  ok();
}));
Object.keys(servers).reduce((p, name) => p.then(() => listen(name)), Promise.resolve());
process.stdin.on('end', () => process.exit(0)).resume();

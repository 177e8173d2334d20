// The node side of TestServerCloseAllMatchesNode (server_close_test.go): a
// server whose /closeAll request calls server.closeAllConnections(), with
// a 'clientError' listener that keeps its socket and an 'upgrade' one. It
// prints its port, then "URL\tevent" lines. Usage: node diff_server_close.js
const http = require('http');
const errText = e => e ? e.code + ' ' + e.message : String(e);
const srv = http.createServer((req, res) => {
  const ev = s => console.log(req.url + '\t' + s);
  ev('request ' + req.method);
  req.on('aborted', () => ev('aborted'));
  req.on('error', e => ev('req.error ' + errText(e)));
  req.on('close', () => ev('req.close'));
  res.on('close', () => ev('res.close'));
  res.on('finish', () => ev('res.finish'));
  if (req.url === '/ok') res.end('ok');
  if (req.url === '/closeAll') {
    srv.closeAllConnections();
    ev('listening=' + srv.listening);
  }
});
srv.on('connection', () => console.log('connection\tconnection'));
// A 'clientError' socket kept open, and an upgraded one.
srv.on('clientError', (err, sock) => console.log('kept\tclientError ' + err.code));
srv.on('upgrade', (req, sock) => {
  console.log('upgraded\tupgrade ' + req.url);
  sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n');
});
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
process.stdin.on('end', () => process.exit(0)).resume();

// Prints the raw response of one server case, JSON-encoded, for
// TestServerWireMatchesNode; compat runs the same cases (wire_test.go).
// Usage: node server_wire.js CASE [REQUEST-LINE]
const http = require('http'), net = require('net');
const cases = {
  endOnly: res => res.end('hello'),
  writeHeadEnd: res => { res.writeHead(201, {'X-A': 'b'}); res.end('hello'); },
  writeEnd: res => { res.write('he'); res.end('llo'); },
  contentLength: res => { res.setHeader('Content-Length', 5); res.write('he'); res.end('llo'); },
  trailers: res => { res.setHeader('Trailer', 'X-T'); res.write('a'); res.addTrailers({'X-T': '1'}); res.end(); },
  empty: res => res.end(),
  list: res => { res.setHeader('Set-Cookie', ['a=1', 'b=2']); res.setHeader('X-Y', '3'); res.end(); },
  status: res => { res.statusCode = 404; res.setHeader('Content-Type', 'text/plain'); res.end('nope'); },
  flushHeaders: res => { res.setHeader('X-F', '1'); res.flushHeaders(); res.end('late'); },
  noDate: res => { res.sendDate = false; res.end('x'); },
  noContent: res => { res.statusCode = 204; res.end(); },
  removed: res => { res.setHeader('X-A', '1'); res.setHeader('X-B', '2'); res.removeHeader('x-a'); res.appendHeader('X-B', '3'); res.end(); },
};
const name = process.argv[2];
const srv = http.createServer((req, res) => cases[name](res));
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(srv.address().port, '127.0.0.1', () => s.write((process.argv[3] || 'GET / HTTP/1.1') + '\r\nHost: x\r\nConnection: close\r\n\r\n'));
  let b = ''; s.on('data', d => b += d); s.on('end', () => { console.log(JSON.stringify(b)); srv.close(); });
});

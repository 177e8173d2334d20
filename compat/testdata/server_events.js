// Prints the events of one server scenario, one per line, for
// TestServerEventOrder; compat runs the same scenarios (events_test.go).
// Usage: node server_events.js SCENARIO
const http = require('http'), net = require('net');
const name = process.argv[2];
const ev = [];
const later = fn => setTimeout(fn, 20);
const scenarios = {
  A(req, res) {
    req.on('data', c => ev.push('req.data ' + c));
    req.on('end', () => {
      ev.push('req.end complete=' + req.complete);
      res.setHeader('X-A', '1');
      res.write('hello ');
      ev.push('headersSent=' + res.headersSent);
      res.end('world');
      ev.push('after end writableEnded=' + res.writableEnded);
    });
  },
  B(req, res) { res.end('x'); ev.push('after end'); },
  C(req, res) { req.on('data', c => ev.push('req.data ' + c)); res.end('x'); ev.push('after end'); },
  D(req, res) { req.on('data', c => ev.push('req.data ' + c)); later(() => { res.end('x'); ev.push('after end'); }); },
  E(req, res) { later(() => { res.end('x'); ev.push('after end'); }); },
  F(req, res) {
    res.on('error', e => ev.push('res.error ' + e.code));
    res.end('x');
    try { res.setHeader('a', 'b'); } catch (e) { ev.push('setHeader ' + e.code); }
    res.write('y');
    ev.push('after write');
  },
  G(req, res) {
    req.on('data', c => ev.push('req.data ' + c));
    req.pause();
    ev.push('paused=' + req.isPaused());
    later(() => { ev.push('resume'); req.resume(); });
    req.on('end', () => res.end('x'));
  },
  H(req, res) {
    res.writeHead(201, {'X-B': '2'});
    ev.push('headersSent=' + res.headersSent);
    later(() => { res.write('a'); res.end(); ev.push('after end'); });
  },
};
const body = { A: 'abc', C: 'abc', D: 'abc', E: 'abc', G: 'abc' }[name] || '';
const srv = http.createServer((req, res) => {
  ev.push('request ' + req.method + ' ' + req.url);
  req.on('end', () => ev.push('req.end'));
  req.on('close', () => ev.push('req.close'));
  res.on('finish', () => ev.push('res.finish'));
  res.on('close', () => ev.push('res.close'));
  scenarios[name](req, res);
});
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(srv.address().port, '127.0.0.1', () => {
    s.write((body ? 'POST' : 'GET') + ' /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n' +
      (body ? 'Content-Length: ' + body.length + '\r\n' : '') + '\r\n' + body);
  });
  s.resume();
  s.on('close', () => setTimeout(() => { console.log(ev.join('\n')); srv.close(); }, 50));
});

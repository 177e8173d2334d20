// Prints the server events when the client goes away, for
// TestServerAbortMatchesNode. Usage: node abort_events.js get|body|ended
const http = require('http'), net = require('net');
const ev = [];
const mode = process.argv[2];
let closes = 0;
const print = () => { console.log(ev.join('\n')); process.exit(0); };
const done = () => { if (++closes === 2) setTimeout(print, 20); };
const srv = http.createServer((req, res) => {
  ev.push('request');
  req.on('aborted', () => ev.push('req.aborted'));
  req.on('error', e => ev.push('req.error ' + e.code));
  req.on('end', () => ev.push('req.end'));
  req.on('close', () => { ev.push('req.close'); done(); });
  res.on('finish', () => ev.push('res.finish'));
  res.on('close', () => { ev.push('res.close'); done(); });
  if (mode !== 'get') req.on('data', c => ev.push('req.data ' + c));
});
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(srv.address().port, '127.0.0.1', () => {
    if (mode === 'body') s.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    else if (mode === 'ended') s.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
    else s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    setTimeout(() => s.destroy(), 50);
  });
  setTimeout(print, 5000);
});

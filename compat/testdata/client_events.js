// Prints the events of one client scenario, one per line, for
// TestClientEventOrder; compat runs the same scenarios (client_test.go).
// Usage: node client_events.js noagent|keepalive|refused
const http = require('http');
const ev = [];
const mode = process.argv[2];
const srv = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('pong')); });
srv.listen(0, '127.0.0.1', () => {
  const opts = {port: srv.address().port, host: '127.0.0.1', method: 'POST'};
  if (mode === 'noagent') opts.agent = false;
  if (mode === 'keepalive') opts.agent = new http.Agent({keepAlive: true});
  if (mode === 'refused') { opts.port = 1; opts.agent = false; }
  const r = http.request(opts, res => {
    ev.push('response ' + res.statusCode);
    res.on('data', c => ev.push('res.data ' + c));
    res.on('end', () => ev.push('res.end'));
    res.on('close', () => ev.push('res.close'));
  });
  r.on('socket', () => ev.push('socket'));
  r.on('finish', () => ev.push('finish'));
  r.on('close', () => ev.push('close'));
  r.on('error', e => ev.push('error'));
  r.write('pi');
  r.end('ng');
  setTimeout(() => { console.log(ev.join('\n')); process.exit(0); }, 200);
});

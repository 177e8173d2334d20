// Prints the client events of abort() at one point of a request, for
// TestClientAbortMatchesNode: at once, from 'socket' while connecting,
// once sent, or at the response's first data. Usage:
// node client_abort.js PORT now|connecting|sent|head
const http = require('http');
const [port, when] = [+process.argv[2], process.argv[3]];
const ev = [];
const req = http.request({port, host: '127.0.0.1', agent: false}, res => {
  ev.push('response ' + res.statusCode);
  res.on('data', c => { ev.push('res.data ' + c); req.abort(); });
  res.on('end', () => ev.push('res.end'));
  res.on('aborted', () => ev.push('res.aborted'));
  res.on('error', e => ev.push('res.error ' + e.code + ' ' + e.message));
  res.on('close', () => ev.push('res.close complete=' + res.complete));
});
for (const e of ['socket', 'finish', 'abort', 'close']) req.on(e, () => ev.push(e));
req.on('error', e => ev.push('error ' + e.code + ' ' + e.message));
req.end();
if (when === 'now') req.abort();
if (when === 'connecting') req.on('socket', () => req.abort());
if (when === 'sent') setTimeout(() => req.abort(), 100);
setTimeout(() => { console.log(ev.join('\n')); process.exit(0); }, 500);

// Prints a request's events when the response body stalls, for
// TestClientBodyTimeoutMatchesNode: setTimeout(150) emits 'timeout' while
// the body waits 400 ms, and the response goes on.
// Usage: node client_idle.js PORT
const http = require('http');
const port = +process.argv[2];
const ev = [];
const req = http.request({port, host: '127.0.0.1', agent: false}, res => {
  ev.push('response ' + res.statusCode);
  res.on('data', d => ev.push('data ' + d));
  res.on('end', () => ev.push('end'));
  res.on('close', () => { console.log(ev.join('\n')); process.exit(0); });
});
req.setTimeout(150, () => ev.push('timeout cb'));
req.on('close', () => ev.push('close'));
req.end();
setTimeout(() => process.exit(1), 5000);

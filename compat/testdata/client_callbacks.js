// Prints a request's events with write/end callbacks, 'prefinish',
// setTimeout and a write after end, for TestClientCallbacksMatchNode.
// Usage: node client_callbacks.js PORT MODE
//   cb:      write('a', cb), end('b', cb) on a POST
//   endonly: end('b', cb) on a POST
//   wae:     end(), then write('x', cb)
//   timeout: setTimeout(50, cb) before end; the response comes 450 ms later
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const ev = [];
const print = () => { console.log(ev.join('\n')); process.exit(0); };
const req = http.request({port, host: '127.0.0.1', method: 'POST', path: '/' + mode, agent: false}, res => {
  ev.push('response ' + res.statusCode);
  res.resume();
  res.on('end', () => ev.push('res.end'));
  res.on('close', () => { ev.push('res.close'); setTimeout(print, 100); });
});
req.on('socket', () => ev.push('socket'));
req.on('prefinish', () => ev.push('prefinish'));
req.on('finish', () => ev.push('finish'));
req.on('timeout', () => ev.push('timeout'));
req.on('close', () => ev.push('close'));
req.on('error', e => ev.push('error ' + e.code + ' ' + e.message + ' destroyed=' + req.destroyed));
switch (mode) {
case 'cb':
  req.write('a', e => ev.push('write cb ' + e));
  req.end('b', () => ev.push('end cb'));
  break;
case 'endonly':
  req.end('b', () => ev.push('end cb'));
  break;
case 'wae':
  req.end();
  ev.push('write ' + req.write('x', e => ev.push('write cb ' + e.code)));
  break;
case 'timeout':
  ev.push('same ' + (req.setTimeout(50, () => ev.push('timeout cb')) === req));
  req.end();
  break;
}
setTimeout(print, 3000);

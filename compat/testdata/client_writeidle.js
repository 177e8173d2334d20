// Prints a request's events while its body is written slowly, for
// TestClientWriteIdleTimeoutMatchesNode: setTimeout(400) with six writes
// 100 ms apart (no 'timeout': each write is activity), then a stall of
// 800 ms ('timeout' once), then end(); the server answers the whole body.
// Usage: node client_writeidle.js PORT
const http = require('http');
const port = +process.argv[2];
const log = s => console.log(s);
const req = http.request({port, host: '127.0.0.1', agent: false, method: 'POST'}, res => {
  log('response ' + res.statusCode);
  res.on('data', d => log('data ' + d));
  res.on('end', () => log('end'));
});
req.setTimeout(400, () => log('timeout'));
req.on('close', () => { log('close'); setTimeout(() => process.exit(0), 50); });
let i = 0;
const step = () => {
  if (i < 6) {
    log('write ' + ++i);
    req.write('x');
    setTimeout(step, i < 6 ? 100 : 800);
  } else {
    log('end()');
    req.end();
  }
};
step();
setTimeout(() => process.exit(1), 5000);

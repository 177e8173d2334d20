// Prints a request's events with "Expect: 100-continue" in its options,
// for TestClientExpectMatchesNode: the head goes out at once, the body
// only from the 'continue' listener; the server sends 100, reads the body
// and echoes it. Usage: node client_expect.js PORT
const http = require('http');
const port = +process.argv[2];
const log = s => console.log(s);
const req = http.request({port, host: '127.0.0.1', agent: false, method: 'POST', path: '/expect',
  headers: {Expect: '100-continue'}}, res => {
  log('response ' + res.statusCode);
  res.on('data', d => log('data ' + d));
  res.on('end', () => log('end'));
});
for (const e of ['socket', 'prefinish', 'finish']) req.on(e, () => log(e));
req.on('continue', () => { log('continue'); req.end('body'); });
req.on('close', () => { log('close'); setTimeout(() => process.exit(0), 50); });
setTimeout(() => process.exit(1), 5000);

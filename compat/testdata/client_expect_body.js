// Prints a request's events with "Expect: 100-continue" in its options
// and a body written at once, for TestClientExpectBodyMatchesNode, whose
// server never sends a 100 and records what arrives: Node fixed the head
// when the request was made (chunked) and sends the body without waiting
// for 'continue'; a GET ended with no body has no framing field ('get'),
// and its head goes out before end(), which 'getcont' calls only at the
// response to that head. Usage:
// node client_expect_body.js PORT write|end|length|get|getcont
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const headers = {Expect: '100-continue'};
if (mode === 'length') headers['Content-Length'] = '7';
const req = http.request({port, host: '127.0.0.1', agent: false, method: mode.startsWith('get') ? 'GET' : 'POST', path: '/expect', headers}, res => {
  log('response ' + res.statusCode);
  if (mode === 'getcont') req.end();
  res.on('data', d => log('data ' + d));
  res.on('end', () => log('end'));
});
const log = s => console.log(s);
log('headersSent ' + req.headersSent);
for (const e of ['socket', 'prefinish', 'finish', 'continue']) req.on(e, () => log(e));
req.on('close', () => { log('close'); setTimeout(() => process.exit(0), 50); });
if (mode === 'get') req.end();
else if (mode !== 'getcont') {
  if (mode !== 'end') req.write('abc');
  req.end(mode === 'end' ? 'body' : 'defg');
}
setTimeout(() => process.exit(1), 5000);

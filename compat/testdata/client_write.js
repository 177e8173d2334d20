// Writes a request body piece by piece, 200 ms apart, for
// TestClientWriteMatchesNode, whose server records what arrives when.
// Usage: node client_write.js PORT chunked|length|flush
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const headers = mode === 'length' ? {'Content-Length': '7'} : {};
const req = http.request({port, host: '127.0.0.1', method: 'POST', agent: false, headers}, res => {
  res.resume();
  res.on('end', () => process.exit(0));
});
req.on('error', () => process.exit(1));
if (mode === 'flush') {
  req.flushHeaders();
  setTimeout(() => req.end(), 200);
} else {
  req.write('abc');
  setTimeout(() => req.write('defg'), 200);
  setTimeout(() => req.end(), 400);
}
setTimeout(() => process.exit(2), 5000);

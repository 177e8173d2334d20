// Writes a request body piece by piece for TestClientWriteMatchesNode,
// whose server records what arrives at each step: each line on stdin
// (sent once the server has the previous step's bytes) runs the next step.
// getflush flushes a GET's head, which has no framing field.
// Usage: node client_write.js PORT chunked|length|flush|getflush
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const headers = mode === 'length' ? {'Content-Length': '7'} : {};
const method = mode === 'getflush' ? 'GET' : 'POST';
const req = http.request({port, host: '127.0.0.1', method, agent: false, headers}, res => {
  res.resume();
  res.on('end', () => process.exit(0));
});
req.on('error', () => process.exit(1));
const steps = mode.endsWith('flush')
  ? [() => req.flushHeaders(), () => req.end()]
  : [() => req.write('abc'), () => req.write('defg'), () => req.end()];
steps.shift()();
process.stdin.on('data', d => {
  for (const c of d) if (c === 10 && steps.length) steps.shift()();
});
setTimeout(() => process.exit(2), 10000);

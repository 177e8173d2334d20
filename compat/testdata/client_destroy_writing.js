// Prints a request's events when it is destroyed while its body is being
// written (the server reads and never answers), for
// TestClientDestroyWhileWritingMatchesNode. Usage: node client_destroy_writing.js PORT
const http = require('http');
const port = +process.argv[2];
const ev = [];
const req = http.request({port, host: '127.0.0.1', method: 'POST', agent: false});
for (const e of ['socket', 'finish']) req.on(e, () => ev.push(e));
req.on('error', e => ev.push('error ' + e.code + ' ' + e.message));
req.on('close', () => { ev.push('close'); setTimeout(() => { console.log(ev.join('\n')); process.exit(0); }, 100); });
req.write('abc');
setTimeout(() => req.destroy(), 100);
setTimeout(() => process.exit(1), 3000);

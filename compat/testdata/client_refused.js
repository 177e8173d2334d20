// Prints the client events of a request to a port nobody listens on, for
// TestClientRefusedMatchesNode. Usage: node client_refused.js PORT
const http = require('http');
const port = +process.argv[2];
const ev = [];
const req = http.request({port, host: '127.0.0.1', agent: false});
for (const e of ['socket', 'finish', 'close']) req.on(e, () => ev.push(e + ' destroyed=' + req.destroyed));
req.on('error', e => ev.push(`error ${e.code} ${e.message} syscall=${e.syscall} errno=${e.errno} address=${e.address} port=${e.port === port}`));
req.end();
setTimeout(() => { console.log(ev.join('\n')); process.exit(0); }, 300);

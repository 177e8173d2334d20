// Prints a request's events against a server that answers after 600 ms,
// with a 'tick' 300 ms after end(), for TestClientSocketEventMatchesNode:
// 'socket' and 'prefinish' come when the request gets its socket, long
// before the response. Usage: node client_socket.js PORT
const http = require('http');
const port = +process.argv[2];
const ev = [];
const req = http.request({port, host: '127.0.0.1', agent: false}, res => {
  ev.push('response ' + res.statusCode);
  res.resume();
  res.on('close', () => { console.log(ev.join('\n')); process.exit(0); });
});
for (const e of ['socket', 'prefinish', 'finish']) req.on(e, () => ev.push(e));
req.end();
setTimeout(() => ev.push('tick'), 300);
setTimeout(() => process.exit(1), 5000);

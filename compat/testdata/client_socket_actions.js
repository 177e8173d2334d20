// Prints a request's events when its 'socket' listener acts on it, for
// TestClientSocketActionsMatchNode, whose server answers 300 ms after the
// request and records what arrived. On a new socket 'socket' comes while
// it connects: its remoteAddress is still undefined, and req.socket is
// set; it has connected by 'finish'. destroy() or abort() there sends
// nothing (the server sees a connection close empty), setTimeout(100)
// gives 'timeout' before the response. Usage:
// node client_socket_actions.js PORT none|destroy|abort|timeout
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const log = s => console.log(s);
const req = http.request({port, host: '127.0.0.1', agent: false, method: 'POST'}, res => {
  log('response ' + res.statusCode);
  res.resume();
  res.on('end', () => log('end'));
});
req.on('socket', s => {
  log(`socket remote=${s.remoteAddress} set=${req.socket === s}`);
  if (mode === 'destroy') req.destroy();
  if (mode === 'abort') req.abort();
  if (mode === 'timeout') req.setTimeout(100, () => log('timeout'));
});
req.on('finish', () => log('finish remote=' + req.socket.remoteAddress));
for (const e of ['prefinish', 'abort']) req.on(e, () => log(e));
req.on('error', e => log('error ' + e.code + ' ' + e.message));
req.on('close', () => { log('close'); setTimeout(() => process.exit(0), 50); });
req.end('body');
setTimeout(() => process.exit(1), 5000);

// Prints request.socket before end(), at 'socket' and at 'response', for
// TestClientSocketPropertyMatchesNode. Usage: node client_socketprop.js PORT
const http = require('http');
const port = +process.argv[2];
const req = http.request({port, host: '127.0.0.1', agent: false}, res => {
  console.log(`response same=${req.socket.localPort === res.socket.localPort} remote=${req.socket.remotePort === port} ${req.socket.remoteAddress}`);
  res.resume();
  res.on('end', () => process.exit(0));
});
console.log(`before socket=${req.socket === null}`);
// At 'socket' the socket is still connecting (see client_socket_actions.js).
req.on('socket', s => console.log(`socket set=${req.socket === s}`));
req.end();
setTimeout(() => process.exit(1), 3000);

// Prints a request's events while its connect hangs, for
// TestClientConnectTimeoutMatchesNode: Node's timeout option, and an
// agent's timeout (with a 'timeout' listener), time the socket from its
// creation, so 'timeout' comes while connecting, and the listener's
// destroy() ends the request; a setTimeout() from the 'socket' listener
// starts at the connect, which never comes. With the agent, its socket
// count 50 ms after 'close': the destroyed connecting socket is gone. Usage:
// node client_connect_timeout.js PORT option|agent|set
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const log = s => console.log(s);
const opts = {port, host: '127.0.0.1', agent: false};
if (mode === 'option') opts.timeout = 200;
if (mode === 'agent') opts.agent = new http.Agent({keepAlive: true, timeout: 200});
const req = http.request(opts, () => log('response'));
req.on('socket', () => {
  log('socket');
  if (mode === 'set') req.setTimeout(200);
});
req.on('timeout', () => { log('timeout'); req.destroy(); });
req.on('error', e => log('error ' + e.code + ' ' + e.message));
req.on('close', () => {
  log('close');
  if (mode !== 'agent') process.exit(0);
  setTimeout(() => {
    log('sockets ' + Object.values(opts.agent.sockets).reduce((n, l) => n + l.length, 0));
    process.exit(0);
  }, 50);
});
req.end();
setTimeout(() => { log('no timeout by 600 ms'); process.exit(0); }, 600);

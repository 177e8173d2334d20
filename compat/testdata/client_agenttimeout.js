// Prints a request's events through an agent with timeout 600 ms, for
// TestClientAgentTimeoutMatchesNode: the agent's timeout is its sockets',
// so a request that listens for 'timeout' gets one while its response
// takes 1200 ms ('agent'), unless its own setTimeout(2000) replaces it
// ('own') or its setTimeout(0, cb) turns it off ('off').
// Usage: node client_agenttimeout.js MODE PORT
const http = require('http');
const [mode, port] = [process.argv[2], +process.argv[3]];
const log = s => console.log(s);
const agent = new http.Agent({keepAlive: true, timeout: 600});
const req = http.request({port, host: '127.0.0.1', agent, method: 'POST', path: '/later'}, res => {
  log('response ' + res.statusCode);
  res.resume();
  res.on('end', () => log('end'));
});
for (const e of ['socket', 'finish', 'timeout']) req.on(e, () => log(e));
req.on('close', () => { log('close'); agent.destroy(); setTimeout(() => process.exit(0), 50); });
if (mode === 'own') req.setTimeout(2000);
if (mode === 'off') req.setTimeout(0, () => log('timeout cb'));
req.end('x');
setTimeout(() => process.exit(1), 5000);

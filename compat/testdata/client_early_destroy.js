// Destroys a request right after end(), before the agent gives it the
// socket it opens for it, for TestClientEarlyDestroyMatchesNode: its
// events and the keep-alive agent's counters then and 200 ms later, when
// a second request is made. With no request waiting ('alone') Node's
// agent closes that socket, as no request keeps it alive; with one
// queued behind it ('queued', maxSockets 1) that one gets it.
// Usage: node client_early_destroy.js PORT alone|queued
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const agent = new http.Agent({keepAlive: true, maxSockets: mode === 'queued' ? 1 : Infinity});
const name = agent.getName({host: '127.0.0.1', port});
const count = o => (o[name] || []).length;
const at = ev => console.log(`${ev} sockets=${count(agent.sockets)} free=${count(agent.freeSockets)} requests=${count(agent.requests)}`);
const get = (i, then) => {
  const req = http.get({port, host: '127.0.0.1', agent}, res => {
    at(`${i} response reused=${req.reusedSocket}`);
    res.resume();
    res.on('end', () => at(`${i} end`));
  });
  req.on('socket', () => at(`${i} socket`));
  req.on('error', e => at(`${i} error ${e.code} ${e.message}`));
  req.on('close', () => { at(`${i} close`); if (then) then(); });
  return req;
};
const exit = () => setTimeout(() => process.exit(0), 50);
get(1).destroy();
at('- destroyed');
if (mode === 'queued') get(2, exit);
else setTimeout(() => { at('- later'); get(2, exit); }, 200);
setTimeout(() => process.exit(1), 3000);

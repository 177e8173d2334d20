// Prints, for TestClientKeepAliveHintMatchesNode, what a keep-alive agent
// does with a socket after a response whose server sent a Keep-Alive hint
// or closed it: the agent's counters at the response's 'close' (free
// sockets) and 2.5 s later, and a second request's socket and reusedSocket.
// Usage: node client_hint.js PORT SCENARIO (the path tells the server
// what to send; the scenario also picks the agent's timeout).
const http = require('http');
const [port, scenario] = [+process.argv[2], process.argv[3]];
const opts = {keepAlive: true};
if (scenario.endsWith('-t5')) opts.timeout = 5000;
const agent = new http.Agent(opts);
const name = agent.getName({host: '127.0.0.1', port});
const count = o => (o[name] || []).length;
const at = ev => console.log(`${ev} sockets=${count(agent.sockets)} free=${count(agent.freeSockets)}`);
const ids = new Map();
const sid = s => { const k = s.localPort; if (!ids.has(k)) ids.set(k, ids.size + 1); return 's' + ids.get(k); };
const get = (i, then) => {
  const req = http.get({port, host: '127.0.0.1', agent, path: '/' + scenario}, res => {
    at(`${i} response ${sid(res.socket)} reused=${req.reusedSocket}`);
    res.resume();
    // Only the free count: a socket the agent destroys stays in sockets
    // until its 'close', which compat may report sooner.
    res.on('close', () => { console.log(`${i} res.close free=${count(agent.freeSockets)}`); if (then) then(); });
  });
};
get(1, () => setTimeout(() => { at('later'); get(2, () => process.exit(0)); }, 2500));
setTimeout(() => process.exit(1), 6000);

// Prints, for TestClientAgentFreeMatchesNode, when a keep-alive agent frees
// a socket: each request's events with the agent's counters, the socket
// each response came on (by order of first use), reusedSocket, and the
// agent's 'free' events. Scenarios: "queued" (maxSockets 1, two requests
// at once: the second waits and gets the first's socket at its 'free'),
// "fromEnd" (no bound, the second request made in the first's 'end'
// listener, while its socket is still busy).
// Usage: node client_free.js PORT SCENARIO
const http = require('http');
const [port, scenario] = [+process.argv[2], process.argv[3]];
const agent = new http.Agent({keepAlive: true, maxSockets: scenario === 'queued' ? 1 : Infinity});
const name = agent.getName({host: '127.0.0.1', port});
const count = o => (o[name] || []).length;
const ids = new Map();
const sid = s => { const k = s.localPort; if (!ids.has(k)) ids.set(k, ids.size + 1); return 's' + ids.get(k); };
const at = (i, ev) => console.log(`${i} ${ev} sockets=${count(agent.sockets)} free=${count(agent.freeSockets)} requests=${count(agent.requests)}`);
agent.on('free', s => at('-', 'free ' + sid(s)));
let open = 0;
const get = (i, then) => {
  open++;
  const req = http.get({port, host: '127.0.0.1', agent}, res => {
    at(i, `response ${sid(res.socket)} reused=${req.reusedSocket}`);
    res.resume();
    res.on('end', () => { at(i, 'end'); if (then) then(); });
    res.on('close', () => { at(i, 'res.close'); if (--open === 0) setTimeout(() => { at('-', 'after'); process.exit(0); }, 50); });
  });
  req.on('close', () => at(i, 'close'));
};
if (scenario === 'queued') {
  get(1); get(2); at('-', 'queued');
} else {
  get(1, () => get(2));
}
setTimeout(() => process.exit(1), 3000);

// Prints a keep-alive agent's counters at each event of two requests,
// the second made once the first is done, and the agents' fields, for
// TestClientAgentMatchesNode. Usage: node client_agent.js PORT
const http = require('http');
const port = +process.argv[2];
const agent = new http.Agent({keepAlive: true, maxSockets: 1});
const g = http.globalAgent;
console.log(`global keepAlive=${g.keepAlive} timeout=${g.options.timeout} scheduling=${g.scheduling} maxSockets=${g.maxSockets} maxFreeSockets=${g.maxFreeSockets} maxTotalSockets=${g.maxTotalSockets} keepAliveMsecs=${g.keepAliveMsecs}`);
console.log(`agent keepAlive=${agent.keepAlive} scheduling=${agent.scheduling} maxSockets=${agent.maxSockets} maxFreeSockets=${agent.maxFreeSockets} keepAliveMsecs=${agent.keepAliveMsecs}`);
const name = agent.getName({host: '127.0.0.1', port});
const count = o => (o[name] || []).length;
const at = (i, ev) => console.log(`${i} ${ev} sockets=${count(agent.sockets)} free=${count(agent.freeSockets)} requests=${count(agent.requests)}`);
const get = i => {
  const req = http.get({port, host: '127.0.0.1', agent}, res => {
    at(i, 'response reused=' + req.reusedSocket + ' keep=' + req.shouldKeepAlive + ' agent=' + (req.agent === agent));
    res.resume();
    res.on('end', () => at(i, 'end'));
    res.on('close', () => { at(i, 'res.close'); setImmediate(() => { at(i, 'next tick'); if (i === 1) get(2); else setTimeout(() => process.exit(0), 50); }); });
  });
  req.on('close', () => at(i, 'close'));
};
get(1);
setTimeout(() => process.exit(1), 3000);

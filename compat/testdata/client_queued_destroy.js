// Destroys (or aborts) a request waiting in a maxSockets 1 agent's
// queue, for TestClientDestroyQueuedMatchesNode: each request's events,
// and the agent's counters; the server reports what it received. With
// timeout, the request sets a timeout of 250 ms instead, shorter than its
// wait in the queue: its socket's clock starts when it gets one.
// Usage: node client_queued_destroy.js PORT [abort|timeout]
const http = require('http');
const port = +process.argv[2];
const mode = process.argv[3];
const agent = new http.Agent({keepAlive: true, maxSockets: 1});
const name = agent.getName({host: '127.0.0.1', port});
const count = o => (o[name] || []).length;
const log = (i, ev) => console.log(`${i} ${ev}`);
let left = 3;
const done = () => { if (--left === 0) setTimeout(() => process.exit(0), 100); };
const get = (i, path) => {
  const req = http.get({port, host: '127.0.0.1', agent, path}, res => {
    log(i, 'response ' + res.statusCode);
    res.resume();
    res.on('end', () => log(i, 'end'));
  });
  req.on('socket', () => log(i, 'socket'));
  req.on('error', e => log(i, 'error ' + e.code + ' ' + e.message));
  req.on('close', () => { log(i, 'close'); done(); });
  req.on('abort', () => log(i, 'abort'));
  return req;
};
get(1, '/slow');
const r2 = get(2, '/two');
get(3, '/three');
console.log(`- queued requests=${count(agent.requests)}`);
if (mode === 'timeout') r2.setTimeout(250, () => log(2, 'timeout'));
else if (mode === 'abort') r2.abort();
else r2.destroy();
setTimeout(() => process.exit(1), 3000);

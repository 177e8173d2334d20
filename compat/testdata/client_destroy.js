// Prints the client events when a request awaiting its response is
// destroyed and a second one queues behind it on a maxSockets: 1 agent,
// for TestClientDestroyMatchesNode. Usage: node client_destroy.js PORT
const http = require('http');
const port = +process.argv[2];
const ev = [];
const agent = new http.Agent({keepAlive: true, maxSockets: 1});
const mk = name => {
  const req = http.request({port, host: '127.0.0.1', agent}, res => {
    ev.push(name + ' response ' + res.statusCode);
    res.on('data', c => ev.push(name + ' res.data ' + c));
    res.on('end', () => ev.push(name + ' res.end'));
  });
  for (const e of ['socket', 'finish', 'close']) req.on(e, () => ev.push(name + ' ' + e));
  req.on('error', e => ev.push(name + ' error ' + e.code + ' ' + e.message));
  req.end();
  return req;
};
// Event-driven, not timed, so that a loaded machine gives the same events:
// a is destroyed 50 ms after its 'finish', and the events are printed 100 ms
// after b's 'close' (or after 10 s, to end a run that hangs).
const a = mk('a');
const b = mk('b');
a.on('finish', () => setTimeout(() => a.destroy(), 50));
const print = () => { console.log(ev.join('\n')); process.exit(0); };
b.on('close', () => setTimeout(print, 100));
setTimeout(print, 10000);

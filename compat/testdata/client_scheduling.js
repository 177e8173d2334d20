// Prints which of a keep-alive agent's sockets each request gets, by the
// order the sockets were first seen, for TestClientSchedulingMatchesNode:
// three requests at once answered 100, 200 and 300 ms later free three
// sockets in that order; three more at once, then three one after the
// other, each made from the agent's 'free', reuse them last freed first
// (lifo) or first freed first (fifo). Server: /d/N answers after N ms.
// Usage: node client_scheduling.js PORT lifo|fifo
const http = require('http');
const [port, scheduling] = [+process.argv[2], process.argv[3]];
const agent = new http.Agent({keepAlive: true, scheduling});
const seen = [];
const index = p => { if (!seen.includes(p)) seen.push(p); return seen.indexOf(p); };
const get = (ms, got) => {
  const req = http.get({port, host: '127.0.0.1', agent, path: '/d/' + ms}, res => {
    res.resume();
    res.on('end', () => got(index(req.socket.localPort)));
  });
};
const wave = (name, delays) => {
  const got = [];
  let n = 0;
  delays.forEach((ms, i) => get(ms, s => { got[i] = s; if (++n === delays.length) console.log(name + ' ' + got.join(',')); }));
};
let frees = 0;
const serial = [];
agent.on('free', () => {
  frees++;
  if (frees === 3) wave('together', [300, 200, 100]);
  if (frees >= 6 && frees < 9) get(0, s => serial.push(s));
  if (frees === 9) { console.log('serial ' + serial.join(',')); process.exit(0); }
});
wave('first', [100, 200, 300]);
setTimeout(() => process.exit(1), 5000);

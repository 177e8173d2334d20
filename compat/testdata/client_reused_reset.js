// Sends a second GET on a kept-alive socket that the server closes when
// that request arrives, without an answer, for
// TestClientReusedCloseMatchesNode: Node does not retry it on a new
// socket; the request fails with ECONNRESET "socket hang up" and
// reusedSocket true. Usage: node client_reused_reset.js PORT
const http = require('http');
const port = +process.argv[2];
const agent = new http.Agent({keepAlive: true, maxSockets: 1});
const log = (i, s) => console.log(i + ' ' + s);
const get = (i, then) => {
  const req = http.get({port, host: '127.0.0.1', agent, path: '/' + i}, res => {
    log(i, 'response ' + res.statusCode);
    res.resume();
    res.on('end', () => log(i, 'end'));
  });
  for (const e of ['socket', 'finish']) req.on(e, () => log(i, e));
  req.on('error', e => log(i, 'error ' + e.code + ' ' + e.message + ' reused ' + req.reusedSocket));
  req.on('close', () => { log(i, 'close'); then(); });
};
get(1, () => setTimeout(() => get(2, () => setTimeout(() => { agent.destroy(); process.exit(0); }, 100)), 100));
setTimeout(() => process.exit(1), 5000);

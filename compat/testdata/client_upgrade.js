// Prints a client's events for an answer that hands the socket over, for
// TestClientUpgradeMatchesNode: 'upgrade' or 'connect' with the head (the
// bytes that came with the response head) and what the socket reads after.
// Usage: node client_upgrade.js PORT upgrade|connect|nolistener
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const opts = {port, host: '127.0.0.1', agent: false};
if (mode === 'connect') Object.assign(opts, {method: 'CONNECT', path: 'example.com:443'});
else opts.headers = {Connection: 'Upgrade', Upgrade: 'echo'};
const req = http.request(opts, res => console.log('response ' + res.statusCode));
const tunnel = (ev) => (res, socket, head) => {
  console.log(`${ev} ${res.statusCode} ${res.headers.upgrade || '-'} head=${JSON.stringify(head.toString())} buffer=${Buffer.isBuffer(head)}`);
  let rest = '';
  socket.on('data', d => { rest += d; });
  socket.on('end', () => { console.log(`rest=${JSON.stringify(rest)}`); socket.end(); });
  socket.on('close', () => { console.log('socket close'); setTimeout(() => process.exit(0), 50); });
};
if (mode !== 'nolistener') {
  req.on('upgrade', tunnel('upgrade'));
  req.on('connect', tunnel('connect'));
}
req.on('close', () => { console.log('close'); if (mode === 'nolistener') setTimeout(() => process.exit(0), 50); });
req.on('error', e => console.log('error ' + e.code));
req.end();
setTimeout(() => process.exit(1), 3000);

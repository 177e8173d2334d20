// Prints a request's events and its error's fields when the connection
// fails, for TestClientConnErrorsMatchNode. Modes: nounix (a socketPath
// with nothing at it), refusedunix (a socket file nobody listens on),
// reset (the server resets the connection after reading the request),
// dns (a host name that does not resolve), unreach (an address connect
// refuses at once), refused6 (a closed port on ::1).
// Usage: node client_connerr.js MODE PORT|PATH|HOST
const http = require('http');
const [mode, where] = [process.argv[2], process.argv[3]];
const opts = mode === 'reset' ? {port: +where, host: '127.0.0.1'} :
  mode === 'refused6' ? {port: +where, host: '::1'} :
  mode === 'dns' || mode === 'unreach' ? {host: where, port: 80} : {socketPath: where};
const ev = [];
const req = http.request({...opts, agent: false});
for (const e of ['socket', 'finish', 'close']) req.on(e, () => ev.push(e));
req.on('error', e => ev.push(`error ${e.code} ${e.message.replace(where, 'WHERE')} syscall=${e.syscall} errno=${e.errno} address=${e.address === where ? 'WHERE' : e.address} port=${e.port} hostname=${e.hostname === where ? 'WHERE' : e.hostname}`));
req.end();
setTimeout(() => { console.log(ev.join('\n')); process.exit(0); }, 300);

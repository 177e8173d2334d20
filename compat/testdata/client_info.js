// Prints a request's events around 1xx responses, for
// TestClientInformationMatchesNode. Usage: node client_info.js PORT MODE
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const ev = [];
const print = () => { console.log(ev.join('\n')); process.exit(0); };
const req = http.request({port, host: '127.0.0.1', path: '/' + mode, agent: false}, res => {
  ev.push('response ' + res.statusCode);
  res.resume();
  res.on('end', () => ev.push('res.end'));
  res.on('close', () => { ev.push('res.close'); setTimeout(print, 100); });
});
req.on('socket', () => ev.push('socket'));
req.on('finish', () => ev.push('finish'));
req.on('continue', () => ev.push('continue'));
req.on('information', i => ev.push('information ' + i.statusCode + ' ' + i.statusMessage + ' ' + i.httpVersion + ' ' + JSON.stringify(i.rawHeaders) + ' ' + JSON.stringify(i.headers)));
req.on('close', () => ev.push('close'));
req.on('error', e => { ev.push('error ' + e.code + ' ' + e.message); setTimeout(print, 100); });
req.end();
setTimeout(print, 3000);

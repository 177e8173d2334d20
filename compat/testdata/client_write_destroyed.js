// Writes to a request after destroy(), for TestClientWriteDestroyedMatchesNode:
// the write's callback gets ERR_STREAM_DESTROYED (or, after end(),
// ERR_STREAM_WRITE_AFTER_END) and no 'error' event comes of it.
// Usage: node client_write_destroyed.js PORT destroyed|ended
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const log = s => console.log(s);
const req = http.request({port, host: '127.0.0.1', agent: false, method: 'POST'}, res => res.resume());
req.on('error', e => log('error ' + e.code + ' ' + e.message));
req.on('close', () => { log('close'); setTimeout(() => process.exit(0), 100); });
if (mode === 'ended') req.end('x');
req.destroy();
log('write ' + req.write('y', e => log('write cb ' + e.code + ' ' + e.message)));
setTimeout(() => process.exit(1), 5000);

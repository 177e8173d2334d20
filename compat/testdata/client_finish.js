// Prints a request's events for TestClientFinishMatchesNode: 'finish'
// once the request has been written, before a late response ('late'), or
// after an early one ('early': the server answers the head and the body
// is ended from the 'response' listener), after a body ended 100 ms after
// 'socket' ('later'), with 'prefinish' inside end() once the socket has
// the head ('endsync'), and a kept-alive socket's second request
// ('reused'); end() from a 'socket' listener after write() ('sockend') or
// flushHeaders() ('sockflush') gives 'prefinish' twice: in end(), and from
// Node's _flush once the listener returns. Usage: node client_finish.js MODE PORT
const http = require('http');
const [mode, port] = [process.argv[2], +process.argv[3]];
const log = s => console.log(s);
const watch = (req, done) => {
  for (const e of ['socket', 'prefinish', 'finish', 'close']) req.on(e, () => {
    log(e);
    if (e === 'close') done();
  });
  req.on('response', res => {
    log('response ' + res.statusCode + (req.reusedSocket ? ' reused' : ''));
    res.on('data', d => log('data ' + d));
    res.on('end', () => log('end'));
  });
};
const exit = () => setTimeout(() => process.exit(0), 50);
if (mode === 'late') {
  const req = http.request({port, host: '127.0.0.1', agent: false, method: 'POST', path: '/late'});
  watch(req, exit);
  req.end('body');
  setTimeout(() => log('tick'), 200);
} else if (mode === 'early') {
  const req = http.request({port, host: '127.0.0.1', agent: false, method: 'POST', path: '/early'});
  watch(req, exit);
  req.write('a');
  req.on('response', () => { log('- end()'); req.end('b'); });
} else if (mode === 'later') {
  const req = http.request({port, host: '127.0.0.1', agent: false, method: 'POST', path: '/late'});
  watch(req, exit);
  req.write('a', () => log('write cb a'));
  req.on('socket', () => setTimeout(() => {
    log('- end()');
    req.end('b', () => log('end cb'));
  }, 100));
} else if (mode === 'endsync') {
  const req = http.request({port, host: '127.0.0.1', agent: false, method: 'POST', path: '/late'});
  watch(req, exit);
  req.write('a', () => setTimeout(() => {
    req.end('b');
    log('- end returned');
  }, 100));
} else if (mode === 'sockend' || mode === 'sockflush') {
  const req = http.request({port, host: '127.0.0.1', agent: false, method: 'POST', path: '/late'});
  watch(req, exit);
  req.on('socket', () => {
    req.end('b');
    log('- end returned');
  });
  if (mode === 'sockend') req.write('a');
  else req.flushHeaders();
} else if (mode === 'reused') {
  const agent = new http.Agent({keepAlive: true, maxSockets: 1});
  const first = http.get({port, host: '127.0.0.1', agent, path: '/first'}, res => res.resume());
  first.on('close', () => setTimeout(() => {
    log('- second');
    const req = http.request({port, host: '127.0.0.1', agent, method: 'POST', path: '/late'});
    watch(req, () => { agent.destroy(); exit(); });
    req.end('body');
    setTimeout(() => log('tick'), 200);
  }, 100));
}
setTimeout(() => process.exit(1), 5000);

// Makes one request shaped by MODE and prints what the API reports, for
// TestClientHeadersMatchNode, whose server records the bytes that arrive.
// Usage: node client_headers.js PORT MODE
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const out = [];
const done = () => { console.log(out.join('\n')); process.exit(0); };
const base = {port, host: '127.0.0.1', agent: false};
let req;
try {
  switch (mode) {
  case 'default':
    req = http.request({...base, method: 'post', path: '/d'});
    out.push('host=' + req.getHeader('host') + ' names=' + JSON.stringify(req.getHeaderNames()) + ' method=' + req.method);
    req.end();
    break;
  case 'nohost':
    req = http.request({...base, setHost: false});
    out.push('host=' + req.getHeader('host'));
    req.end();
    break;
  case 'userhost':
    req = http.request({...base, headers: {HOST: 'example.com:81', 'X-B': '1'}});
    out.push('host=' + req.getHeader('host'));
    req.end();
    break;
  case 'sethost':
    req = http.request(base);
    req.setHeader('Host', 'example.com:82');
    req.end();
    break;
  case 'sethostcase':
    req = http.request(base);
    req.setHeader('host', req.getHeader('host'));
    req.end();
    break;
  case 'auth':
    req = http.request(`http://us%20er:p%40ss@127.0.0.1:${port}/a`, {agent: false, headers: {'X-A': '1'}});
    req.end();
    break;
  case 'values':
    req = http.request(base);
    req.setHeader('X-Arr', ['a', 'b']);
    req.setHeader('X-Num', 42);
    req.appendHeader('X-App', '1');
    req.appendHeader('x-app', ['2', '3']);
    req.setHeader('X-Latin', 'caf\u00e9');
    out.push('raw=' + JSON.stringify(req.getRawHeaderNames()) + ' app=' + JSON.stringify(req.getHeader('x-app')));
    try { req.setHeader('X-Bad', '\u0100'); } catch (e) { out.push('bad ' + e.code); }
    req.end();
    break;
  case 'trailers':
    req = http.request({...base, method: 'POST'});
    req.write('abc');
    req.addTrailers({'X-T': 'v'});
    req.end();
    break;
  case 'badport':
    http.request({...base, port: 70000});
    break;
  case 'https':
    http.request(`https://127.0.0.1:${port}/`);
    break;
  case 'space':
    http.request({...base, path: '/a b'});
    break;
  }
} catch (e) {
  out.push('throw ' + e.code + ' ' + e.message);
  done();
}
if (req) {
  req.on('response', res => { res.resume(); res.on('end', done); });
  req.on('error', e => { out.push('error ' + e.code); done(); });
}
setTimeout(done, 3000);

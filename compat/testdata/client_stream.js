// Prints the client events of one streaming scenario against a scripted
// server, for TestClientStreamMatchesNode, which runs the server and
// compat's side. Usage: node client_stream.js PORT MODE [ka]
const http = require('http');
const [port, mode, ka] = [+process.argv[2], process.argv[3], process.argv[4] === 'ka'];
const ev = [];
const print = () => { console.log(ev.join('\n')); process.exit(0); };
const agent = ka ? new http.Agent({keepAlive: true}) : false;
const req = http.request({port, host: '127.0.0.1', path: '/' + mode, agent}, res => {
  ev.push('response ' + res.statusCode + ' ' + res.headers['x-a']);
  let n = 0;
  if (mode === 'pause') {
    // A large body, paused at once and resumed later: only totals compare.
    res.pause();
    setTimeout(() => { ev.push('resume ' + res.isPaused()); res.resume(); }, 300);
    res.on('data', c => { n += c.length; });
  } else {
    res.on('data', c => { ev.push('res.data ' + c); if (mode === 'destroy') req.destroy(); });
  }
  res.on('end', () => ev.push('res.end ' + JSON.stringify(res.rawTrailers) + (mode === 'pause' ? ' n=' + n : '')));
  res.on('aborted', () => ev.push('res.aborted'));
  res.on('error', e => ev.push('res.error ' + e.code + ' ' + e.message));
  res.on('close', () => { ev.push('res.close complete=' + res.complete); setTimeout(print, 100); });
});
req.on('socket', () => ev.push('socket'));
req.on('finish', () => ev.push('finish'));
req.on('close', () => ev.push('close'));
req.on('error', e => { ev.push('error ' + e.code + ' ' + e.message); setTimeout(print, 100); });
req.end();
setTimeout(print, 5000);

// Prints the events of client scenarios through a keep-alive agent with
// maxSockets 1, for TestClientScenariosMatchNode: 'destroy' (res.destroy()
// in 'response', its listeners set, while the body arrives; 'destroyerr'
// with an error), 'enc' (a paused response with
// setEncoding('utf8'), a character split between two reads, resumed 400 ms
// later), 'encend' (a body that ends inside a character, flowing),
// 'destroyend' (res.destroy() at 'end': the socket is reused),
// 'reusedtimeout' (setTimeout(200) on a request that reuses the
// socket, answered after 500 ms). Usage: node client_scenarios.js PORT MODE
const http = require('http');
const [port, mode] = [+process.argv[2], process.argv[3]];
const log = s => console.log(s);
const agent = new http.Agent({keepAlive: true, maxSockets: 1});
const one = (path, then, setup) => {
  const req = http.get({port, host: '127.0.0.1', agent, path}, res => {
    log(path + ' response ' + res.statusCode);
    if (mode === 'destroy' || mode === 'destroyerr') {
      res.on('data', d => log(path + ' data ' + d));
    } else if (mode === 'encend') {
      res.setEncoding('utf8');
      res.on('data', d => log(path + ' data ' + JSON.stringify(d)));
    } else if (mode === 'enc') {
      res.setEncoding('utf8');
      res.pause();
      res.on('data', d => log(path + ' data ' + JSON.stringify(d)));
      setTimeout(() => { log('resume'); res.resume(); }, 400);
    } else {
      res.on('data', d => log(path + ' data ' + d));
    }
    res.on('end', () => {
      log(path + ' end');
      if (mode === 'destroyend') res.destroy();
    });
    res.on('aborted', () => log(path + ' aborted'));
    res.on('error', e => log(path + ' res error ' + (e.code || '') + ' ' + e.message));
    res.on('close', () => log(path + ' res close'));
    if (mode === 'destroy' || mode === 'destroyerr') {
      log('destroy()');
      res.destroy(mode === 'destroyerr' ? new Error('boom') : undefined);
      log('destroy() returned');
    }
  });
  req.on('error', e => log(path + ' error ' + (e.code || '') + ' ' + e.message));
  req.on('timeout', () => log(path + ' timeout'));
  req.on('close', () => { log(path + ' close' + (req.reusedSocket ? ' reused' : '')); then(); });
  if (setup) setup(req);
};
const fin = () => setTimeout(() => { agent.destroy(); process.exit(0); }, 100);
if (mode === 'destroy' || mode === 'destroyerr') one('/part', fin);
if (mode === 'enc') one('/utf', fin);
if (mode === 'encend') one('/cut', fin);
if (mode === 'destroyend') one('/ok', () => setTimeout(() => one('/ok2', fin), 50));
if (mode === 'reusedtimeout') one('/ok', () => setTimeout(() => one('/slow', fin, r => r.setTimeout(200)), 50));
setTimeout(() => process.exit(1), 5000);

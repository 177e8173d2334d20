// A HEAD through a keep-alive agent, answered with or without a length
// (MODE nolength|length), then a GET: prints the agent's free sockets after
// the HEAD and the connections the server saw, for TestClientHeadReuse.
// Usage: node client_head.js MODE
const net = require('net'), http = require('http');
const head = process.argv[2] === 'length' ? 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' : 'HTTP/1.1 200 OK\r\n\r\n';
let conns = 0;
const srv = net.createServer(s => {
  conns++;
  s.on('data', d => s.write(d.toString().startsWith('HEAD') ? head : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
});
srv.listen(0, '127.0.0.1', () => {
  const port = srv.address().port;
  const agent = new http.Agent({keepAlive: true});
  const name = agent.getName({host: '127.0.0.1', port});
  http.request({port, host: '127.0.0.1', method: 'HEAD', agent}, res => {
    res.resume();
    res.on('end', () => setTimeout(() => {
      console.log('free ' + (agent.freeSockets[name] || []).length);
      http.get({port, host: '127.0.0.1', agent}, res2 => {
        res2.resume();
        res2.on('end', () => { console.log('conns ' + conns); process.exit(0); });
      });
    }, 50));
  }).end();
});
setTimeout(() => process.exit(1), 3000);

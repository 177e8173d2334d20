// The node side of TestServerRawHeadersBatchesMatchNode
// (server_rawheaders_test.go): a server per maxHeadersCount of maxes (0:
// the default), each printing "MAX\tPORT" once listening, then, per
// request, "MAX\tURL raw=N last=NAME headers=M" (URL names the case).
// Usage: node diff_server_rawheaders.js
const http = require('http');
const maxes = [0, 3, 31, 32, 35, 64, 94];
for (const max of maxes) {
  const arg = String(max);
  const srv = http.createServer((req, res) => {
    const raw = req.rawHeaders;
    console.log(arg + '\t' + req.url + ' raw=' + raw.length / 2 + ' last=' + raw[raw.length - 2] +
      ' headers=' + Object.keys(req.headers).length + ' distinct=' + Object.keys(req.headersDistinct).length);
    res.end('ok');
  });
  if (max) srv.maxHeadersCount = max;
  srv.listen(0, '127.0.0.1', () => console.log(arg + '\t' + srv.address().port));
}
process.stdin.on('end', () => process.exit(0)).resume();

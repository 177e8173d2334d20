// Frames streams of HTTP/1.1 messages with Node's own parser (llhttp, as
// Node's http server and client drive it) for the Go differential in
// llhttp_diff_fuzz_test.go. One JSON line in per stream:
//   {"resp": bool, "head": bool, "data": base64}
// one JSON line out:
//   {"msgs": [{"method", "target", "status", "body": base64, "end", "last"}], "err": "HPE_..." or ""}
// Bytes are fed one at a time so that "end" is the offset where each
// message completed; interim 1xx responses are skipped, as Node's client does.
'use strict';
const { HTTPParser, methods } = require('_http_common');
const readline = require('readline');

function frame(resp, head, data) {
  const p = new HTTPParser();
  p.initialize(resp ? HTTPParser.RESPONSE : HTTPParser.REQUEST, {}, 0, HTTPParser.kLenientNone);
  const msgs = [];
  let cur = null, done = false, err = '', skip = false;
  let body = [];
  // Node's parser hands over a long head (or one after trailers) in
  // pieces through kOnHeaders; the url then comes here, as in _http_common.
  let urlPart = '';
  p[HTTPParser.kOnMessageBegin] = () => { urlPart = ''; }; // trailers flush the old url too
  p[HTTPParser.kOnHeaders] = (hdrs, url) => { urlPart += url || ''; };
  p[HTTPParser.kOnHeadersComplete] = (maj, min, hdrs, method, url, status, reason, upgrade, keepAlive) => {
    if (!url) url = urlPart;
    urlPart = '';
    cur = { method: resp ? '' : methods[method], target: resp ? '' : url, status: resp ? status : 0,
      body: '', end: 0, last: !keepAlive || !!upgrade };
    body = [];
    skip = resp && status >= 100 && status < 200 && status !== 101;
    if (resp && status === 101) cur.last = true;
    // Node's client: no body for HEAD and interim responses.
    return resp && (head || skip) ? 1 : 0;
  };
  p[HTTPParser.kOnBody] = (b) => { body.push(Buffer.from(b)); };
  let off = 0;
  p[HTTPParser.kOnMessageComplete] = () => {
    if (!cur) return;
    if (!skip) {
      cur.body = Buffer.concat(body).toString('base64');
      cur.end = off;
      msgs.push(cur);
      if (cur.last) done = true;
    }
    cur = null;
  };
  while (off < data.length && !done) {
    off++; // the offset past the byte being fed: where a message it completes ends
    const r = p.execute(data.subarray(off - 1, off));
    if (r instanceof Error) { err = r.code || 'error'; break; }
  }
  if (!done && !err) {
    const r = p.finish(); // the connection closes: ends a read-until-close body
    if (r instanceof Error) err = r.code || 'error';
  }
  if (cur && !err && !done) err = 'incomplete';
  return { msgs, err };
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const q = JSON.parse(line);
  let out;
  try {
    out = frame(q.resp, q.head, Buffer.from(q.data, 'base64'));
  } catch (e) {
    out = { msgs: [], err: 'exception: ' + e.message };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
rl.on('close', () => process.exit(0));

// The node side of the differential tests (diff_test.go): a server on
// 127.0.0.1 that runs, for a request to /NAME?LABEL, the case NAME of the
// table below, and prints "NAME?LABEL\tevent" lines; its first line is the port.
// compat runs the same cases (diffCases in diff_test.go).
// Usage: node diff_server.js
const http = require('http');
const caught = (ev, fn) => { try { fn(); } catch (e) { ev(e.code + ' ' + e.message); } };
const errText = e => e ? e.code + ' ' + e.message : String(e);
const cases = {
  endOnly: (ev, req, res) => res.end('hello'),
  endEmpty: (ev, req, res) => res.end(),
  upgradeField: (ev, req, res) => { ev('upgrade=' + req.upgrade); res.end(); },
  setOrder: (ev, req, res) => { res.setHeader('X-B', '1'); res.setHeader('Content-Type', 'text/plain'); res.setHeader('x-b', '2'); res.end('hi'); },
  writeEnd: (ev, req, res) => { res.write('he'); res.end('llo'); },
  writeHeadMerge: (ev, req, res) => {
    res.setHeader('X-A', '1'); res.setHeader('X-B', '2');
    res.writeHead(201, {'x-a': '3', 'X-C': '4'});
    res.end('hi');
  },
  writeHeadRepeat: (ev, req, res) => { res.writeHead(200, ['X-Arr', '1', 'X-Arr', '2']); res.end('x'); },
  userChunked: (ev, req, res) => { res.setHeader('Transfer-Encoding', 'chunked'); res.end('abc'); },
  userLength: (ev, req, res) => { res.setHeader('content-length', '2'); res.write('a'); res.end('b'); },
  userClose: (ev, req, res) => { res.setHeader('Connection', 'close'); res.end('x'); },
  userKeepAlive: (ev, req, res) => { res.setHeader('Keep-Alive', 'timeout=9'); res.end('x'); },
  userDate: (ev, req, res) => { res.setHeader('Date', 'yesterday'); res.end('x'); },
  noDate: (ev, req, res) => { res.sendDate = false; res.end('x'); },
  list: (ev, req, res) => { res.setHeader('Set-Cookie', ['a=1', 'b=2']); res.appendHeader('set-cookie', 'c=3'); res.end(); },
  noContent: (ev, req, res) => { res.statusCode = 204; res.end(); },
  notModified: (ev, req, res) => { res.statusCode = 304; res.setHeader('ETag', '"x"'); res.end(); },
  status299: (ev, req, res) => { res.statusCode = 299; res.end('x'); ev('statusMessage=' + res.statusMessage); },
  statusMessage: (ev, req, res) => {
    res.statusCode = 404;
    ev('before=' + (res.statusMessage ?? ''));
    res.write('x');
    ev('after=' + res.statusMessage);
    res.end();
  },
  customReason: (ev, req, res) => { res.writeHead(200, 'Fine Thanks'); res.end('x'); },
  badStatus: (ev, req, res) => {
    caught(ev, () => res.writeHead(99));
    caught(ev, () => res.writeHead(1000));
    ev('headersSent=' + res.headersSent);
    res.writeHead(202);
    res.end('ok');
  },
  badReason: (ev, req, res) => {
    caught(ev, () => res.writeHead(200, 'a\r\nb'));
    ev('headersSent=' + res.headersSent);
    res.statusMessage = 'Fine';
    res.end('x');
  },
  flushHeaders: (ev, req, res) => { res.setHeader('X-F', '1'); res.flushHeaders(); res.end('late'); },
  trailers: (ev, req, res) => { res.setHeader('Trailer', 'X-T'); res.write('a'); res.addTrailers({'X-T': '1'}); res.end(); },
  readBody: (ev, req, res) => {
    let n = 0;
    req.on('data', c => n += c.length);
    req.on('end', () => res.end('got ' + n));
  },
  backpressure: (ev, req, res) => {
    ev('w1=' + res.write('a'));
    ev('w2=' + res.write(Buffer.alloc(16000, 'b')));
    ev('w3=' + res.write(Buffer.alloc(1000, 'c')) + ' needDrain=' + res.writableNeedDrain);
    res.on('drain', () => { ev('drain needDrain=' + res.writableNeedDrain); res.end('x'); });
  },
  callbacks: (ev, req, res) => {
    res.on('prefinish', () => ev('prefinish'));
    res.on('finish', () => res.end(e => ev('end after finish ' + errText(e))));
    ev('w1=' + res.write('a', e => ev('cb1 ' + errText(e))));
    ev('w2=' + res.write('b', e => ev('cb2 ' + errText(e))));
    res.end('c', e => ev('endcb ' + errText(e)));
    ev('after end');
    res.end(e => ev('end again ' + errText(e)));
  },
  writeAfterEnd: (ev, req, res) => {
    res.on('error', e => ev('error ' + errText(e)));
    res.end('x');
    ev('w=' + res.write('y', e => ev('cb ' + errText(e))));
    res.end('z', e => ev('endcb ' + errText(e)));
    res.on('close', () => {
      ev('w2=' + res.write('y', e => ev('cb2 ' + errText(e))));
      res.end('z', e => ev('endcb2 ' + errText(e)));
    });
  },
  headers: (ev, req, res) => {
    // Arrays (set-cookie) are joined with ', ', as compat's Headers() joins them.
    for (const k of Object.keys(req.headers).sort()) ev('headers ' + k + '=' + [].concat(req.headers[k]).join(', '));
    for (const k of Object.keys(req.headersDistinct).sort()) ev('distinct ' + k + '=' + JSON.stringify(req.headersDistinct[k]));
    ev('raw ' + JSON.stringify(req.rawHeaders));
    res.end();
  },
  badChunk: (ev, req, res) => {
    req.on('data', c => ev('data ' + c));
    req.on('end', () => ev('end'));
    req.on('aborted', () => ev('aborted'));
    req.on('error', e => ev('req.error ' + errText(e)));
    req.on('close', () => ev('req.close'));
  },
  headersSent: (ev, req, res) => {
    res.write('a');
    caught(ev, () => res.setHeader('X-A', '1'));
    caught(ev, () => res.removeHeader('X-A'));
    caught(ev, () => res.appendHeader('X-A', '1'));
    caught(ev, () => res.writeHead(201));
    res.end();
  },
};
cases.invalidHeaders = (ev, req, res) => {
  caught(ev, () => res.setHeader('bad name', '1'));
  caught(ev, () => res.setHeader('', '1'));
  caught(ev, () => res.setHeader('X-Bad', 'a\r\nb'));
  caught(ev, () => res.setHeader('X-Arr', ['ok', 'a\nb']));
  caught(ev, () => res.appendHeader('X-Bad', 'a\u0000b'));
  caught(ev, () => res.appendHeader('b@d', 'v'));
  caught(ev, () => res.writeHead(200, ['X-W', 'a\rb']));
  ev('headersSent=' + res.headersSent + ' names=' + res.getHeaderNames().join(','));
  res.end('ok');
};
cases.encoding = (ev, req, res) => {
  req.setEncoding(req.url.split('?')[1]);
  req.on('data', c => ev('data ' + JSON.stringify(c)));
  req.on('end', () => { ev('end'); res.end('ok'); });
};
cases.pause = (ev, req, res) => {
  req.pause();
  ev('isPaused ' + req.isPaused());
  setTimeout(() => {
    ev('readableLength ' + req.readableLength);
    req.on('data', c => ev('data ' + c + ' readableLength ' + req.readableLength));
    req.on('end', () => { ev('end'); res.end('ok'); });
    ev('isPaused ' + req.isPaused());
    req.resume();
  }, 500);
};
cases.destroy = (ev, req, res) => {
  req.on('aborted', () => ev('aborted'));
  req.on('error', e => ev('req.error ' + errText(e)));
  req.on('close', () => ev('req.close'));
  if (req.url.endsWith('later')) return setTimeout(() => res.destroy(), 50);
  // Bytes written in this tick are corked: destroy drops them; end's
  // and flushHeaders' go out.
  if (req.url.endsWith('write')) ev('w=' + res.write('abc'));
  if (req.url.endsWith('flushed')) res.flushHeaders();
  if (req.url.endsWith('ended')) res.end('abc');
  res.destroy();
  ev('destroyed');
};
// reqDestroy?LABEL: req.destroy(), with an Error for err and later (from a
// timer), after reading the body for read, after a write for write.
cases.reqDestroy = (ev, req, res) => {
  const label = req.url.split('?')[1];
  req.on('aborted', () => ev('aborted'));
  req.on('error', e => ev('req.error ' + errText(e)));
  req.on('close', () => ev('req.close'));
  if (label === 'later') return setTimeout(() => req.destroy(new Error('late')), 50);
  if (label === 'read') {
    req.on('data', c => ev('data ' + c));
    req.on('end', () => { ev('end'); req.destroy(new Error('boom')); setTimeout(() => res.end('after'), 50); });
    return;
  }
  if (label === 'write') res.write('abc');
  req.destroy(label === 'err' ? new Error('boom') : undefined);
  ev('destroyed');
};
cases.refused = cases.readBody;
const handle = (req, res) => {
  const key = req.url.slice(1), name = key.split('?')[0];
  const ev = s => console.log(key + '\t' + s);
  ev('request ' + req.method + ' ' + req.url + ' ' + req.httpVersion);
  res.on('finish', () => ev('res.finish'));
  res.on('close', () => ev('res.close'));
  cases[name](ev, req, res);
};
const srv = http.createServer(handle);
srv.on('connection', sock => console.log('connection\tconnection ' + sock.remoteAddress + ' ' + sock.remoteFamily));
// ce is the same server with a 'clientError' listener. Its events are
// keyed by the /clientError?LABEL the refused bytes hold; the reply is
// chosen by a word in them: do-destroy, do-end (end with no bytes), do-split (a
// head in two writes), do-later (a reply 100 ms after the listener returned),
// do-half (a head begun in the listener, ended 100 ms later), else a 418
// naming the code.
const ce = http.createServer(handle);
ce.on('clientError', (err, sock) => {
  const raw = err.rawPacket ? err.rawPacket.toString('latin1') : '';
  const key = (raw.match(/clientError\?[A-Za-z0-9]+/) || ['clientError?none'])[0];
  const ev = s => console.log(key + '\t' + s);
  ev('clientError ' + err.code + ' ' + err.message + ' ' + err.bytesParsed + ' ' + JSON.stringify(raw) + ' ' + sock.remoteAddress);
  if (raw.includes('do-destroy')) sock.destroy();
  else if (raw.includes('do-end')) sock.end();
  else if (raw.includes('do-split')) { sock.write('HTTP/1.1 400 Split\r\n'); sock.end('X-Part: 2\r\n\r\n'); }
  // The socket stays open after the listener: it answers 100 ms later.
  else if (raw.includes('do-later')) setTimeout(() => sock.end('HTTP/1.1 418 Later\r\n\r\n'), 100);
  else if (raw.includes('do-half')) { sock.write('HTTP/1.1 400 Half\r\n'); setTimeout(() => sock.end('X-Part: 2\r\n\r\n'), 100); }
  else sock.end('HTTP/1.1 418 X\r\nX-Code: ' + err.code + '\r\n\r\n');
});
// lim is the same server with limits: two requests per connection, three
// fields in req.headers, no Host needed, and a 'checkExpectation' listener.
const lim = http.createServer({requireHostHeader: false}, handle);
lim.maxRequestsPerSocket = 2;
lim.maxHeadersCount = 3;
lim.timeout = 300;
lim.on('timeout', sock => console.log('limTimeout\ttimeout ' + sock.remoteAddress));
lim.on('dropRequest', (req, sock) => console.log(req.url.slice(1) + '\tdropRequest ' + req.url + ' ' + sock.remoteAddress));
lim.on('checkExpectation', (req, res) => {
  console.log(req.url.slice(1) + '\tcheckExpectation ' + req.headers.expect);
  res.end('expected');
});
srv.listen(0, '127.0.0.1', () => {
  console.log(srv.address().port);
  ce.listen(0, '127.0.0.1', () => console.log('cePort\t' + ce.address().port));
  lim.listen(0, '127.0.0.1', () => console.log('limPort\t' + lim.address().port));
});
process.stdin.on('end', () => process.exit(0)).resume();

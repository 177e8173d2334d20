package main

import (
	"encoding/json"
	"os/exec"
)

// jsBucket is latency's bucket function in JavaScript, for a latency of v
// nanoseconds (an integer below 2^53): 32 buckets per power of two.
// TestNodeBucket checks that it gives Go's bucket for the same values.
const jsBucket = `
function bucket(v) {
  if (v < 64) return v;
  const len = v < 4294967296 ? 32 - Math.clz32(v) : 64 - Math.clz32(Math.floor(v / 4294967296));
  const e = len - 6;
  return (e + 1) * 32 + Math.floor(v / 2 ** e) - 32;
}
`

// nodeClient is the Node program clientbench measures: conns chains of
// http.request through a keepAlive agent, each starting the next request
// when a response ends. Its one argument is nodeJob as JSON. It times each
// request of the measured window with performance.now (a monotonic clock
// read without allocation) into the Go clients' histogram (jsBucket), whose
// non-empty buckets it reports.
const nodeClient = jsBucket + `
const http = require('http');
const counts = new Float64Array(64 << 5);
let maxNS = 0, measuring = false;
function record(t0) {
  const ns = Math.max(0, Math.round((performance.now() - t0) * 1e6));
  counts[bucket(ns)]++;
  if (ns > maxNS) maxNS = ns;
}
const o = JSON.parse(process.argv[1]);
const agent = new http.Agent({keepAlive: true, maxSockets: o.conns});
let n = 0, errs = 0, firstBad = '';
function bad(why) { errs++; if (!firstBad) firstBad = why; }
function one() {
  const t0 = performance.now();
  const req = http.request({host: o.host, port: o.port, path: o.path, method: o.method, headers: o.headers, agent}, res => {
    const chunks = [];
    if (o.check_body) res.on('data', c => chunks.push(c)); else res.resume();
    res.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (res.statusCode === o.status && (!o.check_body || body === o.expect_body)) {
        n++;
        if (measuring) record(t0);
      } else {
        bad('status ' + res.statusCode + (o.check_body ? ', body ' + JSON.stringify(body.slice(0, 80)) : ''));
      }
      one();
    });
  });
  req.on('error', e => { bad(e.message); setTimeout(one, 10); });
  req.end(o.body);
}
for (let i = 0; i < o.conns; i++) one();
setTimeout(() => {
  measuring = true;
  const n0 = n, c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  setTimeout(() => {
    const c = process.cpuUsage(c0);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    measuring = false;
    const buckets = [];
    counts.forEach((k, i) => { if (k > 0) buckets.push([i, k]); });
    console.log(JSON.stringify({impl: 'node', reqs: n - n0, secs, cpu: (c.user + c.system) / 1e6, errs, first_bad: firstBad,
      lat: {buckets, max_ns: maxNS}}));
    process.exit(0);
  }, o.dur_ms);
}, o.warm_ms);
`

// nodeJob is what nodeClient is told.
type nodeJob struct {
	Host       string            `json:"host"`
	Port       int               `json:"port"`
	Conns      int               `json:"conns"`
	DurMS      int64             `json:"dur_ms"`
	WarmMS     int64             `json:"warm_ms"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Headers    map[string]string `json:"headers,omitempty"`
	Body       string            `json:"body"`
	Status     int               `json:"status"`
	CheckBody  bool              `json:"check_body"`
	ExpectBody string            `json:"expect_body"`
}

// nodeCommand returns the node process that runs j for o's warm-up and duration.
func nodeCommand(o options, j *job) *exec.Cmd {
	host, port := j.hostPort()
	arg, _ := json.Marshal(nodeJob{Host: host, Port: port, Conns: j.conns,
		DurMS: o.duration.Milliseconds(), WarmMS: o.warmup.Milliseconds(),
		Method: j.req.Method, Path: j.req.Path, Headers: j.headerMap(), Body: j.req.Body,
		Status: j.req.Status, CheckBody: j.req.CheckBody, ExpectBody: j.req.ExpectBody})
	return exec.Command("node", "-e", nodeClient, string(arg))
}

package headers

import (
	"context"
	"encoding/json"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// runNode runs script with node -e and returns its standard output. It skips
// the test when node is not installed.
func runNode(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, append([]string{"-e", script, "--"}, args...)...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node: %v\n%s", err, stderr)
	}
	return out
}

// nodeServerScript serves one request, sent raw over a socket, and prints
// req.headers and req.rawHeaders as JSON. argv: raw request, joinDuplicateHeaders.
const nodeServerScript = `
const http = require('http'), net = require('net');
const [raw, join] = process.argv.slice(1);
setTimeout(() => { console.error('timeout'); process.exit(2); }, 10000).unref();
const srv = http.createServer({ joinDuplicateHeaders: join === 'true' }, (req, res) => {
  console.log(JSON.stringify({ headers: req.headers, raw: req.rawHeaders, distinct: req.headersDistinct }));
  res.end();
  process.exit(0);
});
srv.on('clientError', (err) => { console.error(err.code); process.exit(3); });
srv.listen(0, '127.0.0.1', () => net.connect(srv.address().port, '127.0.0.1').end(raw));
`

// nodeAddScript merges a rawHeaders array, given as JSON, with Node's own
// IncomingMessage, bypassing the parser; llhttp rejects some duplicates (two
// Content-Length fields) before merging ever sees them.
const nodeAddScript = `
const { IncomingMessage } = require('http');
const raw = JSON.parse(process.argv[1]);
const m = new IncomingMessage(null);
m.joinDuplicateHeaders = process.argv[2] === 'true';
m._addHeaderLines(raw, raw.length);
console.log(JSON.stringify({ headers: m.headers, raw: m.rawHeaders, distinct: m.headersDistinct }));
`

// nodeResult is what both scripts print.
type nodeResult struct {
	Headers  map[string]json.RawMessage `json:"headers"`
	Raw      []string                   `json:"raw"`
	Distinct map[string][]string        `json:"distinct"`
}

// split separates Node's headers object into plain values and set-cookie.
func (r nodeResult) split(t *testing.T) (map[string]string, []string) {
	t.Helper()
	plain := make(map[string]string)
	var setCookie []string
	for k, v := range r.Headers {
		var err error
		if k == "set-cookie" {
			err = json.Unmarshal(v, &setCookie)
		} else {
			var s string
			err = json.Unmarshal(v, &s)
			plain[k] = s
		}
		if err != nil {
			t.Fatalf("node headers[%q] = %s: %v", k, v, err)
		}
	}
	return plain, setCookie
}

// mergeHead exercises every rule: each single-valued name repeated (some
// first values empty), cookie and set-cookie repeated, joined known and
// unknown names in mixed case, and empty values in every position.
const mergeHead = "Host: a\r\nhost: b\r\n" +
	"Age:\r\nAge: 5\r\n" +
	"Authorization: a1\r\nauthorization: a2\r\n" +
	"Content-Type: t1\r\nContent-Type: t2\r\n" +
	"ETag: e1\r\nEtag: e2\r\n" +
	"Expires: x1\r\nExpires: x2\r\n" +
	"From: f1\r\nFROM: f2\r\n" +
	"If-Modified-Since: m1\r\nIf-Modified-Since: m2\r\n" +
	"If-Unmodified-Since: u1\r\nif-unmodified-since: u2\r\n" +
	"Last-Modified: l1\r\nLast-Modified: l2\r\n" +
	"Location: o1\r\nLocation: o2\r\n" +
	"Max-Forwards: 1\r\nMax-Forwards: 2\r\n" +
	"Proxy-Authorization: p1\r\nProxy-Authorization: p2\r\n" +
	"Referer: r1\r\nreferer: r2\r\n" +
	"Retry-After: 1\r\nRetry-After: 2\r\n" +
	"Server: s1\r\nServer: s2\r\n" +
	"User-Agent: ua1\r\nUser-Agent: ua2\r\n" +
	"Cookie: a=1\r\nCookie:\r\ncookie: b=2\r\n" +
	"Set-Cookie: x=1; Path=/\r\nset-cookie:\r\nSET-COOKIE: y=2, z=3\r\n" +
	"Accept: text/html\r\nACCEPT: */*\r\n" +
	"Date: d1\r\nDate: d2\r\n" +
	"Vary: v1\r\nvary: v2\r\n" +
	"X-Empty:\r\nx-empty: z\r\n" +
	"X-Trail: a\r\nX-Trail:\r\nX-Trail:\r\n" +
	"X-One: 1\r\n" +
	"Content-Length: 0\r\n"

func TestMergeMatchesNode(t *testing.T) {
	for _, join := range []bool{false, true} {
		t.Run(map[bool]string{false: "default", true: "joinDuplicateHeaders"}[join], func(t *testing.T) {
			raw := "GET / HTTP/1.1\r\n" + mergeHead + "\r\n"
			var res nodeResult
			out := runNode(t, nodeServerScript, raw, map[bool]string{false: "false", true: "true"}[join])
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("node output %q: %v", out, err)
			}
			compareWithNode(t, tableOf(t, mergeHead), res, join)
		})
	}
}

func TestMergeMatchesNodeWithoutParser(t *testing.T) {
	raw := []string{
		"Content-Length", "1", "content-length", "2",
		"Transfer-Encoding", "chunked", "transfer-encoding", "gzip",
		"__proto__", "x", "__PROTO__", "y",
		"constructor", "c1", "Constructor", "c2",
		"Set-Cookie", "",
		"X-Tab", "a\tb",
	}
	for _, join := range []bool{false, true} {
		rawJSON, _ := json.Marshal(raw)
		var res nodeResult
		out := runNode(t, nodeAddScript, string(rawJSON), map[bool]string{false: "false", true: "true"}[join])
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("node output %q: %v", out, err)
		}
		var tab Table
		for i := 0; i < len(raw); i += 2 {
			tab.AddString(raw[i], raw[i+1])
		}
		compareWithNode(t, &tab, res, join)
	}
}

func compareWithNode(t *testing.T, tab *Table, res nodeResult, join bool) {
	t.Helper()
	var raw []string
	for i := range tab.Len() {
		raw = append(raw, string(tab.Name(i)), string(tab.Value(i)))
	}
	if !slices.Equal(raw, res.Raw) {
		t.Errorf("raw order = %q;\nnode rawHeaders = %q", raw, res.Raw)
	}
	wantPlain, wantCookies := res.split(t)
	gotPlain := make(map[string]string)
	gotCookies := tab.Merge(gotPlain, nil, join)
	if !maps.Equal(gotPlain, wantPlain) {
		for _, k := range slices.Sorted(maps.Keys(wantPlain)) {
			if got, ok := gotPlain[k]; got != wantPlain[k] || !ok {
				t.Errorf("Merge: [%q] = %q, %v; node has %q", k, got, ok, wantPlain[k])
			}
		}
		for k, v := range gotPlain {
			if _, ok := wantPlain[k]; !ok {
				t.Errorf("Merge: [%q] = %q; node has none", k, v)
			}
		}
	}
	if !slices.Equal(gotCookies, wantCookies) {
		t.Errorf("Merge: set-cookie = %q; node has %q", gotCookies, wantCookies)
	}
	gotDistinct := make(map[string][]string)
	tab.Distinct(gotDistinct)
	if !maps.EqualFunc(gotDistinct, res.Distinct, slices.Equal) {
		t.Errorf("Distinct = %q;\nnode headersDistinct = %q", gotDistinct, res.Distinct)
	}
	if join {
		return // AppendMerged has Node's default rules only
	}
	// AppendMerged must agree with Merge name by name, in any case.
	for k, want := range wantPlain {
		got, ok := AppendMerged(nil, tab, strings.ToUpper(k))
		if string(got) != want || !ok {
			t.Errorf("AppendMerged(%q) = %q, %v; want %q, true", strings.ToUpper(k), got, ok, want)
		}
	}
}

func TestAppendMerged(t *testing.T) {
	tab := tableOf(t, mergeHead)
	tests := []struct {
		name, in string
		want     string
		ok       bool
	}{
		{"first wins", "host", "a", true},
		{"empty first wins", "Age", "", true},
		{"cookie", "cookie", "a=1; ; b=2", true},
		{"set-cookie joined", "Set-Cookie", "x=1; Path=/, , y=2, z=3", true},
		{"join known", "accept", "text/html, */*", true},
		{"join unknown", "x-empty", ", z", true},
		{"single", "x-one", "1", true},
		{"missing", "x-none", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := AppendMerged([]byte("prefix:"), tab, tt.in)
			if string(got) != "prefix:"+tt.want || ok != tt.ok {
				t.Errorf("AppendMerged(%q) = %q, %v; want %q, %v", tt.in, got, ok, "prefix:"+tt.want, tt.ok)
			}
		})
	}
}

func TestRuleOf(t *testing.T) {
	tests := []struct {
		name string
		in   ID
		want Rule
	}{
		{"unknown", Unknown, RuleJoin},
		{"single-valued", ContentLength, RuleFirst},
		{"cookie", Cookie, RuleCookie},
		{"set-cookie", SetCookie, RuleList},
		{"list-valued", Accept, RuleJoin},
		{"out of range", numIDs, RuleJoin},
	}
	for _, tt := range tests {
		if got := RuleOf(tt.in); got != tt.want {
			t.Errorf("RuleOf(%v) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

package benchmarks

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"io"
	"os/exec"
	"sync"
	"testing"

	"github.com/zerohttp/zerohttp/parse"
)

// llhttpFramer is a long-lived node process that frames message streams
// with Node's own parser (testdata/llhttp_frame.js), one JSON line each
// way per stream. It lives as long as the test process: node exits when
// its stdin closes.
type llhttpFramer struct {
	mu  sync.Mutex
	in  io.Writer
	out *bufio.Reader
}

var (
	llhttpOnce sync.Once
	llhttp     *llhttpFramer
	llhttpErr  error
)

// startLLHTTP returns the node framer, skipping the test when node is not
// installed.
func startLLHTTP(tb testing.TB) *llhttpFramer {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Skip("node is not installed: the llhttp differential needs it")
	}
	llhttpOnce.Do(func() {
		cmd := exec.Command(node, "testdata/llhttp_frame.js")
		var in io.WriteCloser
		var out io.ReadCloser
		if in, llhttpErr = cmd.StdinPipe(); llhttpErr != nil {
			return
		}
		if out, llhttpErr = cmd.StdoutPipe(); llhttpErr != nil {
			return
		}
		if llhttpErr = cmd.Start(); llhttpErr != nil {
			return
		}
		llhttp = &llhttpFramer{in: in, out: bufio.NewReaderSize(out, 64<<10)}
	})
	if llhttpErr != nil {
		tb.Fatal(llhttpErr)
	}
	return llhttp
}

// frame returns the messages Node's parser framed in a stream of requests,
// or of responses to GET (or HEAD) requests, and its error code.
func (l *llhttpFramer) frame(tb testing.TB, in []byte, resp, head bool) ([]message, string) {
	q, _ := json.Marshal(struct {
		Resp bool   `json:"resp"`
		Head bool   `json:"head"`
		Data []byte `json:"data"` // base64, as node decodes it
	}{resp, head, in})
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.in.Write(append(q, '\n')); err != nil {
		tb.Fatalf("node framer: %v", err)
	}
	line, err := l.out.ReadBytes('\n')
	if err != nil {
		tb.Fatalf("node framer: %v", err)
	}
	var r struct {
		Msgs []struct {
			Method, Target, Body string
			Status, End          int
			Last                 bool
		}
		Err string
	}
	if err := json.Unmarshal(line, &r); err != nil {
		tb.Fatalf("node framer: %v in %q", err, line)
	}
	out := make([]message, 0, len(r.Msgs))
	for _, m := range r.Msgs {
		body, err := base64.StdEncoding.DecodeString(m.Body)
		if err != nil {
			tb.Fatalf("node framer: body %q: %v", m.Body, err)
		}
		out = append(out, message{method: m.Method, target: m.Target, status: m.Status, body: string(body), end: m.End, last: m.Last})
	}
	return out, r.Err
}

// FuzzLLHTTPDifferential frames a stream of requests (or, with resp, of
// responses to GET or HEAD requests) with zerohttp's parser and with Node's
// llhttp as Node's server and client drive it. Where both accept a message
// they must agree on its method, target or status, its body and where it
// ends; where only one accepts, TestLLHTTPDisagreements records the case.
// It skips when node is not installed.
func FuzzLLHTTPDifferential(f *testing.F) {
	for _, seed := range seeds(f, "req-") {
		f.Add(seed, false, false)
	}
	for _, seed := range seeds(f, "resp-") {
		f.Add(seed, true, false)
	}
	for _, s := range responseFramingSeeds {
		f.Add([]byte(s), true, false)
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"), true, true)
	f.Fuzz(func(t *testing.T, in []byte, resp, head bool) {
		l := startLLHTTP(t)
		mode := parse.Request
		if resp {
			mode = parse.Response
		}
		ours, _ := frameOurs(in, mode, reqMethod(head))
		theirs, _ := l.frame(t, in, resp, head)
		if i := sameFraming(ours, theirs); i >= 0 {
			t.Fatalf("message %d framed differently (resp %v, head %v):\nzerohttp %+v\nllhttp   %+v\ninput %q", i, resp, head, ours[i], theirs[i], in)
		}
	})
}

// TestLLHTTPDisagreements records the messages that one of zerohttp and
// Node's llhttp accepts and the other rejects, with what the RFCs say (RFC
// 9112 unless named). None is framed both ways. The test fails when either
// side changes, so that the list (also in the README) stays true.
func TestLLHTTPDisagreements(t *testing.T) {
	l := startLLHTTP(t)
	for _, c := range []struct {
		in         string
		resp       bool
		ours, node bool // accepted whole
		verdict    string
	}{
		{"GET / HTTP/1.1\r\n\r\n", false, false, true,
			"zerohttp: §3.2 a server MUST answer an HTTP/1.1 request without Host with 400 (Node's server does, above llhttp)"},
		{"GET http://a/%zz HTTP/1.1\r\nHost: a\r\n\r\n", false, false, true,
			"zerohttp: RFC 3986 §2.1 a '%' is followed by two HEXDIG"},
		{"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", true, false, true,
			"both allowed: §6.1 the framing of an HTTP/1.0 message with Transfer-Encoding is faulty"},
		{"HTTP/1.1 099 X\r\nContent-Length: 0\r\n\r\n", true, false, true,
			"zerohttp: RFC 9110 §15 status codes outside 100..599 are invalid"},
		{"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nab", true, false, true,
			"zerohttp: §2.3 major version 2 is not HTTP/1.1 framing"},
		{"HTTP/1.1 200 OK\r\nX: a\r\n Content-Length: 2\r\n\r\nab", true, true, false,
			"zerohttp: §5.2 a user agent MUST replace obs-fold in a response with SP; llhttp refuses it"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc", true, false, true,
			"llhttp: §6.3 a response whose final coding is not chunked is read until close; zerohttp refuses a coding it does not decode, as net/http does"},
	} {
		mode := parse.Request
		if c.resp {
			mode = parse.Response
		}
		ours, ourStop := frameOurs([]byte(c.in), mode, parse.MethodGET)
		theirs, theirStop := l.frame(t, []byte(c.in), c.resp, false)
		if got := len(ours) > 0 && ourStop == ""; got != c.ours {
			t.Errorf("zerohttp accepts %q: %v (%s); recorded %v: %s", c.in, got, ourStop, c.ours, c.verdict)
		}
		if got := len(theirs) > 0 && theirStop == ""; got != c.node {
			t.Errorf("llhttp accepts %q: %v (%s); recorded %v: %s", c.in, got, theirStop, c.node, c.verdict)
		}
		if i := sameFraming(ours, theirs); i >= 0 {
			t.Errorf("%q framed differently: zerohttp %+v, llhttp %+v", c.in, ours[i], theirs[i])
		}
	}
}

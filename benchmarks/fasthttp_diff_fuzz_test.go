package benchmarks

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/zerohttp/zerohttp/parse"
)

// frameFastHTTP does the same with fasthttp's Request.Read, as its server
// reads a connection (reading the body after Expect: 100-continue too),
// with a body limit as its server has (MaxRequestBodySize): without one,
// fasthttp allocates a chunk's announced size before reading it, and a size
// line such as EEEE0000000 runs the process out of memory. No body accepted
// from in can be longer than in, so len(in) changes no verdict.
func frameFastHTTP(in []byte) ([]message, string) {
	rd := bytes.NewReader(in)
	br := bufio.NewReaderSize(rd, 4096)
	var (
		req fasthttp.Request
		out []message
	)
	for rd.Len()+br.Buffered() > 0 {
		req.Reset()
		err := req.ReadLimitBody(br, len(in))
		if err == nil && req.MayContinue() {
			err = req.ContinueReadBody(br, len(in))
		}
		if err != nil {
			return out, err.Error()
		}
		m := message{method: string(req.Header.Method()), target: string(req.Header.RequestURI()), body: string(req.Body()),
			end: len(in) - rd.Len() - br.Buffered()}
		m.last = req.ConnectionClose() || req.Header.ConnectionUpgrade() || req.Header.IsConnect()
		out = append(out, m)
		if m.last {
			break
		}
	}
	return out, ""
}

// FuzzFastHTTPDifferential frames a stream of requests with zerohttp's
// parser and with fasthttp's. Where both accept a message they must agree on
// its method, target, body and where it ends: two parsers that both accept a
// message but split the stream differently are the ingredient of request
// smuggling when one fronts the other. Where only one side accepts, they may
// differ (zerohttp is deliberately stricter); TestFastHTTPDisagreements
// records the known cases and which side the RFC supports.
func FuzzFastHTTPDifferential(f *testing.F) {
	for _, seed := range seeds(f, "req-") {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ours, _ := frameOurs(in, parse.Request, parse.MethodOther)
		theirs, _ := frameFastHTTP(in)
		if i := sameFraming(ours, theirs); i >= 0 {
			t.Fatalf("message %d framed differently:\nzerohttp %+v\nfasthttp %+v\ninput %q", i, ours[i], theirs[i], in)
		}
	})
}

// TestFastHTTPDisagreements records the requests that one of zerohttp and
// fasthttp accepts and the other rejects, the differential's blind spot, with
// what RFC 9112 says. None is a desync between the two (one side rejects),
// but each is a place where a server fronted by a proxy that reads the
// message the other way could be smuggled a request. The test fails when
// either side changes, so that this list stays true.
func TestFastHTTPDisagreements(t *testing.T) {
	const h = "POST / HTTP/1.1\r\nHost: a\r\n"
	for _, c := range []struct {
		in             string
		ours, fasthttp bool // accepted
		verdict        string
	}{
		{h + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, true,
			"both allowed: §6.1 lets a server reject it or read it as chunked and close the connection after, which fasthttp does"},
		{h + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", false, true,
			"both allowed: §5.2 says reject obs-fold with 400 or replace it with spaces; fasthttp unfolds it into a chunked framing"},
		{h + "X: y\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, true,
			"both allowed (§5.2); fasthttp unfolds the line into X's value and reads no body, a proxy that does not unfold would see chunked"},
		{h + "Transfer-Encoding: identity\r\n\r\n", false, true,
			"zerohttp: identity is no longer a transfer coding (RFC 9110 removed it) and §6.1 says to answer an unknown coding with 501; fasthttp reads no body"},
		{h + "Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", false, true,
			"zerohttp: §7.1 allows whitespace only before ';' of a chunk extension, so \"5 \" is not a chunk-size line (a known smuggling vector)"},
		{h + "Transfer-Encoding: chunked\r\n\r\n0\r\nX: y\nZ: w\r\n\r\n", false, true,
			"both allowed: §2.2 lets a recipient take a bare LF as a line end; fasthttp does in trailers, zerohttp (strict by default) does not"},
	} {
		ours, ourStop := frameOurs([]byte(c.in), parse.Request, parse.MethodOther)
		theirs, theirStop := frameFastHTTP([]byte(c.in))
		if got := len(ours) > 0 && ourStop == ""; got != c.ours {
			t.Errorf("zerohttp accepts %q: %v (%s); recorded %v: %s", c.in, got, ourStop, c.ours, c.verdict)
		}
		if got := len(theirs) > 0; got != c.fasthttp {
			t.Errorf("fasthttp accepts %q: %v (%s); recorded %v: %s", c.in, got, theirStop, c.fasthttp, c.verdict)
		}
	}
}

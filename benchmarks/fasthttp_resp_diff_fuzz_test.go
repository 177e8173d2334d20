package benchmarks

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/zerohttp/zerohttp/parse"
)

// frameFastHTTPResponses reads in as the responses to a stream of GET (or
// HEAD) requests with fasthttp's Response.Read, as its client reads a
// connection: interim 1xx responses are skipped, a body without
// Content-Length or chunked runs to the end of the input.
func frameFastHTTPResponses(in []byte, head bool) ([]message, string) {
	rd := bytes.NewReader(in)
	br := bufio.NewReaderSize(rd, 4096)
	var (
		resp fasthttp.Response
		out  []message
	)
	for rd.Len()+br.Buffered() > 0 {
		resp.Reset()
		resp.SkipBody = head
		if err := resp.ReadLimitBody(br, len(in)); err != nil { // see frameFastHTTP
			return out, err.Error()
		}
		m := message{status: resp.StatusCode(), body: string(resp.Body()), end: len(in) - rd.Len() - br.Buffered()}
		m.last = resp.ConnectionClose() || resp.StatusCode() == fasthttp.StatusSwitchingProtocols ||
			(!head && resp.Header.ContentLength() == -2) // identity: read until close
		out = append(out, m)
		if m.last {
			break
		}
	}
	return out, ""
}

// reqMethod is the request a response stream answers.
func reqMethod(head bool) parse.Method {
	if head {
		return parse.MethodHEAD
	}
	return parse.MethodGET
}

// FuzzFastHTTPResponseDifferential frames a stream of responses to GET (or,
// with head, HEAD) requests with zerohttp's client parser and with
// fasthttp's Response.Read. Where both accept a response they must agree on
// its status, body and where it ends, the framing a client behind a proxy
// relies on: Content-Length, chunked, read-until-close, and the bodiless
// 1xx, 204, 304 and HEAD responses. Where only one side accepts,
// TestFastHTTPResponseDisagreements records the case.
func FuzzFastHTTPResponseDifferential(f *testing.F) {
	for _, seed := range seeds(f, "resp-") {
		f.Add(seed, false)
	}
	for _, s := range responseFramingSeeds {
		f.Add([]byte(s), false)
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"), true)
	f.Fuzz(func(t *testing.T, in []byte, head bool) {
		ours, _ := frameOurs(in, parse.Response, reqMethod(head))
		theirs, _ := frameFastHTTPResponses(in, head)
		if i := sameFraming(ours, theirs); i >= 0 {
			t.Fatalf("response %d framed differently (head %v):\nzerohttp %+v\nfasthttp %+v\ninput %q", i, head, ours[i], theirs[i], in)
		}
	})
}

// responseFramingSeeds are one of each framing, and pairs that test where
// the first ends.
var responseFramingSeeds = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX: y\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz",
	"HTTP/1.1 200 OK\r\n\r\nuntil close",
	"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.0 200 OK\r\n\r\nrest",
	"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n",
	"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n\x81\x00",
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
}

// TestFastHTTPResponseDisagreements records the responses that one of
// zerohttp's client parser and fasthttp's accepts and the other rejects, or
// that both accept but frame differently, with what RFC 9112 says. The test
// fails when either side changes, so that the list (also in the README)
// stays true.
func TestFastHTTPResponseDisagreements(t *testing.T) {
	for _, c := range fastHTTPResponseCases {
		ours, ourStop := frameOurs([]byte(c.in), parse.Response, reqMethod(c.head))
		theirs, theirStop := frameFastHTTPResponses([]byte(c.in), c.head)
		if got := len(ours) > 0 && ourStop == ""; got != c.ours {
			t.Errorf("zerohttp accepts %q: %v (%s); recorded %v: %s", c.in, got, ourStop, c.ours, c.verdict)
		}
		if got := len(theirs) > 0 && theirStop == ""; got != c.fasthttp {
			t.Errorf("fasthttp accepts %q: %v (%s); recorded %v: %s", c.in, got, theirStop, c.fasthttp, c.verdict)
		}
		if got := sameFraming(ours, theirs) >= 0; got != c.differ {
			t.Errorf("framed differently %q: %v (zerohttp %+v, fasthttp %+v); recorded %v: %s", c.in, got, ours, theirs, c.differ, c.verdict)
		}
	}
}

var fastHTTPResponseCases = []struct {
	in             string
	head           bool
	ours, fasthttp bool // accepted whole
	differ         bool // both framed a response, differently
	verdict        string
}{
	{"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, false, true, false,
		"both allowed: §6.3 says chunked overrides Content-Length, and that the message ought to be handled as an error (response splitting)"},
	{"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, false, true, false,
		"both allowed: §6.1 says an HTTP/1.0 message with Transfer-Encoding has faulty framing; fasthttp reads the body until close"},
	{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 \r\nab\r\n0\r\n\r\n", false, false, true, false,
		"zerohttp: §7.1 allows whitespace only before ';' of a chunk extension"},
	{"HTTP/1.1 099 X\r\nContent-Length: 0\r\n\r\n", false, false, true, false,
		"zerohttp: RFC 9110 §15 says status codes outside 100..599 are invalid (fasthttp takes 99 as a final response)"},
	{"HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nab", false, false, true, false,
		"fasthttp: §5.1 rejects whitespace before ':' in requests but has a proxy remove it from a response, so a client may read it; zerohttp refuses"},
	{"HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nab", false, false, true, false,
		"zerohttp: §2.3 an HTTP/1.1 connection does not carry major version 2; fasthttp reads it as HTTP/1.0 (closes after)"},
}

package parse

import (
	"testing"

	"github.com/zerohttp/zerohttp/headers"
)

var responseTests = []struct {
	name string
	req  Method
	in   string
	want string
}{
	{"ok", MethodGET, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", ` "" 1.1 200 "OK" [Content-Length=5] length cl=5 keep=true`},
	{"empty reason", MethodGET, "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", ` "" 1.1 200 "" [Content-Length=0] none cl=-1 keep=true`},
	{"no reason no sp", MethodGET, "HTTP/1.1 204\r\n\r\n", ` "" 1.1 204 "" [] none cl=-1 keep=true`},
	{"reason with spaces", MethodGET, "HTTP/1.1 404 Not Found Here\r\nContent-Length: 0\r\n\r\n", ` "" 1.1 404 "Not Found Here" [Content-Length=0] none cl=-1 keep=true`},
	{"until close", MethodGET, "HTTP/1.1 200 OK\r\n\r\n", ` "" 1.1 200 "OK" [] until-close cl=-1 keep=false`},
	{"http10", MethodGET, "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", ` "" 1.0 200 "OK" [Content-Length=1] length cl=1 keep=false`},
	{"chunked", MethodGET, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", ` "" 1.1 200 "OK" [Transfer-Encoding=chunked] chunked cl=-1 keep=true`},
	{"chunked upper", MethodGET, "HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n", ` "" 1.1 200 "OK" [Transfer-Encoding=CHUNKED] chunked cl=-1 keep=true`},
	{"head", MethodHEAD, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", ` "" 1.1 200 "OK" [Content-Length=5] none cl=-1 keep=true`},
	{"304", MethodGET, "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", ` "" 1.1 304 "Not Modified" [Content-Length=5] none cl=-1 keep=true`},
	{"100", MethodPUT, "HTTP/1.1 100 Continue\r\n\r\n", ` "" 1.1 100 "Continue" [] none cl=-1 keep=true`},
	{"101", MethodGET, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", ` "" 1.1 101 "Switching Protocols" [Upgrade=websocket|Connection=Upgrade] tunnel cl=-1 keep=true`},
	{"connect 200", MethodCONNECT, "HTTP/1.1 200 Connection Established\r\n\r\n", ` "" 1.1 200 "Connection Established" [] tunnel cl=-1 keep=true`},
	{"connect 407", MethodCONNECT, "HTTP/1.1 407 Auth\r\nContent-Length: 2\r\n\r\n", ` "" 1.1 407 "Auth" [Content-Length=2] length cl=2 keep=true`},
	{"obs-text reason", MethodGET, "HTTP/1.1 200 \xe2\x9c\x93\r\nContent-Length: 0\r\n\r\n", " \"\" 1.1 200 \"\xe2\x9c\x93\" [Content-Length=0] none cl=-1 keep=true"},

	{"te and cl", MethodGET, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "error TE_WITH_CONTENT_LENGTH"},
	{"dup cl", MethodGET, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "error UNEXPECTED_CONTENT_LENGTH"},
	{"bad cl", MethodGET, "HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\n", "error INVALID_CONTENT_LENGTH"},
	{"status short", MethodGET, "HTTP/1.1 20 OK\r\n\r\n", "error INVALID_STATUS"},
	{"status letters", MethodGET, "HTTP/1.1 2x0 OK\r\n\r\n", "error INVALID_STATUS"},
	{"status long", MethodGET, "HTTP/1.1 2000 OK\r\n\r\n", "error INVALID_STATUS"},
	{"status zero", MethodGET, "HTTP/1.1 099 OK\r\n\r\n", "error INVALID_STATUS"},
	{"reason ctl", MethodGET, "HTTP/1.1 200 O\x01K\r\n\r\n", "error INVALID_STATUS"},
	{"version", MethodGET, "HTTP/1.1200 OK\r\n\r\n", "error INVALID_VERSION"},
	{"version 2", MethodGET, "HTTP/2.0 200 OK\r\n\r\n", "error VERSION_NOT_SUPPORTED"},
	{"garbage", MethodGET, "ICY 200 OK\r\n\r\n", "error INVALID_VERSION"},
	{"header ctl", MethodGET, "HTTP/1.1 200 OK\r\nX: \x00\r\n\r\n", "error INVALID_HEADER_VALUE"},
	{"bare lf", MethodGET, "HTTP/1.1 200 OK\nContent-Length: 0\n\n", "error LF_EXPECTED_CR"},
	{"gzip chunked", MethodGET, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "error UNSUPPORTED_TRANSFER_ENCODING"},
	{"te not chunked", MethodGET, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "error UNSUPPORTED_TRANSFER_ENCODING"},
	{"te empty", MethodGET, "HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\n", "error INVALID_TRANSFER_ENCODING"},
	{"gzip chunked head", MethodHEAD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ` "" 1.1 200 "OK" [Transfer-Encoding=gzip, chunked] none cl=-1 keep=true`},
	// RFC 9112 §5.2: a user agent replaces each obs-fold with SP.
	{"obs-fold", MethodGET, "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", ` "" 1.1 200 "OK" [X=a   b] until-close cl=-1 keep=false`},
	{"obs-fold twice", MethodGET, "HTTP/1.1 200 OK\r\nX: a \r\n\tb\r\n  c\r\nY: d\r\n\r\n", " \"\" 1.1 200 \"OK\" [X=a   \tb    c|Y=d] until-close cl=-1 keep=false"},
	{"obs-fold empty start", MethodGET, "HTTP/1.1 200 OK\r\nX:\r\n b\r\nContent-Length: 0\r\n\r\n", ` "" 1.1 200 "OK" [X=b|Content-Length=0] none cl=-1 keep=true`},
	{"obs-fold framing", MethodGET, "HTTP/1.1 200 OK\r\nContent-Length:\r\n 5\r\n\r\n", ` "" 1.1 200 "OK" [Content-Length=5] length cl=5 keep=true`},
	{"obs-fold bad cl", MethodGET, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n 5\r\n\r\n", "error INVALID_CONTENT_LENGTH"},
	{"obs-fold ctl", MethodGET, "HTTP/1.1 200 OK\r\nX: a\r\n \x01\r\n\r\n", "error INVALID_HEADER_VALUE"},
	{"space before first field", MethodGET, "HTTP/1.1 200 OK\r\n X: a\r\n\r\n", "error OBS_FOLD"},
}

func parseResponse(req Method, in string, cuts []int) result {
	var p Parser
	p.Init(Response, nil)
	p.SetRequestMethod(req)
	var h headers.Table
	cuts = append(cuts, len(in))
	var n int
	var err error
	b := []byte(in) // one buffer, as a connection keeps: Parse unfolds obs-fold in it
	for _, c := range cuts {
		if n, err = p.Parse(b[:c], &h); err != nil || n > 0 {
			break
		}
	}
	if err != nil {
		return result{err: err.(Code)}
	}
	h.SetBase(b)
	r := result{n: n, version: "", status: p.Status(), reason: string(p.Reason().In(b)),
		framing: p.Framing(), length: p.ContentLength(), keep: p.KeepAlive()}
	maj, min := p.Version()
	r.version = string(rune('0'+maj)) + "." + string(rune('0'+min))
	for i := range h.Len() {
		if i > 0 {
			r.fields += "|"
		}
		r.fields += string(h.Name(i)) + "=" + string(h.Value(i))
	}
	return r
}

func TestResponse(t *testing.T) {
	for _, tt := range responseTests {
		r := parseResponse(tt.req, tt.in, nil)
		if got := r.String(); got != tt.want {
			t.Errorf("%s: Parse(%q) = %s; want %s", tt.name, tt.in, got, tt.want)
		}
		if r.err == ErrNone && r.n != len(tt.in) {
			t.Errorf("%s: Parse(%q) = %d; want %d", tt.name, tt.in, r.n, len(tt.in))
		}
		for cut := 1; cut < len(tt.in); cut++ {
			if got := parseResponse(tt.req, tt.in, []int{cut}).String(); got != r.String() {
				t.Fatalf("%s: split at %d: %s; want %s", tt.name, cut, got, r.String())
			}
		}
	}
}

func TestResponseLenient(t *testing.T) {
	cases := []struct {
		in   string
		want Framing
	}{
		{"HTTP/1.1 200 OK\nContent-Length: 2\nTransfer-Encoding: chunked\n\n", BodyChunked},
		// RFC 9112 §6.3 item 4: chunked last frames the body; otherwise it runs until close.
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", BodyChunked},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", BodyUntilClose},
	}
	for _, c := range cases {
		var p Parser
		p.Init(Response, &Config{Lenient: true})
		var h headers.Table
		in := []byte(c.in)
		n, err := p.Parse(in, &h)
		if err != nil || n != len(in) || p.Framing() != c.want {
			t.Errorf("lenient Parse(%q) = %d, %v, %v; want %d, nil, %v", c.in, n, err, p.Framing(), len(in), c.want)
		}
	}
	// Lenient unfolds too, a bare LF included.
	var p Parser
	p.Init(Response, &Config{Lenient: true})
	var h headers.Table
	in := []byte("HTTP/1.1 200 OK\nX: a\n b\r\n\tc\nContent-Length: 0\n\n")
	if n, err := p.Parse(in, &h); err != nil || n != len(in) || string(h.Value(0)) != "a  b  \tc" {
		t.Errorf("lenient obs-fold: Parse = %d, %v, X=%q; want %d, nil, %q", n, err, h.Value(0), len(in), "a  b  \tc")
	}
}

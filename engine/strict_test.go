package engine

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/parse"
)

// TestInvalidRequestLine400 sends request lines whose target has the wrong
// form for the method, a bad "%" escape, or a Host that is not
// uri-host [ ":" port ]: each gets 400 and closes the connection without
// reaching the handler (RFC 9112 §3 and §3.2). Valid forms reach it.
func TestInvalidRequestLine400(t *testing.T) {
	var calls atomic.Int32
	_, addr := startServer(t, func(w *Response, r *Request) {
		calls.Add(1)
		if r.Method() == parse.MethodCONNECT {
			w.SetStatus(405) // not a tunnel: this test is about the request line
		}
		w.WriteString("reached")
	}, nil)
	for _, line := range []string{
		"GET foo/bar", "CONNECT /", "CONNECT example.com", "CONNECT http://example.com/",
		"GET '", "POST echo", "OPTIONS **", "GET /%cho", "GET *",
	} {
		got := rawExchange(t, addr, line+" HTTP/1.1\r\nHost: example.com\r\n\r\n", 2*time.Second)
		if !strings.HasPrefix(got, "HTTP/1.1 400 ") || !strings.Contains(got, "Connection: close\r\n") {
			t.Errorf("%q: response %q; want 400 with Connection: close", line, got)
		}
	}
	got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: example.com:8o\r\n\r\n", 2*time.Second)
	if !strings.HasPrefix(got, "HTTP/1.1 400 ") {
		t.Errorf("Host example.com:8o: response %q; want 400", got)
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("handler reached %d times by invalid requests", n)
	}
	for _, line := range []string{
		"CONNECT example.com:443", "CONNECT [::1]:443", "OPTIONS *", "GET http://a/b?c", "GET /a%20b",
	} {
		got := rawExchange(t, addr, line+" HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n", 2*time.Second)
		if !strings.HasSuffix(got, "reached") {
			t.Errorf("%q: response %q; want the handler's", line, got)
		}
	}
}

// TestChunkExtension400 sends chunked bodies whose chunk-ext does not parse
// (RFC 9112 §7.1.1): each gets 400 without reaching the handler, and a
// quoted-string holding ";" and a quoted-pair is accepted.
func TestChunkExtension400(t *testing.T) {
	var calls atomic.Int32
	_, addr := startServer(t, func(w *Response, r *Request) {
		calls.Add(1)
		w.Write(r.Body())
	}, nil)
	const head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
	for _, ext := range []string{";", ";a=\"abc", ";=b", ";a=", ";a b", ";a=\"b\"c", ";a;;b", ";a@b"} {
		got := rawExchange(t, addr, head+"5"+ext+"\r\nhello\r\n0\r\n\r\n", 2*time.Second)
		if !strings.HasPrefix(got, "HTTP/1.1 400 ") {
			t.Errorf("chunk-ext %q: response %q; want 400", ext, got)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("handler reached %d times by invalid chunk extensions", n)
	}
	got := rawExchange(t, addr, head+"5;q=\"a;b\\\"c\"\r\nhello\r\n0;x\r\n\r\n", 2*time.Second)
	if !strings.HasPrefix(got, "HTTP/1.1 200 ") || !strings.HasSuffix(got, "hello") {
		t.Fatalf("valid chunk-ext: response %q; want 200 hello", got)
	}
}

// TestClientUnfoldsObsFold checks that the client replaces each obs-fold in
// a response's head with SP before it reads the fields (RFC 9112 §5.2: a
// user agent MUST), strict and lenient, a folded Content-Length included,
// and that the connection is reused after it.
func TestClientUnfoldsObsFold(t *testing.T) {
	const resp = "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\n\tc\r\nContent-Length:\r\n 5\r\n\r\nhello"
	for _, lenient := range []bool{false, true} {
		cli, err := NewClient(&ClientOptions{NumEventLoops: 1, Parser: parse.Config{Lenient: lenient}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cli.Close() })
		addr := scriptServer(t, resp)
		cc := dialTest(t, cli, addr, nil)
		req, res := AcquireClientRequest(), AcquireClientResponse()
		for i := 0; i < 2; i++ {
			if err := cc.Do(req, res); err != nil {
				t.Fatalf("lenient %v, Do %d: %v", lenient, i, err)
			}
			if got := string(res.HeaderValue("x-folded")); got != "a   b  \tc" || string(res.Body()) != "hello" {
				t.Fatalf("lenient %v, Do %d: X-Folded %q body %q; want %q %q", lenient, i, got, res.Body(), "a   b  \tc", "hello")
			}
		}
		ReleaseClientRequest(req)
		ReleaseClientResponse(res)
	}
}

// TestClientUnfoldsObsFoldInTrailers: a chunked response's trailer fields
// are unfolded as its head's are (RFC 9112 §5.2), in strict and lenient
// mode; before, the client refused the response (OBS_FOLD).
func TestClientUnfoldsObsFoldInTrailers(t *testing.T) {
	const resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: a\r\n b\r\nX-U: c\r\n\r\n"
	for _, lenient := range []bool{false, true} {
		cli, err := NewClient(&ClientOptions{NumEventLoops: 1, Parser: parse.Config{Lenient: lenient}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cli.Close() })
		cc := dialTest(t, cli, scriptServer(t, resp), nil)
		req, res := AcquireClientRequest(), AcquireClientResponse()
		for i := 0; i < 2; i++ {
			if err := cc.Do(req, res); err != nil {
				t.Fatalf("lenient %v, Do %d: %v", lenient, i, err)
			}
			x, _ := res.Trailer().Get("x-t")
			u, _ := res.Trailer().Get("x-u")
			if string(x) != "a   b" || string(u) != "c" || string(res.Body()) != "hello" {
				t.Fatalf("lenient %v, Do %d: X-T %q X-U %q body %q; want %q %q %q", lenient, i, x, u, res.Body(), "a   b", "c", "hello")
			}
		}
		ReleaseClientRequest(req)
		ReleaseClientResponse(res)
	}
}

// TestClientInvalidHost checks that the client refuses to build a Host
// field that is not uri-host [ ":" port ] (RFC 9110 §7.2), from a request's
// host or a connection's dial host, and builds the valid ones.
func TestClientInvalidHost(t *testing.T) {
	for _, tt := range []struct {
		host string
		port int
		want string // the Host line, or "" for ErrClientInvalidHost
	}{
		{"example.com", 8080, "Host: example.com:8080\r\n"},
		{"::1", 443, "Host: [::1]:443\r\n"},
		{"10.0.0.1", 0, "Host: 10.0.0.1\r\n"},
		{"a/b", 0, ""},
		{"a@b", 0, ""},
		{"exa mple.com", 0, ""},
		{"a\r\nX-Injected: 1", 0, ""},
		{"example.com:8o", 0, ""}, // a colon makes it an IPv6 literal, which it is not
		{"a", -1, ""},
	} {
		r := AcquireClientRequest()
		r.SetPath("/")
		r.SetHost(tt.host)
		r.SetPort(tt.port)
		out, err := r.AppendHead(nil, false)
		switch {
		case tt.want == "" && !errors.Is(err, ErrClientInvalidHost):
			t.Errorf("host %q port %d: AppendHead = %q, %v; want ErrClientInvalidHost", tt.host, tt.port, out, err)
		case tt.want != "" && (err != nil || !strings.Contains(string(out), "\r\n"+tt.want)):
			t.Errorf("host %q port %d: AppendHead = %q, %v; want %q", tt.host, tt.port, out, err, tt.want)
		}
		ReleaseClientRequest(r)
		err = checkDialHost(&DialOptions{Host: tt.host, Port: tt.port})
		if (err == nil) != (tt.want != "") {
			t.Errorf("dial host %q port %d: checkDialHost = %v", tt.host, tt.port, err)
		}
	}
	r := AcquireClientRequest()
	defer ReleaseClientRequest(r)
	if err := r.SetURL("http://a@b/"); err == nil {
		if _, err := r.AppendHead(nil, false); !errors.Is(err, ErrClientInvalidHost) {
			t.Errorf("URL http://a@b/: AppendHead error %v; want ErrClientInvalidHost", err)
		}
	}
	cli, err := NewClient(&ClientOptions{NumEventLoops: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	if _, err := cli.Dial(context.Background(), &DialOptions{Host: "a/b", Port: 1}); !errors.Is(err, ErrClientInvalidHost) {
		t.Fatalf("Dial(Host a/b) = %v; want ErrClientInvalidHost", err)
	}
}

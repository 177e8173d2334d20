package engine

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/headers"
)

func newTestClient(t testing.TB) *Client {
	t.Helper()
	cli, err := NewClient(&ClientOptions{NumEventLoops: 2, TimerResolution: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

func hostPort(t testing.TB, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

func dialTest(t testing.TB, cli *Client, addr string, opts *DialOptions) *ClientConn {
	t.Helper()
	if opts == nil {
		opts = &DialOptions{}
	}
	opts.Host, opts.Port = hostPort(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cc, err := cli.Dial(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

// countingServer is an httptest server that counts the connections it accepted.
func countingServer(t testing.TB, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	return countingServerIdle(t, 0, h)
}

func countingServerIdle(t testing.TB, idle time.Duration, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	s := httptest.NewUnstartedServer(h)
	s.Config.IdleTimeout = idle
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			n.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s, &n
}

func TestClientKeepAliveReuse(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.URL.Path)
	})
	cli := newTestClient(t)
	cc := dialTest(t, cli, srv.Listener.Addr().String(), nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	defer ReleaseClientRequest(req)
	defer ReleaseClientResponse(resp)
	for i := 0; i < 50; i++ {
		req.SetPath("/p" + strconv.Itoa(i))
		req.SetHost("127.0.0.1")
		if err := cc.Do(req, resp); err != nil {
			t.Fatalf("Do %d: %v", i, err)
		}
		if resp.StatusCode() != 200 || string(resp.Body()) != "hello /p"+strconv.Itoa(i) {
			t.Fatalf("Do %d = %d %q", i, resp.StatusCode(), resp.Body())
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("server saw %d connections; want 1", n)
	}
	if n := cc.Completed(); n != 50 {
		t.Fatalf("Completed = %d; want 50", n)
	}
}

// scriptServer accepts connections and answers each request head with the
// next response from resp (cycling through it), closing after the ones
// marked by a trailing "\x00close".
func scriptServer(t testing.TB, responses ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	var next atomic.Int32
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					r := responses[int(next.Add(1)-1)%len(responses)]
					closeAfter := strings.HasSuffix(r, "\x00close")
					r = strings.TrimSuffix(r, "\x00close")
					if _, err := io.WriteString(c, r); err != nil || closeAfter {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestClientResponseFraming(t *testing.T) {
	tests := []struct {
		name, method, resp string
		status             int
		body               string
		trailer            string
		reuse              bool
	}{
		{"length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, "hello", "", true},
		{"chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nX-T: 1\r\n\r\n", 200, "hello world", "1", true},
		{"until-close", "GET", "HTTP/1.1 200 OK\r\n\r\nall of it\x00close", 200, "all of it", "", false},
		{"http10", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok", "", false},
		{"head", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 200, "", "", true},
		{"204", "GET", "HTTP/1.1 204 No Content\r\n\r\n", 204, "", "", true},
		{"304", "GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", 304, "", "", true},
		{"1xx", "GET", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", 200, "x", "", true},
		{"close", "GET", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\ny", 200, "y", "", false},
	}
	cli := newTestClient(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := scriptServer(t, tt.resp)
			cc := dialTest(t, cli, addr, nil)
			req, resp := AcquireClientRequest(), AcquireClientResponse()
			defer ReleaseClientRequest(req)
			defer ReleaseClientResponse(resp)
			req.SetMethod(tt.method)
			var infos []int
			req.OnInformational = func(status int, h *headers.Table) { infos = append(infos, status) }
			for i := 0; i < 2; i++ {
				err := cc.Do(req, resp)
				if i == 1 && !tt.reuse {
					if err == nil {
						t.Fatalf("second Do on a closed connection succeeded")
					}
					break
				}
				if err != nil {
					t.Fatalf("Do %d: %v", i, err)
				}
				if resp.StatusCode() != tt.status || string(resp.Body()) != tt.body {
					t.Fatalf("Do %d = %d %q; want %d %q", i, resp.StatusCode(), resp.Body(), tt.status, tt.body)
				}
				if got := string(getValue(resp.Trailer(), "x-t")); got != tt.trailer {
					t.Fatalf("trailer = %q; want %q", got, tt.trailer)
				}
				if resp.KeepAlive() != tt.reuse {
					t.Fatalf("KeepAlive = %v; want %v", resp.KeepAlive(), tt.reuse)
				}
			}
			if tt.name == "1xx" && (len(infos) != 2 || infos[0] != 103) {
				t.Fatalf("informational = %v; want [103 103]", infos)
			}
		})
	}
}

func TestClientMalformedResponse(t *testing.T) {
	bad := []struct{ name, resp string }{
		{"te-and-cl", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"},
		{"two-cl", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"},
		{"bare-lf", "HTTP/1.1 200 OK\nContent-Length: 1\n\nx"},
		{"bad-chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
		{"chunk-ext-no-name", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n"},
		{"chunk-ext-unterminated", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"abc\r\nhello\r\n0\r\n\r\n"},
		{"space-colon", "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx"},
		{"bad-status", "HTTP/1.1 2000 OK\r\n\r\n"},
		{"space-before-first-field", "HTTP/1.1 200 OK\r\n X: a\r\nContent-Length: 0\r\n\r\n"},
		{"extra-bytes", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n\r\n"},
		{"truncated", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc\x00close"},
	}
	cli := newTestClient(t)
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			addr := scriptServer(t, tt.resp)
			cc := dialTest(t, cli, addr, nil)
			req, resp := AcquireClientRequest(), AcquireClientResponse()
			defer ReleaseClientRequest(req)
			defer ReleaseClientResponse(resp)
			err := cc.Do(req, resp)
			if tt.name == "extra-bytes" {
				// The first response is fine; the stray bytes close the connection.
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				waitClosed(t, cc)
				return
			}
			if err == nil {
				t.Fatalf("Do succeeded with %d %q; want an error", resp.StatusCode(), resp.Body())
			}
			waitClosed(t, cc)
			if err := cc.Do(req, resp); err == nil {
				t.Fatalf("Do on a connection closed by a bad response succeeded")
			}
		})
	}
}

func waitClosed(t testing.TB, cc *ClientConn) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cc.Closed(); {
		if time.Now().After(deadline) {
			t.Fatal("connection not closed")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestClientRequestBodies(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %v %q te=%v trailer=%q", r.Method, r.ContentLength, b, r.TransferEncoding, r.Trailer.Get("X-Sum"))
	})
	cli := newTestClient(t)
	cc := dialTest(t, cli, srv.Listener.Addr().String(), nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	defer ReleaseClientRequest(req)
	defer ReleaseClientResponse(resp)

	req.SetMethod("POST")
	req.SetBodyString("abc")
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if got, want := string(resp.Body()), `POST 3 "abc" te=[] trailer=""`; got != want {
		t.Fatalf("length body: %s; want %s", got, want)
	}

	req.Trailer.AddString("X-Sum", "42")
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if got, want := string(resp.Body()), `POST -1 "abc" te=[chunked] trailer="42"`; got != want {
		t.Fatalf("chunked body: %s; want %s", got, want)
	}

	req.Trailer.Reset(nil)
	big := bytes.Repeat([]byte("z"), 1<<20)
	req.SetBodyStream(bytes.NewReader(big), -1)
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(resp.Body(), []byte(`POST -1 "zzz`)) {
		t.Fatalf("stream body: %.40s", resp.Body())
	}
	req.SetBodyRaw(big)
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(resp.Body(), []byte(`POST 1048576 "zzz`)) {
		t.Fatalf("large body: %.40s", resp.Body())
	}
}

func TestClientExpectContinue(t *testing.T) {
	var reject atomic.Bool
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if reject.Load() {
			w.WriteHeader(http.StatusExpectationFailed)
			return
		}
		b, _ := io.ReadAll(r.Body) // net/http sends 100 Continue on the first read
		fmt.Fprintf(w, "got %s", b)
	})
	cli := newTestClient(t)
	cc := dialTest(t, cli, srv.Listener.Addr().String(), &DialOptions{ContinueTimeout: 5 * time.Second})
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	defer ReleaseClientRequest(req)
	defer ReleaseClientResponse(resp)
	req.SetMethod("PUT")
	req.SetExpectContinue(true)
	req.SetBodyString("payload")
	var saw100 atomic.Int32
	req.OnInformational = func(status int, _ *headers.Table) {
		if status == 100 {
			saw100.Add(1)
		}
	}
	start := time.Now()
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if string(resp.Body()) != "got payload" || saw100.Load() != 1 {
		t.Fatalf("body %q, 100s %d", resp.Body(), saw100.Load())
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("100-continue took %v: the body waited for the timeout", time.Since(start))
	}
	reject.Store(true)
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 417 {
		t.Fatalf("status %d; want 417", resp.StatusCode())
	}
	waitClosed(t, cc) // the body was never sent, so the connection is not reused
}

func TestClientHeadTimeout(t *testing.T) {
	addr := silentServer(t)
	cli := newTestClient(t)
	cc := dialTest(t, cli, addr, &DialOptions{HeadTimeout: 100 * time.Millisecond})
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	start := time.Now()
	err := cc.Do(req, resp)
	if !errors.Is(err, ErrClientHeadTimeout) {
		t.Fatalf("Do = %v; want ErrClientHeadTimeout", err)
	}
	if !IsNoResponse(err) {
		t.Fatalf("IsNoResponse(%v) = false", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("timeout after %v", d)
	}
}

func TestClientIdleTimeout(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	cli := newTestClient(t)
	var closedErr atomic.Value
	cc := dialTest(t, cli, srv.Listener.Addr().String(), &DialOptions{
		IdleTimeout: 50 * time.Millisecond,
		OnClose:     func(_ *ClientConn, err error) { closedErr.Store(err) },
	})
	waitClosed(t, cc)
	if err, _ := closedErr.Load().(error); !errors.Is(err, ErrClientIdleTimeout) {
		t.Fatalf("OnClose err = %v; want ErrClientIdleTimeout", err)
	}
}

func TestClientServerClosesIdle(t *testing.T) {
	srv, _ := countingServerIdle(t, 50*time.Millisecond, func(w http.ResponseWriter, r *http.Request) {})
	cli := newTestClient(t)
	closed := make(chan error, 1)
	cc := dialTest(t, cli, srv.Listener.Addr().String(), &DialOptions{
		OnClose: func(_ *ClientConn, err error) { closed <- err },
	})
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-closed:
		if !errors.Is(err, ErrClientConnClosed) {
			t.Fatalf("OnClose err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("idle close by the server not detected")
	}
	if err := cc.Do(req, resp); !errors.Is(err, ErrClientConnClosed) {
		t.Fatalf("Do after close = %v", err)
	}
}

type chanHandler chan error

func (h chanHandler) HandleResponse(_ *ClientConn, _ *ClientRequest, _ *ClientResponse, err error) {
	h <- err
}

func TestClientPipelined(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	})
	cli := newTestClient(t)
	cc := dialTest(t, cli, srv.Listener.Addr().String(), nil)
	const n = 16
	reqs := make([]*ClientRequest, n)
	resps := make([]*ClientResponse, n)
	h := make(chanHandler, n)
	for i := range reqs {
		reqs[i], resps[i] = AcquireClientRequest(), AcquireClientResponse()
		reqs[i].SetPath("/" + strconv.Itoa(i))
		if err := cc.Send(reqs[i], resps[i], h); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		select {
		case err := <-h:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("timeout")
		}
	}
	for i := range resps {
		if got := string(resps[i].Body()); got != "/"+strconv.Itoa(i) {
			t.Fatalf("response %d = %q", i, got)
		}
	}
	if conns.Load() != 1 {
		t.Fatalf("conns = %d", conns.Load())
	}
}

func TestClientUpgrade(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\nhi")
		buf := make([]byte, 5)
		if _, err := io.ReadFull(br, buf); err == nil {
			c.Write(bytes.ToUpper(buf))
		}
	}()
	cli := newTestClient(t)
	cc := dialTest(t, cli, ln.Addr().String(), nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	req.Header.AddString("Upgrade", "echo")
	req.Header.AddString("Connection", "upgrade")
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	tc := resp.Tunnel()
	if resp.StatusCode() != 101 || tc == nil {
		t.Fatalf("status %d tunnel %v", resp.StatusCode(), tc)
	}
	defer tc.Close()
	tc.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 2)
	if _, err := io.ReadFull(tc, buf); err != nil || string(buf) != "hi" {
		t.Fatalf("prefix %q %v", buf, err)
	}
	tc.Write([]byte("hello"))
	buf = make([]byte, 5)
	if _, err := io.ReadFull(tc, buf); err != nil || string(buf) != "HELLO" {
		t.Fatalf("echo %q %v", buf, err)
	}
}

func TestClientUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "unix "+r.Host)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	cli := newTestClient(t)
	cc, err := cli.Dial(context.Background(), &DialOptions{SocketPath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	req.SocketPath = path
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if string(resp.Body()) != "unix localhost" {
		t.Fatalf("body %q", resp.Body())
	}
}

func TestClientDialOptions(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.RemoteAddr)
	})
	_, port := hostPort(t, srv.Listener.Addr().String())
	cli := newTestClient(t)
	var looked atomic.Int32
	cc, err := cli.Dial(context.Background(), &DialOptions{
		Host: "example.invalid", Port: port, Family: 4, LocalAddress: "127.0.0.1",
		ConnectTimeout: time.Second,
		Lookup: func(_ context.Context, host string, family int) (string, error) {
			looked.Add(1)
			return "127.0.0.1", nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if looked.Load() != 1 || !strings.HasPrefix(string(resp.Body()), "127.0.0.1:") {
		t.Fatalf("lookups %d body %q", looked.Load(), resp.Body())
	}
	if _, err := cli.Dial(context.Background(), &DialOptions{Host: "127.0.0.1", Port: port, Family: 6}); err == nil {
		t.Fatal("dial of an IPv4 literal with family 6 succeeded")
	}
}

func TestClientSetURL(t *testing.T) {
	tests := []struct {
		in         string
		host, path string
		port       int
		ok         bool
	}{
		{"http://a.example/x?y", "a.example", "/x?y", 80, true},
		{"http://a.example:8080", "a.example", "/", 8080, true},
		{"HTTP://[::1]:81/p#frag", "::1", "/p", 81, true},
		{"http://h?q=1", "h", "/?q=1", 80, true},
		{"https://a/", "", "", 0, false},
		{"http://:80/", "", "", 0, false},
		{"http://a:99999/", "", "", 0, false},
	}
	for _, tt := range tests {
		var r ClientRequest
		err := r.SetURL(tt.in)
		if (err == nil) != tt.ok {
			t.Fatalf("SetURL(%q) = %v; want ok=%v", tt.in, err, tt.ok)
		}
		if tt.ok && (string(r.Host()) != tt.host || string(r.Path()) != tt.path || r.Port() != tt.port) {
			t.Fatalf("SetURL(%q) = %q %d %q", tt.in, r.Host(), r.Port(), r.Path())
		}
	}
	var r ClientRequest
	r.Header.AddString("X-Bad", "a\r\nb")
	if _, err := r.AppendHead(nil, true); !errors.Is(err, ErrClientInvalidHeader) {
		t.Fatalf("AppendHead with CRLF in a value = %v", err)
	}
	// Well-known names skip the name check (their id says they are tokens)
	// but not the value check, and are still told apart in any case.
	for _, f := range [][2]string{{"Bad Name", "x"}, {"", "x"}, {"Host", "a\nb"}, {"user-agent", "a\x00b"}} {
		var r ClientRequest
		r.Header.AddString(f[0], f[1])
		if _, err := r.AppendHead(nil, true); !errors.Is(err, ErrClientInvalidHeader) {
			t.Fatalf("AppendHead with field %q = %v; want ErrClientInvalidHeader", f, err)
		}
	}
	r = ClientRequest{}
	r.SetMethod("POST")
	r.SetBodyString("abc")
	r.Header.AddString("content-LENGTH", "3")
	r.Header.AddString("HOST", "h.example")
	r.Header.AddString("connection", "close")
	head, err := r.AppendHead(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := "POST / HTTP/1.1\r\ncontent-LENGTH: 3\r\nHOST: h.example\r\nconnection: close\r\n\r\n"; string(head) != want {
		t.Fatalf("head = %q; want %q", head, want)
	}
}

// TestClientRequestFixedLines: FixedLines go out as they are after the
// fields, and Reset drops them.
func TestClientRequestFixedLines(t *testing.T) {
	var r ClientRequest
	r.SetHost("h.example")
	r.Header.AddString("X-A", "1")
	r.FixedLines = "User-Agent: t/1\r\nAccept-Encoding: gzip\r\n"
	head, err := r.AppendHead(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "GET / HTTP/1.1\r\nX-A: 1\r\nUser-Agent: t/1\r\nAccept-Encoding: gzip\r\nHost: h.example\r\n\r\n"; string(head) != want {
		t.Fatalf("head = %q; want %q", head, want)
	}
	r.Reset()
	if r.FixedLines != "" {
		t.Fatalf("FixedLines after Reset = %q", r.FixedLines)
	}
}

// TestClientNodeServer runs against Node's http server: chunked responses with
// trailers, keep-alive reuse and its Keep-Alive hint.
func TestClientNodeServer(t *testing.T) {
	addr, conns := nodeServer(t, `
		let conns = 0;
		const srv = http.createServer((req, res) => {
			if (req.url === '/conns') { res.end(String(conns)); return; }
			res.setHeader('Trailer', 'X-Done');
			res.write('chunk1;');
			res.write('chunk2');
			res.addTrailers({'X-Done': 'yes'});
			res.end();
		});
		srv.keepAliveTimeout = 5000;
		srv.on('connection', () => conns++);`)
	cli := newTestClient(t)
	cc := dialTest(t, cli, addr, nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	for i := 0; i < 20; i++ {
		if err := cc.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		if string(resp.Body()) != "chunk1;chunk2" || string(getValue(resp.Trailer(), "x-done")) != "yes" {
			t.Fatalf("body %q trailer %q", resp.Body(), getValue(resp.Trailer(), "x-done"))
		}
	}
	if d, ok := cc.KeepAliveHint(); !ok || d != 5*time.Second {
		t.Fatalf("KeepAliveHint = %v %v", d, ok)
	}
	if got := conns(t, cli); got != "1" {
		t.Fatalf("node saw %s connections; want 1", got)
	}
}

// nodeServer starts `node` with script (which must define srv) listening on
// 127.0.0.1, and returns its address and a function that asks it for /conns.
func nodeServer(t testing.TB, script string) (string, func(testing.TB, *Client) string) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	full := "const http = require('http');\n" + script + `
		srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
		process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`
	cmd := exec.CommandContext(ctx, "node", "-e", full)
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Skipf("node: %v", err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait(); cancel() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("node did not start: %v", err)
	}
	addr := "127.0.0.1:" + strings.TrimSpace(line)
	return addr, func(t testing.TB, cli *Client) string {
		cc := dialTest(t, cli, addr, nil)
		defer cc.Close()
		req, resp := AcquireClientRequest(), AcquireClientResponse()
		req.SetPath("/conns")
		req.SetConnectionClose(true)
		if err := cc.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(string(resp.Body()))
		return strconv.Itoa(n - 1) // not counting this connection
	}
}

// TestClientConcurrentDo: many goroutines share one connection; their
// requests are pipelined and each gets its own response.
func TestClientConcurrentDo(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.URL.Path+string(b))
	})
	cli := newTestClient(t)
	cc := dialTest(t, cli, srv.Listener.Addr().String(), nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			req, resp := AcquireClientRequest(), AcquireClientResponse()
			defer ReleaseClientRequest(req)
			defer ReleaseClientResponse(resp)
			for i := 0; i < 50; i++ {
				path := "/" + strconv.Itoa(g) + "/" + strconv.Itoa(i)
				req.SetPath(path)
				if i%2 == 1 {
					req.SetMethod("POST")
					req.SetBodyString("+body")
					path += "+body"
				} else {
					req.SetMethod("GET")
					req.SetBodyRaw(nil)
				}
				if err := cc.Do(req, resp); err != nil {
					t.Errorf("Do %s: %v", path, err)
					return
				}
				if string(resp.Body()) != path {
					t.Errorf("Do %s = %q", path, resp.Body())
					return
				}
			}
		}(g)
	}
	wg.Wait()
	if conns.Load() != 1 {
		t.Fatalf("conns = %d", conns.Load())
	}
}

// TestClientSendSlowPaths: Send with a streaming body and with
// 100-continue hands the write to a goroutine; the handler still gets the response.
func TestClientSendSlowPaths(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%d %s", len(b), r.Header.Get("Expect"))
	})
	cli := newTestClient(t)
	cc := dialTest(t, cli, srv.Listener.Addr().String(), nil)
	h := make(chanHandler, 1)

	req, resp := AcquireClientRequest(), AcquireClientResponse()
	req.SetMethod("POST")
	req.SetBodyStream(strings.NewReader(strings.Repeat("s", 100000)), 100000)
	if err := cc.Send(req, resp, h); err != nil {
		t.Fatal(err)
	}
	if err := <-h; err != nil {
		t.Fatal(err)
	}
	if string(resp.Body()) != "100000 " {
		t.Fatalf("stream: %q", resp.Body())
	}

	req.SetBodyString("abc")
	req.SetExpectContinue(true)
	if err := cc.Send(req, resp, h); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-h:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("timeout")
	}
	if string(resp.Body()) != "3 100-continue" {
		t.Fatalf("expect: %q", resp.Body())
	}
}

// TestClientServerDropsRequest: the server reads the request and closes
// without answering: the error says no response byte arrived.
func TestClientServerDropsRequest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		http.ReadRequest(bufio.NewReader(c))
		c.Close()
	}()
	cli := newTestClient(t)
	cc := dialTest(t, cli, ln.Addr().String(), nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	err = cc.Do(req, resp)
	var ce *ClientConnError
	if !errors.As(err, &ce) || !ce.NoResponse || ce.Reused {
		t.Fatalf("Do = %v; want a ClientConnError with NoResponse and not Reused", err)
	}
}

func TestClientConnectTunnel(t *testing.T) {
	addr := scriptServer(t, "HTTP/1.1 200 Connection Established\r\n\r\nraw")
	cli := newTestClient(t)
	cc := dialTest(t, cli, addr, nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	req.SetMethod("CONNECT")
	req.SetPath("example.com:443")
	req.Header.AddString("Host", "example.com:443")
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	tc := resp.Tunnel()
	if tc == nil {
		t.Fatal("no tunnel after 200 to CONNECT")
	}
	defer tc.Close()
	buf := make([]byte, 3)
	tc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(tc, buf); err != nil || string(buf) != "raw" {
		t.Fatalf("tunnel bytes %q %v", buf, err)
	}
	waitClosed(t, cc)
}

// TestClientCloseNoLeak: a Client that has served requests stops every
// goroutine it started when closed.
func TestClientCloseNoLeak(t *testing.T) {
	addr := scriptServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	before := runtime.NumGoroutine()
	cli, err := NewClient(&ClientOptions{NumEventLoops: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		h, p := hostPort(t, addr)
		cc, err := cli.Dial(context.Background(), &DialOptions{Host: h, Port: p})
		if err != nil {
			t.Fatal(err)
		}
		req, resp := AcquireClientRequest(), AcquireClientResponse()
		if err := cc.Do(req, resp); err != nil {
			t.Fatal(err)
		}
	}
	cli.Close()
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before+4; {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d before, %d after Close", before, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClientContinueTimeout: a server that never sends 100 gets the body
// after the continue timeout.
func TestClientContinueTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br) // does not send 100 by itself
		if err != nil {
			return
		}
		b, _ := io.ReadAll(req.Body)
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
	}()
	cli := newTestClient(t)
	cc := dialTest(t, cli, ln.Addr().String(), &DialOptions{ContinueTimeout: 100 * time.Millisecond})
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	req.SetMethod("POST")
	req.SetExpectContinue(true)
	req.SetBodyString("late body")
	start := time.Now()
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if string(resp.Body()) != "late body" {
		t.Fatalf("body %q", resp.Body())
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("body sent after %v, before the continue timeout", d)
	}
}

func TestClientIPv6(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback")
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Host)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	_, port := hostPort(t, ln.Addr().String())
	cli := newTestClient(t)
	cc, err := cli.Dial(context.Background(), &DialOptions{Host: "::1", Port: port, Family: 6})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	req.SetHost("::1")
	req.SetPort(port)
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if want := "[::1]:" + strconv.Itoa(port); string(resp.Body()) != want {
		t.Fatalf("Host seen %q; want %q", resp.Body(), want)
	}
	// Without a host of its own, a request names the dial host and port.
	plain := AcquireClientRequest()
	if err := cc.Do(plain, resp); err != nil {
		t.Fatal(err)
	}
	if want := "[::1]:" + strconv.Itoa(port); string(resp.Body()) != want {
		t.Fatalf("default Host seen %q; want %q", resp.Body(), want)
	}
}

// getValue returns the first value of name in t, or nil.
func getValue(t *headers.Table, name string) []byte {
	v, _ := t.Get(name)
	return v
}

// TestHostLineFromConn checks that a request naming its connection's own
// host gets the connection's preformatted Host line, byte for byte what
// formatting it would give, and that any other host or port is formatted.
func TestHostLineFromConn(t *testing.T) {
	cases := []struct {
		connHost string
		connPort int
		reqHost  string
		reqPort  int
		want     string
	}{
		{"127.0.0.1", 8080, "127.0.0.1", 8080, "Host: 127.0.0.1:8080\r\n"},
		{"127.0.0.1", 8080, "127.0.0.1", 8081, "Host: 127.0.0.1:8081\r\n"},
		{"127.0.0.1", 8080, "127.0.0.2", 8080, "Host: 127.0.0.2:8080\r\n"},
		{"example.com", 0, "example.com", 80, "Host: example.com\r\n"},
		{"example.com", 80, "example.com", 0, "Host: example.com\r\n"},
		{"::1", 443, "::1", 443, "Host: [::1]:443\r\n"},
		{"a.example", 9, "", 0, "Host: a.example:9\r\n"},
	}
	for _, c := range cases {
		conn := connHost{c.connHost, c.connPort, appendHostLine(nil, []byte(c.connHost), c.connPort)}
		r := AcquireClientRequest()
		r.SetPath("/")
		if c.reqHost != "" {
			r.SetHost(c.reqHost)
			r.SetPort(c.reqPort)
		}
		out, err := r.appendHead(nil, false, &conn)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(out); !strings.Contains(got, "\r\n"+c.want) {
			t.Errorf("conn %s:%d, request %q:%d: head %q lacks %q", c.connHost, c.connPort, c.reqHost, c.reqPort, got, c.want)
		}
		if strings.Count(string(out), "Host:") != 1 {
			t.Errorf("head %q: want one Host line", out)
		}
		ReleaseClientRequest(r)
	}
}

// TestSweepPeriod checks that the timeout checks follow the shortest head
// or idle timeout set so far: an eighth of it, between a millisecond and
// TimerResolution.
func TestSweepPeriod(t *testing.T) {
	cli, err := NewClient(&ClientOptions{NumEventLoops: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	steps := []struct {
		timeout time.Duration
		want    time.Duration
	}{
		{0, 50 * time.Millisecond},
		{time.Second, 50 * time.Millisecond},
		{200 * time.Millisecond, 25 * time.Millisecond},
		{time.Second, 25 * time.Millisecond}, // never lengthens
		{20 * time.Millisecond, 2500 * time.Microsecond},
		{4 * time.Millisecond, time.Millisecond},
	}
	for _, s := range steps {
		cli.noteTimeout(s.timeout)
		if got := cli.sweepPeriod(); got != s.want {
			t.Fatalf("after a %v timeout: period %v; want %v", s.timeout, got, s.want)
		}
	}
}

// TestClientShortHeadTimeout checks that a head timeout shorter than the
// timer resolution fires near its length, neither early nor a resolution late.
func TestClientShortHeadTimeout(t *testing.T) {
	addr := silentServer(t)
	cli, err := NewClient(&ClientOptions{NumEventLoops: 1, TimerResolution: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	const timeout = 40 * time.Millisecond
	cc := dialTest(t, cli, addr, &DialOptions{HeadTimeout: timeout})
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	start := time.Now()
	err = cc.Do(req, resp)
	d := time.Since(start)
	if !errors.Is(err, ErrClientHeadTimeout) {
		t.Fatalf("Do = %v; want ErrClientHeadTimeout", err)
	}
	// With checks every TimerResolution it would take up to 540 ms.
	if d < timeout || d > timeout+200*time.Millisecond {
		t.Fatalf("a %v head timeout fired after %v", timeout, d)
	}
}

// silentServer listens on loopback and reads every connection without ever
// answering; it stops with the test.
func silentServer(t *testing.T) string {
	return acceptEach(t, func(c net.Conn) {
		io.Copy(io.Discard, c)
		c.Close()
	})
}

// acceptEach listens on loopback and serves each connection with serve
// on a goroutine of its own; it stops with the test.
func acceptEach(t *testing.T, serve func(net.Conn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return ln.Addr().String()
}

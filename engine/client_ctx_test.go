package engine

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/parse"
)

// stallServer answers every request with a head and the first bytes of a
// 1000-byte body, then stalls: the body never completes.
func stallServer(t *testing.T) string {
	return scriptServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
}

func TestClientDoContextCancel(t *testing.T) {
	cases := []struct {
		name string
		addr func(t *testing.T) string
	}{
		{"no head", silentServer},
		{"stalled body", stallServer},
	}
	cli := newTestClient(t)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			cc := dialTest(t, cli, tt.addr(t), nil)
			req, resp := AcquireClientRequest(), AcquireClientResponse()
			defer ReleaseClientRequest(req)
			defer ReleaseClientResponse(resp)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			start := time.Now()
			err := cc.DoContext(ctx, req, resp)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("DoContext = %v; want context.Canceled", err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("DoContext returned after %v; want soon after the cancel", d)
			}
			waitClosed(t, cc) // a cancelled request's connection is closed
		})
	}
}

func TestClientDoDeadline(t *testing.T) {
	cli := newTestClient(t)
	for _, addr := range []string{silentServer(t), stallServer(t)} {
		cc := dialTest(t, cli, addr, nil)
		req, resp := AcquireClientRequest(), AcquireClientResponse()
		start := time.Now()
		err := cc.DoDeadline(req, resp, time.Now().Add(50*time.Millisecond))
		if err != ErrRequestDeadline || !errors.Is(err, os.ErrDeadlineExceeded) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("DoDeadline = %v; want ErrRequestDeadline", err)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("DoDeadline error %v is not a timeout net.Error", err)
		}
		if d := time.Since(start); d < 40*time.Millisecond || d > 3*time.Second {
			t.Fatalf("DoDeadline returned after %v", d)
		}
		waitClosed(t, cc)
		ReleaseClientRequest(req)
		ReleaseClientResponse(resp)
	}
	// A context deadline works the same way.
	cc := dialTest(t, cli, stallServer(t), nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	defer ReleaseClientRequest(req)
	defer ReleaseClientResponse(resp)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := cc.DoContext(ctx, req, resp); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("DoContext = %v; want context.DeadlineExceeded", err)
	}
}

// A deadline that is not reached changes nothing: the connection stays open
// for the next request.
func TestClientDoContextSuccess(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok " + r.URL.Path))
	})
	cli := newTestClient(t)
	cc := dialTest(t, cli, srv.Listener.Addr().String(), nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	defer ReleaseClientRequest(req)
	defer ReleaseClientResponse(resp)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := 0; i < 20; i++ {
		req.SetPath("/" + strconv.Itoa(i))
		var err error
		if i%2 == 0 {
			err = cc.DoContext(ctx, req, resp)
		} else {
			err = cc.DoDeadline(req, resp, time.Now().Add(time.Minute))
		}
		if err != nil || string(resp.Body()) != "ok /"+strconv.Itoa(i) {
			t.Fatalf("request %d: %v %q", i, err, resp.Body())
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("server saw %d connections; want 1", n)
	}
	cancel()
	if err := cc.DoContext(ctx, req, resp); !errors.Is(err, context.Canceled) {
		t.Fatalf("DoContext with a cancelled context = %v", err)
	}
}

// A request whose body cannot be written (the server reads nothing) is cut
// off by its deadline, not by the 30 s write timeout.
func TestClientDoDeadlineWhileWriting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	defer ln.Close()
	go func() { // accepts and never reads
		if c, err := ln.Accept(); err == nil {
			<-stop
			c.Close()
		}
	}()
	cli := newTestClient(t)
	cc := dialTest(t, cli, ln.Addr().String(), nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	defer ReleaseClientRequest(req)
	defer ReleaseClientResponse(resp)
	req.SetMethod("POST")
	req.SetBody(make([]byte, 64<<20))
	start := time.Now()
	err = cc.DoDeadline(req, resp, time.Now().Add(200*time.Millisecond))
	if err != ErrRequestDeadline {
		t.Fatalf("DoDeadline = %v; want ErrRequestDeadline", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("DoDeadline returned after %v", d)
	}
}

// Parse errors keep their code and say that the response was malformed.
func TestClientMalformedResponseError(t *testing.T) {
	cli := newTestClient(t)
	cases := []struct {
		resp string
		code parse.Code
	}{
		{"HTTP/1.1 2000 OK\r\n\r\n", parse.ErrInvalidStatus},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", parse.ErrInvalidChunkSize},
		{"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", parse.ErrDuplicateContentLength},
	}
	for _, tt := range cases {
		cc := dialTest(t, cli, scriptServer(t, tt.resp), nil)
		req, resp := AcquireClientRequest(), AcquireClientResponse()
		err := cc.Do(req, resp)
		var me *MalformedResponseError
		var code parse.Code
		if !errors.As(err, &me) || !errors.As(err, &code) || code != tt.code {
			t.Fatalf("Do(%q) = %v; want a MalformedResponseError with %v", tt.resp, err, tt.code)
		}
		var ce *ClientConnError
		if errors.As(err, &ce) {
			t.Fatalf("Do(%q) = %v; a malformed response is not a connection failure", tt.resp, err)
		}
		if !strings.Contains(err.Error(), "malformed response") {
			t.Fatalf("error %q does not say the response was malformed", err)
		}
		ReleaseClientRequest(req)
		ReleaseClientResponse(resp)
	}
}

func TestClientBodyTooLargeError(t *testing.T) {
	cli := newTestClient(t)
	cc := dialTest(t, cli, scriptServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"), nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	defer ReleaseClientRequest(req)
	defer ReleaseClientResponse(resp)
	resp.SetMaxBodyBytes(4)
	if err := cc.Do(req, resp); err != ErrClientBodyTooLarge {
		t.Fatalf("Do = %v; want ErrClientBodyTooLarge", err)
	}
}

// Blocking calls on an event loop fail at once instead of stalling it.
func TestBlockingCallOnEventLoop(t *testing.T) {
	if !haveCurg {
		t.Skip("event loops are not detected on this platform")
	}
	cli := newTestClient(t)
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			// Late enough that the response reaches the client loop after
			// Send has returned: a response complete before that is
			// delivered on Send's caller, which is no loop.
			time.Sleep(100 * time.Millisecond)
		}
		w.Write([]byte("down"))
	})
	downstream := dialTest(t, cli, srv.Listener.Addr().String(), nil)
	// One exchange before startServer counts goroutines, so that the
	// downstream's connection goroutine is among those counted.
	warm, warmResp := AcquireClientRequest(), AcquireClientResponse()
	if err := downstream.Do(warm, warmResp); err != nil {
		t.Fatal(err)
	}
	ReleaseClientRequest(warm)
	ReleaseClientResponse(warmResp)
	errs := make(chan error, 4)
	_, addr := startServer(t, func(w *Response, r *Request) {
		req, resp := AcquireClientRequest(), AcquireClientResponse()
		defer ReleaseClientRequest(req)
		defer ReleaseClientResponse(resp)
		errs <- downstream.Do(req, resp)
		errs <- downstream.DoContext(context.Background(), req, resp)
		errs <- downstream.DoDeadline(req, resp, time.Now().Add(time.Second))
		_, err := cli.Dial(context.Background(), &DialOptions{Addr: srv.Listener.Addr().String()})
		errs <- err
		w.WriteString("up")
	}, nil)
	res, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for i := 0; i < 4; i++ {
		if err := <-errs; err != ErrOnEventLoop {
			t.Fatalf("blocking call %d on the loop = %v; want ErrOnEventLoop", i, err)
		}
	}
	// The same calls off the loop work, and a client loop is a loop too.
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	defer ReleaseClientRequest(req)
	defer ReleaseClientResponse(resp)
	if err := downstream.Do(req, resp); err != nil || string(resp.Body()) != "down" {
		t.Fatalf("Do off the loop = %v %q", err, resp.Body())
	}
	inner := make(chan error, 1)
	h := handlerFunc(func(cc *ClientConn, _ *ClientRequest, _ *ClientResponse, _ error) {
		r2, p2 := AcquireClientRequest(), AcquireClientResponse()
		inner <- cc.Do(r2, p2)
	})
	req2, resp2 := AcquireClientRequest(), AcquireClientResponse()
	req2.SetPath("/slow")
	if err := downstream.Send(req2, resp2, h); err != nil {
		t.Fatal(err)
	}
	if err := <-inner; err != ErrOnEventLoop {
		t.Fatalf("Do in a ResponseHandler = %v; want ErrOnEventLoop", err)
	}
}

type handlerFunc func(cc *ClientConn, req *ClientRequest, resp *ClientResponse, err error)

func (f handlerFunc) HandleResponse(cc *ClientConn, req *ClientRequest, resp *ClientResponse, err error) {
	f(cc, req, resp, err)
}

// A stale record of an exited loop goroutine must not flag the goroutine
// that takes its g over.
func TestOnEventLoopStaleEntry(t *testing.T) {
	if !haveCurg {
		t.Skip("event loops are not detected on this platform")
	}
	owner := new(int)
	done := make(chan uintptr)
	go func() {
		noteLoopGoroutine(owner)
		if !onEventLoop() {
			t.Error("onEventLoop = false on a recorded loop goroutine")
		}
		done <- curg()
	}()
	<-done
	// Goroutines started now may reuse the exited one's g.
	for i := 0; i < 100; i++ {
		ch := make(chan bool)
		go func() { ch <- onEventLoop() }()
		if <-ch {
			t.Fatal("onEventLoop = true on a goroutine that is not a loop")
		}
	}
	forgetLoopGoroutines(owner)
	if onEventLoop() {
		t.Fatal("onEventLoop = true on the test goroutine")
	}
}

func TestDialAddr(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(r.Host)) })
	addr := srv.Listener.Addr().String()
	cli := newTestClient(t)
	for _, a := range []string{addr, "http://" + addr + "/ignored"} {
		cc, err := cli.Dial(context.Background(), &DialOptions{Addr: a})
		if err != nil {
			t.Fatalf("Dial(%q): %v", a, err)
		}
		req, resp := AcquireClientRequest(), AcquireClientResponse()
		if err := cc.Do(req, resp); err != nil || string(resp.Body()) != addr {
			t.Fatalf("Dial(%q): Do = %v, Host %q; want %q", a, err, resp.Body(), addr)
		}
		cc.Close()
		ReleaseClientRequest(req)
		ReleaseClientResponse(resp)
	}
	for _, a := range []string{"nohost:", ":80", "http://", "ftp://x/", "[::1"} {
		if _, err := cli.Dial(context.Background(), &DialOptions{Addr: a}); err != ErrClientInvalidURL {
			t.Fatalf("Dial(%q) = %v; want ErrClientInvalidURL", a, err)
		}
	}
	var req ClientRequest
	if err := req.SetAddr("example.com:8080"); err != nil || string(req.Host()) != "example.com" || req.Port() != 8080 {
		t.Fatalf("SetAddr = %v, %q %d", err, req.Host(), req.Port())
	}
	if err := req.SetAddr("[::1]"); err != nil || string(req.Host()) != "::1" || req.Port() != 80 {
		t.Fatalf("SetAddr([::1]) = %v, %q %d", err, req.Host(), req.Port())
	}
}

// A body limit set on a pooled response does not follow it into the pool.
func TestReleaseClientResponseClearsLimit(t *testing.T) {
	r := AcquireClientResponse()
	r.SetMaxBodyBytes(4)
	ReleaseClientResponse(r)
	if r.maxBodyBytes != 0 {
		t.Fatalf("released response keeps maxBodyBytes = %d", r.maxBodyBytes)
	}
}

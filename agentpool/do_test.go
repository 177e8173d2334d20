package agentpool

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/internal/looptest"
	"github.com/zerohttp/zerohttp/parse"
)

// ctxServer answers /hello, holds /stall until its client leaves (then
// signals left), and sends /part's head and a piece of its body, then holds.
func ctxServer(t *testing.T, left chan<- string, hits *atomic.Int32) *server {
	return newServer(t, 0, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/hello":
			io.WriteString(w, "hello")
			return
		case "/part":
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, "part")
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done()
		left <- r.URL.Path
	})
}

func ctxGet(a *Agent, ctx context.Context, s *server, path string) error {
	_, _, err := a.Get(ctx, nil, "http://"+s.host+":"+strconv.Itoa(s.port)+path)
	return err
}

// TestGetKeepsAlive checks that the Go-facing agent keeps its connection:
// 100 sequential Gets open one.
func TestGetKeepsAlive(t *testing.T) {
	var hits atomic.Int32
	s := ctxServer(t, nil, &hits)
	a, err := NewKeepAliveAgent(&Options{Client: newClient(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Destroy()
	url := s.host + ":" + strconv.Itoa(s.port) + "/hello" // host:port form
	for i := 0; i < 100; i++ {
		status, body, err := a.Get(context.Background(), nil, url)
		if err != nil || status != 200 || string(body) != "hello" {
			t.Fatalf("Get = %d %q %v", status, body, err)
		}
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("100 sequential Gets opened %d connections; want 1", n)
	}
	status, body, err := Get(context.Background(), nil, s.URL+"/hello") // the default agent
	if err != nil || status != 200 || string(body) != "hello" {
		t.Fatalf("agentpool.Get = %d %q %v", status, body, err)
	}
}

// TestDoContextInFlight checks that a deadline passing while the head or
// the body is awaited closes that request's connection, and only it.
func TestDoContextInFlight(t *testing.T) {
	left := make(chan string, 2)
	var hits atomic.Int32
	s := ctxServer(t, left, &hits)
	a := newAgent(t, Options{KeepAlive: true})
	if err := ctxGet(a, context.Background(), s, "/hello"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/stall", "/part"} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		err := ctxGet(a, ctx, s, path)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: err = %v; want context.DeadlineExceeded", path, err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("%s: returned after %v", path, d)
		}
		select {
		case got := <-left:
			if got != path {
				t.Fatalf("server saw %s leave; want %s", got, path)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the connection stayed open", path)
		}
	}
	if err := ctxGet(a, context.Background(), s, "/hello"); err != nil {
		t.Fatal(err)
	}
}

// TestDoContextQueued checks that a request waiting for a socket gives up at
// its deadline and is never sent.
func TestDoContextQueued(t *testing.T) {
	left := make(chan string, 2)
	var hits atomic.Int32
	s := ctxServer(t, left, &hits)
	a := newAgent(t, Options{KeepAlive: true, MaxSockets: 1})
	holdCtx, release := context.WithCancel(context.Background())
	held := make(chan error, 1)
	go func() { held <- ctxGet(a, holdCtx, s, "/stall") }()
	waitFor(t, "the socket to be taken", func() bool { return hits.Load() == 1 })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := ctxGet(a, ctx, s, "/queued"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("queued: err = %v; want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("queued request returned after %v", d)
	}
	release()
	if err := <-held; !errors.Is(err, context.Canceled) {
		t.Fatalf("held: err = %v; want context.Canceled", err)
	}
	if err := ctxGet(a, context.Background(), s, "/hello"); err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 2 {
		t.Fatalf("server got %d requests; want 2 (the abandoned one never sent)", n)
	}
}

// TestDoContextOnEventLoop checks that every blocking call of the agent
// refuses to block a loop, at once: Get with a context and without,
// DoContext, Do, and the package's Get and Do.
func TestDoContextOnEventLoop(t *testing.T) {
	a := newAgent(t, Options{KeepAlive: true})
	const calls = 6
	got := make(chan error, calls)
	srv := engine.NewServer(func(w *engine.Response, r *engine.Request) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, _, err := a.Get(ctx, nil, "http://127.0.0.1:1/")
		got <- err
		_, _, err = a.Get(context.Background(), nil, "http://127.0.0.1:1/")
		got <- err
		req, resp := engine.AcquireClientRequest(), engine.AcquireClientResponse()
		defer engine.ReleaseClientRequest(req)
		defer engine.ReleaseClientResponse(resp)
		req.SetAddr("127.0.0.1:1")
		got <- a.DoContext(ctx, req, resp)
		got <- a.Do(req, resp)
		_, _, err = Get(ctx, nil, "http://127.0.0.1:1/")
		got <- err
		got <- Do(ctx, req, resp)
	}, &engine.Options{NumLoops: 1})
	if err := srv.Start("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := http.Get("http://" + srv.Addr().String() + "/")
	if err == nil {
		resp.Body.Close()
	}
	for i := 0; i < calls; i++ {
		if err := <-got; err != engine.ErrOnEventLoop {
			t.Fatalf("blocking call %d on a loop: %v; want ErrOnEventLoop", i, err)
		}
	}
}

// TestDoContextConnecting checks that a context bounds the connect too: a
// request to an address whose connects hang ends at its own deadline or
// cancel, and a second request connecting to the same origin at the same
// time is left to its own, later, deadline.
func TestDoContextConnecting(t *testing.T) {
	url := "http://" + looptest.Unanswered(t) + "/"
	a := newAgent(t, Options{KeepAlive: true})
	longer := make(chan error, 1)
	longStart := time.Now()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
		defer cancel()
		_, _, err := a.Get(ctx, nil, url)
		longer <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, _, err := a.Get(ctx, nil, url); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get = %v; want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Get returned after %v; want soon after its 100 ms deadline", d)
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, _, err := a.Get(ctx, nil, url); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Get = %v; want context.Canceled", err)
	}
	select {
	case err := <-longer:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("the other Get = %v; want context.DeadlineExceeded", err)
		}
		if d := time.Since(longStart); d < 550*time.Millisecond {
			t.Fatalf("the other Get ended after %v, before its own 600 ms deadline", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the other Get did not end at its deadline")
	}
}

// TestGetMalformedResponse checks that a response that does not parse
// reaches Get's caller as the engine's MalformedResponseError with its
// parse.Code, not as a connection failure, and is not sent again as a
// broken connection's idempotent request would be.
func TestGetMalformedResponse(t *testing.T) {
	var hits atomic.Int32
	s := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		c, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 2x0 OK\r\n\r\n")
		c.Close()
	})
	a := newAgent(t, Options{KeepAlive: true})
	_, _, err := a.Get(context.Background(), nil, s.URL+"/")
	var me *engine.MalformedResponseError
	var code parse.Code
	if !errors.As(err, &me) || !errors.As(err, &code) || code != parse.ErrInvalidStatus {
		t.Fatalf("Get = %v; want a MalformedResponseError with parse.ErrInvalidStatus", err)
	}
	var ce *engine.ClientConnError
	if errors.As(err, &ce) || !strings.Contains(err.Error(), "malformed response") {
		t.Fatalf("Get = %v; want it to read as a malformed response, not a connection failure", err)
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("server got %d requests; want 1 (a malformed response is not retried)", n)
	}
}

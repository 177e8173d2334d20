package nethttp

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

// both runs f against net/http and against the bridge serving h, so that a
// behaviour is checked on the oracle too.
func both(t *testing.T, h http.Handler, f func(t *testing.T, addr string)) {
	t.Run("net/http", func(t *testing.T) {
		s := httptest.NewServer(h)
		defer s.Close()
		f(t, s.Listener.Addr().String())
	})
	t.Run("bridge", func(t *testing.T) {
		f(t, startBridge(t, h, nil))
	})
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// TestContextCancelledWhenClientGoes checks that a handler waiting on its
// request's context learns that the client closed the connection.
func TestContextCancelledWhenClientGoes(t *testing.T) {
	started := make(chan struct{}, 1)
	cancelled := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		select {
		case <-r.Context().Done():
			cancelled <- r.Context().Err()
		case <-time.After(5 * time.Second):
			cancelled <- nil
		}
	})
	both(t, h, func(t *testing.T, addr string) {
		c := dial(t, addr)
		io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
		<-started
		c.Close()
		if err := <-cancelled; err != context.Canceled {
			t.Fatalf("context error after the client left = %v; want context.Canceled", err)
		}
	})
}

// TestContextCancelledAfterServeHTTP checks that the request's context ends
// when ServeHTTP returns, as net/http's does.
func TestContextCancelledAfterServeHTTP(t *testing.T) {
	ctxs := make(chan context.Context, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctxs <- r.Context()
		io.WriteString(w, "ok")
	})
	both(t, h, func(t *testing.T, addr string) {
		c := dial(t, addr)
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
			t.Fatal(err)
		}
		ctx := <-ctxs
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("context still live after ServeHTTP returned")
		}
	})
}

// TestFlushReachesClient checks that a flushed part arrives while the
// handler still runs: the handler waits for the client to have read it.
func TestFlushReachesClient(t *testing.T) {
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "part one;")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
		io.WriteString(w, "part two")
	})
	both(t, h, func(t *testing.T, addr string) {
		c := dial(t, addr)
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, len("part one;"))
		start := time.Now()
		if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "part one;" {
			t.Fatalf("first part = %q, %v", buf, err)
		}
		if time.Since(start) > 4*time.Second {
			t.Fatal("the flushed part came only when the handler finished")
		}
		release <- struct{}{}
		rest, err := io.ReadAll(resp.Body)
		if err != nil || string(rest) != "part two" {
			t.Fatalf("rest = %q, %v", rest, err)
		}
	})
}

// TestBlockingHandlerLeavesLoopFree checks that a handler that blocks does
// not hold up other requests served by the same event loop.
func TestBlockingHandlerLeavesLoopFree(t *testing.T) {
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			<-release
		}
		io.WriteString(w, r.URL.Path)
	})
	addr := startBridge(t, h, &engine.Options{NumLoops: 1})
	blocked := dial(t, addr)
	io.WriteString(blocked, "GET /block HTTP/1.1\r\nHost: a\r\n\r\n")
	for i := 0; i < 3; i++ {
		c := dial(t, addr)
		io.WriteString(c, "GET /free HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("request %d behind a blocked handler: %v", i, err)
		}
		resp.Body.Close()
	}
	close(release)
	resp, err := http.ReadResponse(bufio.NewReader(blocked), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("blocked request: %v %v", resp, err)
	}
}

// TestRequestBodyBackPressure checks that a handler that does not read its
// body stops the upload once the bridge's and the engine's buffers are
// full, and that reading it then gets every byte.
func TestRequestBodyBackPressure(t *testing.T) {
	const size = 64 << 20
	release := make(chan struct{})
	got := make(chan int64, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		n, _ := io.Copy(io.Discard, r.Body)
		got <- n
	})
	addr := startBridge(t, h, &engine.Options{NumLoops: 1, MaxBodyBytes: -1})
	c := dial(t, addr)
	c.SetDeadline(time.Now().Add(60 * time.Second))
	var sent atomic.Int64
	go func() {
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 67108864\r\n\r\n")
		chunk := make([]byte, 64<<10)
		for sent.Load() < size {
			n, err := c.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	// Wait until the upload stalls: no progress for 200 ms.
	last := int64(-1)
	for sent.Load() != last {
		last = sent.Load()
		time.Sleep(200 * time.Millisecond)
	}
	if last >= size/2 {
		t.Fatalf("client sent %d of %d bytes to a handler that reads nothing; want it stalled", last, size)
	}
	close(release)
	if n := <-got; n != size {
		t.Fatalf("handler read %d bytes; want %d", n, size)
	}
}

// TestSlowReaderBoundsResponse checks that a handler writing a large body
// to a client that does not read waits, instead of the bridge holding the
// whole body.
func TestSlowReaderBoundsResponse(t *testing.T) {
	var written atomic.Int64
	done := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		chunk := []byte(strings.Repeat("x", 32<<10))
		for i := 0; i < 2048; i++ { // 64 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
			written.Add(int64(len(chunk)))
		}
	})
	addr := startBridge(t, h, &engine.Options{NumLoops: 1})
	c := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	last := int64(-1)
	for written.Load() != last {
		last = written.Load()
		time.Sleep(200 * time.Millisecond)
	}
	if last >= 32<<20 {
		t.Fatalf("handler wrote %d bytes to a client that reads nothing; want it held back", last)
	}
	c.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the writing handler was not released when the client left")
	}
}

// TestCloseCancelsContexts checks that closing the server cancels the
// contexts of the requests in flight.
func TestCloseCancelsContexts(t *testing.T) {
	started := make(chan struct{})
	cancelled := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		close(cancelled)
	})
	s := NewServer(h, &engine.Options{NumLoops: 1})
	if err := s.Start("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s.Addr().String())
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	<-started
	s.Close()
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("context not cancelled by Close")
	}
}

package engine

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/parse"
)

// startServer starts a server on a free loopback port and shuts it down at
// the end of the test, checking that no goroutine outlives it.
func startServer(t testing.TB, h Handler, o *Options) (*Server, string) {
	t.Helper()
	before := runtime.NumGoroutine()
	if o == nil {
		o = &Options{}
	}
	if o.NumLoops == 0 {
		o.NumLoops = 2
	}
	s := NewServer(h, o)
	if err := s.Start("tcp://127.0.0.1:0"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		checkGoroutines(t, before)
	})
	return s, s.Addr().String()
}

// checkGoroutines waits briefly for the goroutine count to fall back to before.
func checkGoroutines(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutines = %d, want <= %d:\n%s", n, before, buf)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dialServer opens a raw connection with a deadline bounding the test.
func dialServer(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

func helloHandler(w *Response, r *Request) {
	w.Header().AddString("Content-Type", "text/plain")
	w.WriteString("Hello, World!")
}

func parseConfig(head, count, target int) parse.Config {
	return parse.Config{MaxHeadBytes: head, MaxHeaders: count, MaxTargetLen: target}
}

func countGoroutines() int { return runtime.NumGoroutine() }

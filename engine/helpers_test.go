package engine

import (
	"bytes"
	"context"
	"io"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
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

// upload is a POST of a large body written by a goroutine, for the
// back-pressure tests: written counts the bytes the socket took.
type upload struct {
	written atomic.Int64
	done    chan error // the writer's result
}

// startUpload sends a head announcing size bytes on c and then writes the body.
func startUpload(c net.Conn, size int) *upload {
	u := &upload{done: make(chan error, 1)}
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "+strconv.Itoa(size)+"\r\n\r\n")
	go func() {
		buf := make([]byte, 64<<10)
		for u.written.Load() < int64(size) {
			n, err := c.Write(buf[:min(len(buf), size-int(u.written.Load()))])
			u.written.Add(int64(n))
			if err != nil {
				u.done <- err
				return
			}
		}
		u.done <- nil
	}()
	return u
}

// requireStalled checks that the writer stops while the server's reader
// reads nothing: after a second it has written less than 64 MiB, and it
// adds less than 1 MiB in the next 200 ms. It returns where it stalled.
func (u *upload) requireStalled(t *testing.T) int64 {
	t.Helper()
	time.Sleep(time.Second)
	stalled := u.written.Load()
	if stalled >= 64<<20 {
		t.Fatalf("client wrote %d bytes while the reader read nothing", stalled)
	}
	time.Sleep(200 * time.Millisecond)
	if w := u.written.Load(); w-stalled > 1<<20 {
		t.Fatalf("client kept writing while the reader read nothing: %d then %d bytes", stalled, w)
	}
	return stalled
}

// lockedBuffer is a bytes.Buffer written by one goroutine and read by another.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

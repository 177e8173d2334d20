package engine

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestShutdownUnderLoad runs keep-alive clients against handlers that block,
// calls Shutdown while requests are in flight, and requires every request
// started before Shutdown to succeed.
func TestShutdownUnderLoad(t *testing.T) {
	for _, workers := range []int{0, 4} {
		name := "inline"
		if workers > 0 {
			name = "workers"
		}
		t.Run(name, func(t *testing.T) {
			h := helloHandler
			if workers > 0 {
				h = func(w *Response, r *Request) {
					time.Sleep(5 * time.Millisecond)
					helloHandler(w, r)
				}
			}
			before := countGoroutines()
			s := NewServer(h, &Options{NumLoops: 2, Workers: workers})
			if err := s.Start("tcp://127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			url := "http://" + s.Addr().String() + "/"
			tr := &http.Transport{MaxIdleConnsPerHost: 16}
			cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			var stopping atomic.Bool
			var ok, failed atomic.Int64
			var wg sync.WaitGroup
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for !stopping.Load() {
						resp, err := cl.Get(url)
						if err == nil {
							b, _ := io.ReadAll(resp.Body)
							resp.Body.Close()
							if string(b) == "Hello, World!" {
								ok.Add(1)
								continue
							}
						}
						if !stopping.Load() {
							failed.Add(1)
							t.Errorf("request failed before shutdown: %v", err)
						}
					}
				}()
			}
			time.Sleep(300 * time.Millisecond)
			stopping.Store(true)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.Shutdown(ctx); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			wg.Wait()
			tr.CloseIdleConnections()
			if ok.Load() == 0 || failed.Load() != 0 {
				t.Fatalf("ok %d, failed %d", ok.Load(), failed.Load())
			}
			checkGoroutines(t, before)
		})
	}
}

// TestShutdownFinishesInFlight holds a request in a worker while Shutdown
// runs: the request is answered, with Connection: close, before Shutdown returns.
func TestShutdownFinishesInFlight(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	s := NewServer(func(w *Response, r *Request) {
		close(entered)
		<-release
		w.WriteString("late")
	}, &Options{NumLoops: 1, Workers: 1})
	if err := s.Start("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	c := dialServer(t, s.Addr().String())
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-entered
	idle := dialServer(t, s.Addr().String()) // an idle connection is closed at once
	done := make(chan error)
	go func() { done <- s.Shutdown(context.Background()) }()
	idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); err == nil || n != 0 {
		t.Fatalf("idle connection: read %d, %v; want EOF", n, err)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v before the in-flight request finished", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	b, _ := io.ReadAll(bufio.NewReader(c))
	if got := string(b); !strings.HasSuffix(got, "late") || !strings.Contains(got, "Connection: close\r\n") {
		t.Fatalf("in-flight response %q", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// TestShutdownStopsAccepting holds a request open across Shutdown and
// checks that, meanwhile, new connections are refused rather than accepted,
// on every kind of listener: one acceptor for all loops, one listening
// socket per loop (SO_REUSEPORT), and a unix socket. The held request is
// still answered and Shutdown returns nil: closing the listeners must not
// stop the event loops.
func TestShutdownStopsAccepting(t *testing.T) {
	requireLinux(t, "closing listeners in Shutdown")
	for _, tc := range []struct {
		name, network string
		opts          Options
	}{
		{"acceptor", "tcp", Options{NumLoops: 2}},
		{"reuseport", "tcp", Options{NumLoops: 2, ReusePort: true}},
		{"unix", "unix", Options{NumLoops: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			held := make(chan *Deferred, 1)
			s := NewServer(func(w *Response, r *Request) {
				held <- w.Detach()
			}, &tc.opts)
			addr := "tcp://127.0.0.1:0"
			if tc.network == "unix" {
				addr = "unix://" + filepath.Join(t.TempDir(), "s.sock")
			}
			if err := s.Start(addr); err != nil {
				t.Fatal(err)
			}
			dial := func() (net.Conn, error) { return net.DialTimeout(tc.network, s.Addr().String(), 2*time.Second) }
			c, err := dial()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			d := <-held

			done := make(chan error, 1)
			go func() { done <- s.Shutdown(context.Background()) }()
			// Shutdown closes the listeners first thing; then every dial
			// fails: refused, or reset when it raced a listener's close,
			// or, for a unix socket, not found: its file is removed.
			refused := func(err error) bool {
				return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
					(tc.network == "unix" && errors.Is(err, syscall.ENOENT))
			}
			deadline := time.Now().Add(2 * time.Second)
			for {
				nc, err := dial()
				if err != nil {
					if !refused(err) {
						t.Fatalf("dial during shutdown: %v; want ECONNREFUSED", err)
					}
					break
				}
				nc.Close()
				if time.Now().After(deadline) {
					t.Fatal("connections are still accepted 2 s into Shutdown")
				}
				time.Sleep(5 * time.Millisecond)
			}
			for i := 0; i < 20; i++ { // every loop's listener, not just one
				if nc, err := dial(); err == nil || !refused(err) {
					if nc != nil {
						nc.Close()
					}
					t.Fatalf("dial %d during shutdown: %v; want ECONNREFUSED", i, err)
				}
			}
			select {
			case err := <-done:
				t.Fatalf("Shutdown returned %v with a request in flight", err)
			default:
			}
			d.Do(func(w *Response) { w.WriteString("late"); w.End() })
			b, _ := io.ReadAll(bufio.NewReader(c))
			if got := string(b); !strings.HasSuffix(got, "late") || !strings.Contains(got, "Connection: close\r\n") {
				t.Fatalf("in-flight response %q", got)
			}
			if err := <-done; err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
		})
	}
}

// TestShutdownIsQuick requires Shutdown of a server with an idle keep-alive
// connection, and Close of an idle server, to take well under the half
// second gnet's Engine.Stop spends polling for its loops' exit. The best of
// three runs counts, so that a busy machine does not fail it.
func TestShutdownIsQuick(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(*Server) error
	}{
		{"shutdown", func(s *Server) error { return s.Shutdown(context.Background()) }},
		{"close", (*Server).Close},
	} {
		t.Run(tc.name, func(t *testing.T) {
			best := time.Hour
			for i := 0; i < 3; i++ {
				s := NewServer(helloHandler, &Options{NumLoops: 2})
				if err := s.Start("tcp://127.0.0.1:0"); err != nil {
					t.Fatal(err)
				}
				c := dialServer(t, s.Addr().String())
				io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
				if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != 200 {
					t.Fatalf("request: %v, %v", resp, err)
				}
				start := time.Now()
				if err := tc.stop(s); err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				best = min(best, time.Since(start))
			}
			if best > 250*time.Millisecond {
				t.Fatalf("%s took %v at best; want < 250ms", tc.name, best)
			}
		})
	}
}

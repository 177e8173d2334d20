package engine

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBufferedInputBound: 96 connections each post a 256 KiB body, which
// arrives in several reads and is gathered, to a handler that holds its
// request (Detach) until all have arrived or been refused. The bodies held
// stay under Options.MaxBufferedInput (2 MiB): the heap grows by less than
// 8 MiB where the 96 bodies take 24 MiB, the requests past the bound get 503
// with Connection: close, those held are answered with their whole body
// once released, a request after the flood is served, and the count goes
// back to 0.
func TestBufferedInputBound(t *testing.T) {
	const (
		bound = 2 << 20
		conns = 96
		size  = 256 << 10
	)
	var (
		mu   sync.Mutex
		held []*Deferred
		lens []int
	)
	h := func(w *Response, r *Request) {
		if string(r.Path()) != "/hold" {
			w.WriteString(strconv.Itoa(len(r.Body())))
			return
		}
		n := len(r.Body())
		d := w.Detach()
		mu.Lock()
		held, lens = append(held, d), append(lens, n)
		mu.Unlock()
	}
	s, addr := startServer(t, h, &Options{MaxBufferedInput: bound})
	arrived := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(held)
	}

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc

	body := strings.Repeat("b", size)
	type result struct {
		status int
		body   string
		close  bool
	}
	results := make(chan result, conns)
	for i := 0; i < conns; i++ {
		c := dialServer(t, addr)
		c.SetDeadline(time.Now().Add(60 * time.Second))
		go io.WriteString(c, "POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: "+strconv.Itoa(size)+"\r\n\r\n"+body) // a refused one is not read on: the write may fail
		go func() {
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				results <- result{status: -1, body: err.Error()}
				return
			}
			b, _ := io.ReadAll(resp.Body)
			results <- result{resp.StatusCode, string(b), resp.Close}
		}()
	}

	// Every request either reached the handler or was refused.
	var got []result
	deadline := time.Now().Add(40 * time.Second)
	for arrived()+len(got) < conns {
		select {
		case r := <-results:
			if r.status != 503 || !r.close {
				t.Fatalf("before any release: status %d (close %v) %q; want 503 with Connection: close", r.status, r.close, r.body)
			}
			got = append(got, r)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 40 s: %d requests reached the handler, %d refused, of %d; held %d bytes (bound %d)",
				arrived(), len(got), conns, s.BufferedInput(), bound)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	grew := int64(ms.HeapAlloc) - int64(base)
	t.Logf("%d held, %d refused; server counts %d bytes; heap grew %.1f MiB", arrived(), len(got), s.BufferedInput(), float64(grew)/(1<<20))
	if n := s.BufferedInput(); n > bound {
		t.Errorf("BufferedInput = %d; want <= %d", n, bound)
	}
	if grew > bound+6<<20 {
		t.Errorf("heap grew %.1f MiB with %d bodies held; want < %.1f MiB", float64(grew)/(1<<20), arrived(), float64(bound+6<<20)/(1<<20))
	}
	if len(got) == 0 || arrived() == 0 {
		t.Errorf("%d refused and %d held; want some of each", len(got), arrived())
	}
	if n := s.InputRefusals(); n != uint64(len(got)) {
		t.Errorf("InputRefusals = %d; want %d", n, len(got))
	}

	// The held requests are answered once released, each with its whole body.
	mu.Lock()
	for i, d := range held {
		n := lens[i]
		d.Do(func(w *Response) { w.WriteString(strconv.Itoa(n)); w.End() })
	}
	mu.Unlock()
	for len(got) < conns {
		r := <-results
		if r.status != 200 || r.body != strconv.Itoa(size) {
			t.Fatalf("released: status %d body %q; want 200 %d", r.status, r.body, size)
		}
		got = append(got, r)
	}

	// A request after the flood is served, and nothing stays counted.
	if st, b := sendBody(t, addr, body, false); st != 200 || b != strconv.Itoa(size) {
		t.Errorf("after the flood: %d %q; want 200 %d", st, b, size)
	}
	waitHeldZero(t, s)
}

// waitHeldZero waits until the server counts no buffered body.
func waitHeldZero(t *testing.T, s *Server) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.BufferedInput() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("BufferedInput = %d after every request ended; want 0", s.BufferedInput())
		}
	}
}

// TestBufferedInputResetMidBody: connections that send part of a large
// body and reset, as in the soak, are refused past the bound while the
// bodies held stay within it, and leave nothing counted once closed.
func TestBufferedInputResetMidBody(t *testing.T) {
	const bound = 1 << 20
	s, addr := startServer(t, helloHandler, &Options{MaxBufferedInput: bound})
	part := strings.Repeat("p", 192<<10)
	var cs []net.Conn
	for i := 0; i < 32; i++ {
		c := dialServer(t, addr)
		cs = append(cs, c)
		go io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n"+part)
	}
	// 32 x 192 KiB cannot fit in 1 MiB: some are refused.
	for deadline := time.Now().Add(30 * time.Second); s.InputRefusals() == 0; time.Sleep(10 * time.Millisecond) {
		if n := s.BufferedInput(); n > bound {
			t.Fatalf("BufferedInput = %d; want <= %d", n, bound)
		}
		if time.Now().After(deadline) {
			t.Fatalf("32 partial bodies of 192 KiB under a 1 MiB bound: no refusal after 30 s (held %d)", s.BufferedInput())
		}
	}
	if n := s.BufferedInput(); n > bound {
		t.Fatalf("BufferedInput = %d; want <= %d", n, bound)
	}
	for _, c := range cs {
		c.(*net.TCPConn).SetLinger(0) // a reset, as the soak's clients
		c.Close()
	}
	waitHeldZero(t, s)
}

// TestBufferedInputPartialHeads: 40 connections each send 12 KiB of a head
// and wait. Under a 256 KiB bound at most 21 such heads are held: the others
// get 503 with Connection: close, the count stays within the bound, the
// heads held are answered once they complete, and nothing stays counted.
func TestBufferedInputPartialHeads(t *testing.T) {
	const (
		bound = 256 << 10
		conns = 40
	)
	s, addr := startServer(t, helloHandler, &Options{MaxBufferedInput: bound})
	part := "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + strings.Repeat("h", 12<<10)
	type result struct {
		i      int
		status int
		close  bool
	}
	results := make(chan result, conns)
	cs := make([]net.Conn, conns)
	for i := range cs {
		c := dialServer(t, addr)
		cs[i] = c
		if _, err := io.WriteString(c, part); err != nil {
			t.Fatal(err)
		}
		go func() {
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				results <- result{i, -1, true}
				return
			}
			io.Copy(io.Discard, resp.Body)
			results <- result{i, resp.StatusCode, resp.Close}
		}()
	}
	refused := map[int]bool{}
	for deadline := time.Now().Add(30 * time.Second); len(refused) < conns-bound/(12<<10); {
		select {
		case r := <-results:
			if r.status != 503 || !r.close {
				t.Fatalf("a partial head got %d (close %v); want 503 with Connection: close", r.status, r.close)
			}
			refused[r.i] = true
		case <-time.After(10 * time.Millisecond):
		}
		if n := s.BufferedInput(); n > bound {
			t.Fatalf("BufferedInput = %d; want <= %d", n, bound)
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: %d of %d partial heads of 12 KiB refused under a %d-byte bound (held %d)", len(refused), conns, bound, s.BufferedInput())
		}
	}
	// The others complete their heads and are answered (or, refused
	// meanwhile, get their 503).
	for i, c := range cs {
		if !refused[i] {
			io.WriteString(c, "\r\n\r\n")
		}
	}
	for len(refused) < conns {
		r := <-results
		if refused[r.i] {
			continue
		}
		if r.status != 200 && r.status != 503 {
			t.Fatalf("a completed head got %d; want 200 (or 503)", r.status)
		}
		refused[r.i] = true
	}
	for _, c := range cs {
		c.Close()
	}
	waitHeldZero(t, s)
}

//go:build !race

package engine

import (
	"bytes"
	"io"
	"runtime"
	"testing"
)

// TestServerAllocs proves that a keep-alive hello-world request costs the
// server no allocation in steady state. The client is a raw socket that
// writes a fixed request and reads into a fixed buffer, so that the process's
// allocation count over N requests is the server's (plus background noise
// from gnet's ticker, well under one per request).
func TestServerAllocs(t *testing.T) {
	_, addr := startServer(t, helloHandler, &Options{NumLoops: 1, ServerName: "zerohttp"})
	c := dialServer(t, addr)
	req := []byte("GET /hello HTTP/1.1\r\nHost: localhost\r\nUser-Agent: alloc-test\r\nAccept: */*\r\n\r\n")
	buf := make([]byte, 4096)

	// Learn the response's length from the first one.
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	n := 0
	for !bytes.HasSuffix(buf[:n], []byte("Hello, World!")) {
		k, err := c.Read(buf[n:])
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	respLen := n
	roundTrip := func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:respLen]); err != nil {
			t.Fatal(err)
		}
	}
	got, total := serverMinAllocs(5, 1000, roundTrip)
	t.Logf("%d allocations in 1000 requests", total)
	if got != 0 {
		t.Fatalf("allocs = %v; want 0", got)
	}
}

// TestPipelinedAllocs is TestServerAllocs with 16 pipelined requests per write.
func TestPipelinedAllocs(t *testing.T) {
	_, addr := startServer(t, helloHandler, &Options{NumLoops: 1})
	c := dialServer(t, addr)
	one := "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
	const depth = 16
	req := bytes.Repeat([]byte(one), depth)
	buf := make([]byte, 64<<10)
	if _, err := c.Write([]byte(one)); err != nil {
		t.Fatal(err)
	}
	n := 0
	for !bytes.HasSuffix(buf[:n], []byte("Hello, World!")) {
		k, err := c.Read(buf[n:])
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	respLen := n * depth
	roundTrip := func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:respLen]); err != nil {
			t.Fatal(err)
		}
	}
	if got := serverMinAllocsPerRun(5, 200, roundTrip); got != 0 {
		t.Fatalf("allocs = %v; want 0", got)
	}
}

// serverMinAllocsPerRun runs f runs times in each of tries rounds and returns the
// fewest allocations per run seen in a round, rounded down as
// testing.AllocsPerRun does. The minimum filters out background allocation
// (GC, gnet's ticker) that is not part of the request path.
func serverMinAllocsPerRun(tries, runs int, f func()) uint64 {
	best, _ := serverMinAllocs(tries, runs, f)
	return best
}

// serverMinAllocs is serverMinAllocsPerRun, also returning the total of the best round.
func serverMinAllocs(tries, runs int, f func()) (per, total uint64) {
	f() // warm up
	best, bestTotal := ^uint64(0), uint64(0)
	var ms runtime.MemStats
	for i := 0; i < tries; i++ {
		runtime.ReadMemStats(&ms)
		before := ms.Mallocs
		for j := 0; j < runs; j++ {
			f()
		}
		runtime.ReadMemStats(&ms)
		if d := ms.Mallocs - before; d/uint64(runs) < best || (d/uint64(runs) == best && d < bestTotal) {
			best, bestTotal = d/uint64(runs), d
		}
	}
	return best, bestTotal
}

// TestServerAllocsBodies covers a POST with a buffered body, a chunked
// upload, and a streamed (chunked) response.
func TestServerAllocsBodies(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		switch string(r.Path()) {
		case "/stream":
			w.WriteString("Hello, ")
			w.Flush()
			w.WriteString("World!")
		default:
			w.Write(r.Body())
		}
	}, &Options{NumLoops: 1})
	tests := []struct{ name, req, end string }{
		{"post", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\n\r\nHello, World!", "Hello, World!"},
		{"chunked upload", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nHello, \r\n6\r\nWorld!\r\n0\r\n\r\n", "Hello, World!"},
		{"chunked response", "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n", "0\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialServer(t, addr)
			req := []byte(tt.req)
			buf := make([]byte, 4096)
			if _, err := c.Write(req); err != nil {
				t.Fatal(err)
			}
			n := 0
			for !bytes.HasSuffix(buf[:n], []byte(tt.end)) {
				k, err := c.Read(buf[n:])
				if err != nil {
					t.Fatal(err)
				}
				n += k
			}
			respLen := n
			got := serverMinAllocsPerRun(5, 500, func() {
				if _, err := c.Write(req); err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadFull(c, buf[:respLen]); err != nil {
					t.Fatal(err)
				}
			})
			if got != 0 {
				t.Fatalf("allocs = %v; want 0", got)
			}
		})
	}
}

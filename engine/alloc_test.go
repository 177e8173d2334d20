//go:build !race

package engine

import (
	"testing"

	"github.com/zerohttp/zerohttp/internal/looptest"
)

// TestServerAllocs proves that a keep-alive hello-world request costs the
// server no allocation in steady state. The client is a raw socket that
// writes a fixed request and reads into a fixed buffer, so that the process's
// allocation count over N requests is the server's (plus background noise
// from gnet's ticker, well under one per request).
func TestServerAllocs(t *testing.T) {
	_, addr := startServer(t, helloHandler, &Options{NumLoops: 1, ServerName: "zerohttp"})
	req := []byte("GET /hello HTTP/1.1\r\nHost: localhost\r\nUser-Agent: alloc-test\r\nAccept: */*\r\n\r\n")
	roundTrip := looptest.RoundTrip(t, dialServer(t, addr), req, 1, "Hello, World!")
	got, total := looptest.MinAllocs(5, 1000, roundTrip)
	t.Logf("%d allocations in 1000 requests", total)
	if got != 0 {
		t.Fatalf("allocs = %v; want 0", got)
	}
}

// TestPipelinedAllocs is TestServerAllocs with 16 pipelined requests per write.
func TestPipelinedAllocs(t *testing.T) {
	_, addr := startServer(t, helloHandler, &Options{NumLoops: 1})
	one := []byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
	roundTrip := looptest.RoundTrip(t, dialServer(t, addr), one, 16, "Hello, World!")
	if got, _ := looptest.MinAllocs(5, 200, roundTrip); got != 0 {
		t.Fatalf("allocs = %v; want 0", got)
	}
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
			roundTrip := looptest.RoundTrip(t, dialServer(t, addr), []byte(tt.req), 1, tt.end)
			got, _ := looptest.MinAllocs(5, 500, roundTrip)
			if got != 0 {
				t.Fatalf("allocs = %v; want 0", got)
			}
		})
	}
}

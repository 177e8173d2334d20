package main

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"github.com/zerohttp/zerohttp/engine"
)

// Besides hello-world, every implementation answers GET /bytes/N with N
// bytes of 'x' (N up to maxLarge), for the hostile clients' large-response
// attacks (cmd/hostile). The body is one shared buffer, built on the first
// such request, and each implementation sends it its own way without a
// copy where its API allows: net/http writes it through to the socket,
// fasthttp sets it raw, the engine lends it (WriteNoCopy), compat ends
// with it as Node code would (res.end(buf)). The buffer is never written
// into once built: a larger N builds a new one.
const (
	largePrefix = "/bytes/"
	maxLarge    = 64 << 20
)

var large struct {
	mu sync.Mutex
	b  []byte
}

// largeBody returns the body for path if it is a /bytes/N route.
func largeBody(path string) ([]byte, bool) {
	if !strings.HasPrefix(path, largePrefix) {
		return nil, false
	}
	n, err := strconv.Atoi(path[len(largePrefix):])
	if err != nil || n < 0 || n > maxLarge {
		return nil, false
	}
	large.mu.Lock()
	defer large.mu.Unlock()
	if len(large.b) < n {
		large.b = bytes.Repeat([]byte{'x'}, n)
	}
	return large.b[:n], true
}

// serveLargeZerohttp sends body with a Content-Length and WriteNoCopy:
// the connection holds the shared body by reference while the socket takes
// it (pipelined requests wait until it has), where writing it in 64 KiB
// pieces on each drain copied every piece and grew two output buffers per
// connection.
func serveLargeZerohttp(w *engine.Response, body []byte) {
	w.SetContentLength(int64(len(body)))
	w.Flush() // the head
	w.WriteNoCopy(body)
}

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
// fasthttp sets it raw, the engine streams it with Full and a drain
// handler, compat ends with it as Node code would (res.end(buf)).
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

// largeStream writes a body to an engine response as the socket takes it:
// up to Full, then again each time the output drains.
type largeStream struct{ rest []byte }

// serveLargeZerohttp sends body with a Content-Length, streamed.
func serveLargeZerohttp(w *engine.Response, body []byte) {
	w.SetContentLength(int64(len(body)))
	w.Flush() // the head
	ls := &largeStream{rest: body}
	if ls.OnDrain(w); !w.Ended() {
		w.SetDrainHandler(ls)
		w.Detach()
	}
}

// OnDrain writes until the output is full or the body is out.
func (ls *largeStream) OnDrain(w *engine.Response) {
	const piece = 64 << 10
	for len(ls.rest) > 0 && !w.Full() {
		n := min(piece, len(ls.rest))
		w.Write(ls.rest[:n])
		ls.rest = ls.rest[n:]
	}
	if len(ls.rest) == 0 {
		w.End()
	}
}

//go:build invariants && !race

package engine

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"sync"
	"testing"
)

// TestInvariantsScribble checks that the invariants build overwrites the read
// buffer once a request is done, so a handler that keeps a view past its
// lifetime sees garbage in tests.
func TestInvariantsScribble(t *testing.T) {
	var mu sync.Mutex
	var kept []byte
	_, addr := startServer(t, func(w *Response, r *Request) {
		mu.Lock()
		kept = r.Target() // a view that must not outlive the handler
		mu.Unlock()
		helloHandler(w, r)
	}, nil)
	c := dialServer(t, addr)
	io.WriteString(c, "GET /kept-view HTTP/1.1\r\nHost: a\r\n\r\n")
	if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !bytes.Equal(kept, bytes.Repeat([]byte{0xEE}, len("/kept-view"))) {
		t.Fatalf("kept view = %q; want it scribbled over", kept)
	}
}

//go:build !race

package engine

import (
	"testing"

	"github.com/zerohttp/zerohttp/internal/looptest"
)

// TestGoneAllocs: Request.Done and ClientGone allocate nothing per request
// inline (the channel is made once per connection), and on a worker no
// more than the wake that has the loop read the connection (gnet's Wake:
// 2 objects); a worker's request that does not ask allocates as before.
func TestGoneAllocs(t *testing.T) {
	ask := func(w *Response, r *Request) {
		if string(r.Path()) == "/ask" {
			select {
			case <-r.Done():
				panic("closed")
			default:
			}
			if r.ClientGone() {
				panic("gone")
			}
		}
		w.WriteString("Hello, World!")
	}
	for _, workers := range []int{0, 1} {
		_, addr := startServer(t, ask, &Options{NumLoops: 1, Workers: workers})
		allocs := map[string]uint64{}
		for _, path := range []string{"/plain", "/ask"} {
			req := []byte("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
			roundTrip := looptest.RoundTrip(t, dialServer(t, addr), req, 1, "Hello, World!")
			allocs[path], _ = looptest.MinAllocs(5, 500, roundTrip)
		}
		t.Logf("workers=%d: %v allocations per request", workers, allocs)
		if p, a := allocs["/plain"], allocs["/ask"]; workers == 0 && (p != 0 || a != 0) || a > p+2 {
			t.Errorf("workers=%d: allocations per request %v; want 0 more for asking inline, 2 at most on a worker", workers, allocs)
		}
	}
}

//go:build !race

package nethttp

import (
	"io"
	"net/http"
	"testing"
	"unsafe"

	"github.com/zerohttp/zerohttp/internal/fixedserver"
)

// transportAllocBound is what a keep-alive GET through http.Client and
// Transport may allocate. Most of it is http.Client's (7): the request it
// builds, its URL and the request copy it makes, with their header maps
// and contexts. The Transport's own are the trip, which holds the
// *http.Response, the head's values and a small body, and the response's
// Header map with its group. http.Transport allocates over four times as
// much for the same exchange (10 and 49 when this was written; 13 before
// the trip held the values and the body, 11 with "Connection: keep-alive"
// before hasToken stopped splitting, 21 before the header copy, Status and
// Proto strings and the trip's channel went).
const transportAllocBound = 10

func allocsPerGet(t *testing.T, rt http.RoundTripper, url string) float64 {
	c := &http.Client{Transport: rt}
	get := func() {
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get()
	min := -1.0
	for i := 0; i < 5; i++ {
		if n := testing.AllocsPerRun(100, get); min < 0 || n < min {
			min = n
		}
	}
	return min
}

// TestTransportAllocs pins the Transport's allocations per keep-alive GET
// and checks that they stay below http.Transport's for the same server.
func TestTransportAllocs(t *testing.T) {
	// With the fields most servers send (Node's, among others).
	url := "http://" + fixedserver.Start(t, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Sun, 06 Dec 2026 02:30:00 GMT\r\n"+
		"Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok") + "/alloc"
	tr := &Transport{}
	defer tr.CloseIdleConnections()
	ours := allocsPerGet(t, tr, url)
	std := &http.Transport{}
	defer std.CloseIdleConnections()
	theirs := allocsPerGet(t, std, url)
	t.Logf("allocs per GET: Transport %v, http.Transport %v", ours, theirs)
	if ours > transportAllocBound || ours >= theirs {
		t.Fatalf("allocs = %v; want at most %d and fewer than http.Transport's %v", ours, transportAllocBound, theirs)
	}
}

// TestTripSize pins the trip, allocated once per request, to the 768-byte
// size class: its inline room for the head and body must not push it into
// the next one. An object over 512 bytes with pointers carries an 8-byte
// malloc header in its slot.
func TestTripSize(t *testing.T) {
	if n := unsafe.Sizeof(trip{}); n > 768-8 {
		t.Fatalf("unsafe.Sizeof(trip{}) = %d; want at most 760", n)
	}
}

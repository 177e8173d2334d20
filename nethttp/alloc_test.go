//go:build !race

package nethttp

import (
	"io"
	"net/http"
	"runtime"
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

// transportBytesBound is what those allocations may weigh, http.Client's
// included (1848 bytes when this was written: the trip's 704-byte class,
// the Header map and its group, 400, and http.Client's 744; 1912 with the
// 768-byte trip before, 2168 with the 1024-byte one).
const transportBytesBound = 1880

// allocsPerGet returns the fewest allocations and bytes per GET of five
// runs of 100 keep-alive GETs through http.Client and rt.
func allocsPerGet(t *testing.T, rt http.RoundTripper, url string) (allocs, bytes float64) {
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
	allocs, bytes = -1, -1
	for i := 0; i < 5; i++ {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		n := testing.AllocsPerRun(100, get) // runs get 101 times
		runtime.ReadMemStats(&after)
		b := float64(after.TotalAlloc-before.TotalAlloc) / 101
		if allocs < 0 || n < allocs {
			allocs = n
		}
		if bytes < 0 || b < bytes {
			bytes = b
		}
	}
	return allocs, bytes
}

// TestTransportAllocs pins the Transport's allocations per keep-alive GET
// and checks that they stay below http.Transport's for the same server.
func TestTransportAllocs(t *testing.T) {
	// With the fields most servers send (Node's, among others).
	url := "http://" + fixedserver.Start(t, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Sun, 06 Dec 2026 02:30:00 GMT\r\n"+
		"Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok") + "/alloc?page=2"
	tr := &Transport{}
	defer tr.CloseIdleConnections()
	ours, ourBytes := allocsPerGet(t, tr, url)
	std := &http.Transport{}
	defer std.CloseIdleConnections()
	theirs, theirBytes := allocsPerGet(t, std, url)
	t.Logf("per GET: Transport %v allocations, %.0f bytes; http.Transport %v, %.0f", ours, ourBytes, theirs, theirBytes)
	if ours > transportAllocBound || ours >= theirs {
		t.Fatalf("allocs = %v; want at most %d and fewer than http.Transport's %v", ours, transportAllocBound, theirs)
	}
	if ourBytes > transportBytesBound {
		t.Fatalf("bytes = %.0f; want at most %d", ourBytes, transportBytesBound)
	}
}

// TestTripSize pins the trip, allocated once per request, to the 704-byte
// size class: its inline room for the head and body must not push it into
// the next one. An object over 512 bytes with pointers carries an 8-byte
// malloc header in its slot.
func TestTripSize(t *testing.T) {
	if n := unsafe.Sizeof(trip{}); n > 704-8 {
		t.Fatalf("unsafe.Sizeof(trip{}) = %d; want at most 696", n)
	}
}

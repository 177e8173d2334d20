//go:build !race

package nethttp

import (
	"io"
	"net"
	"net/http"
	"testing"
)

// serverAllocBound is what the bridge may allocate per keep-alive request
// to a handler that allocates nothing itself: the copy of the head that
// the request's strings share. The request, its Header map, URL, context
// and the ResponseWriter are the connection's, reused (net/http: a handler
// does not keep them after ServeHTTP). It was 31 before they were, against
// net/http's 17 for the same exchange.
const serverAllocBound = 1

// TestServerAllocs pins the bridge's allocations per request, counted on
// the whole process (server and a raw client that allocates nothing).
func TestServerAllocs(t *testing.T) {
	ctype, body := []string{"text/plain"}, []byte("Hello, World!")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = ctype
		w.Write(body)
	})
	c, err := net.Dial("tcp", startBridge(t, h, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET /hello?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n")
	end := []byte("\r\n\r\nHello, World!")
	buf := make([]byte, 4096)
	get := func() {
		if err := rawRoundTrip(c, req, end, buf); err != nil {
			t.Fatal(err)
		}
	}
	get()
	min := -1.0
	for i := 0; i < 5; i++ {
		if n := testing.AllocsPerRun(200, get); min < 0 || n < min {
			min = n
		}
	}
	if min > serverAllocBound {
		t.Fatalf("allocs per request = %v; want at most %d", min, serverAllocBound)
	}
}

var _ io.StringWriter = (*responseWriter)(nil)

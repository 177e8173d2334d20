package nethttp

import (
	"net"
	"net/http"
	"runtime"
	"testing"
)

// TestQuickHandlerNotTimed checks that the loop serves a handler that does
// not block without arming its timer: on a loop with one P, the handler's
// goroutine finishes while the loop yields.
func TestQuickHandlerNotTimed(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("Hello, World!"))
	})
	c, err := net.Dial("tcp", startBridge(t, h, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	end := []byte("\r\n\r\nHello, World!")
	buf := make([]byte, 4096)
	const n = 200
	before := timedWaits.Load()
	for i := 0; i < n; i++ {
		if err := rawRoundTrip(c, req, end, buf); err != nil {
			t.Fatal(err)
		}
	}
	if timed := timedWaits.Load() - before; timed > n/2 {
		t.Fatalf("%d of %d quick requests waited with the timer; want at most %d", timed, n, n/2)
	}
}

//go:build !race

package engine

import (
	"testing"

	"github.com/zerohttp/zerohttp/internal/fixedserver"
)

// minAllocsPerRun is testing.AllocsPerRun taking the minimum of several
// rounds, so that a stray allocation by the runtime or the loopback server
// (not by the client) does not fail the test.
func minAllocsPerRun(rounds, runs int, f func()) float64 {
	min := -1.0
	for i := 0; i < rounds; i++ {
		if n := testing.AllocsPerRun(runs, f); min < 0 || n < min {
			min = n
		}
	}
	return min
}

func TestClientAllocsKeepAliveGet(t *testing.T) {
	body := []byte("hello, world")
	addr := fixedserver.Start(t, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nKeep-Alive: timeout=5\r\n\r\nhello, world")
	cli := newTestClient(t)
	cc := dialTest(t, cli, addr, nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	req.SetPath("/alloc")
	req.Header.AddString("User-Agent", "zerohttp")
	var err error
	do := func() {
		if err = cc.Do(req, resp); err == nil && string(resp.Body()) != string(body) {
			t.Fatalf("body %q", resp.Body())
		}
	}
	do()
	if n := minAllocsPerRun(5, 200, do); n != 0 {
		t.Fatalf("allocs = %v; want 0", n)
	}
	if err != nil {
		t.Fatal(err)
	}
}

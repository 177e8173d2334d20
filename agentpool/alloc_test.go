//go:build !race

package agentpool

import (
	"context"
	"testing"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/internal/fixedserver"
)

// TestAgentAllocsKeepAliveGet: a keep-alive GET through the agent allocates
// nothing in steady state (min of several AllocsPerRun rounds, as the count
// is process-wide).
func TestAgentAllocsKeepAliveGet(t *testing.T) {
	host, port := splitAddr(t, fixedserver.Start(t, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	a := newAgent(t, Options{KeepAlive: true})
	req, resp := engine.AcquireClientRequest(), engine.AcquireClientResponse()
	req.SetHost(host)
	req.SetPort(port)
	req.SetPath("/alloc")
	do := func() {
		if err := a.Do(req, resp); err != nil || string(resp.Body()) != "ok" {
			t.Fatalf("Do = %v %q", err, resp.Body())
		}
	}
	do()
	if n := minAllocs(do); n != 0 {
		t.Fatalf("allocs = %v; want 0", n)
	}
}

// TestAgentAllocsGetContext: Get with a cancellable context (the common Go
// shape) allocates nothing in steady state either: the context is only
// watched, not wrapped.
func TestAgentAllocsGetContext(t *testing.T) {
	addr := fixedserver.Start(t, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	a := newAgent(t, Options{KeepAlive: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := "http://" + addr + "/alloc"
	buf := make([]byte, 0, 16)
	get := func() {
		status, body, err := a.Get(ctx, buf[:0], url)
		if err != nil || status != 200 || string(body) != "ok" {
			t.Fatalf("Get = %d %q %v", status, body, err)
		}
	}
	get()
	if n := minAllocs(get); n != 0 {
		t.Fatalf("allocs = %v; want 0", n)
	}
}

// minAllocs is the least of several AllocsPerRun rounds of f: the count is
// process-wide, so a round may catch another goroutine's allocation.
func minAllocs(f func()) float64 {
	min := -1.0
	for i := 0; i < 5; i++ {
		if n := testing.AllocsPerRun(200, f); min < 0 || n < min {
			min = n
		}
	}
	return min
}

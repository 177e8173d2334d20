//go:build !race

package agentpool

import (
	"testing"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/engine/fixedserver"
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
	min := -1.0
	for i := 0; i < 5; i++ {
		if n := testing.AllocsPerRun(200, do); min < 0 || n < min {
			min = n
		}
	}
	if min != 0 {
		t.Fatalf("allocs = %v; want 0", min)
	}
}

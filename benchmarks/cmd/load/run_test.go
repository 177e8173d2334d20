package main

import (
	"runtime"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/engine/fixedserver"
)

// TestRunCount checks that a request budget is met exactly in both modes.
func TestRunCount(t *testing.T) {
	addr := fixedserver.Start(t, resp)
	for _, depth := range []int{1, 4} {
		res, err := run(config{addr: addr, conns: 4, depth: depth, duration: 10 * time.Second, requests: 1000}, nil)
		if err != nil {
			t.Fatalf("depth %d: %v", depth, err)
		}
		if res.Requests != 1000 || res.Errors != 0 {
			t.Errorf("depth %d: %d requests, %d errors; want 1000, 0", depth, res.Requests, res.Errors)
		}
		if res.P50us <= 0 || res.P99us < res.P50us {
			t.Errorf("depth %d: p50 %v, p99 %v", depth, res.P50us, res.P99us)
		}
	}
}

// TestRunAllocs checks that the hot loop does not allocate: a run of many
// more requests allocates no more than a short one (setup only), with slack
// for the runtime's own bookkeeping.
func TestRunAllocs(t *testing.T) {
	addr := fixedserver.Start(t, resp)
	mallocs := func(n int64) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := run(config{addr: addr, conns: 2, depth: 2, duration: 20 * time.Second, requests: n}, nil); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	mallocs(100) // warm up: the server's per-connection buffers, runtime caches
	short, long := mallocs(100), mallocs(20000)
	if long > short+100 {
		t.Errorf("mallocs: %d for 100 requests, %d for 20000; want no growth with requests", short, long)
	}
}

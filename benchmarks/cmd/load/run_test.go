package main

import (
	"bytes"
	"net"
	"runtime"
	"testing"
	"time"
)

// echoServer answers every request head on 127.0.0.1 with a fixed response,
// without allocating per request, and returns its address.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				in := make([]byte, 64<<10)
				out := make([]byte, 0, 64<<10)
				n := 0
				for {
					m, err := c.Read(in[n:])
					if err != nil {
						return
					}
					n += m
					out, i := out[:0], 0
					for {
						x := bytes.Index(in[i:n], crlfcrlf)
						if x < 0 {
							break
						}
						i += x + len(crlfcrlf)
						out = append(out, resp...)
					}
					n = copy(in, in[i:n])
					if _, err := c.Write(out); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestRunCount checks that a request budget is met exactly in both modes.
func TestRunCount(t *testing.T) {
	addr := echoServer(t)
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
	addr := echoServer(t)
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

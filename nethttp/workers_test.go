package nethttp

import (
	"bytes"
	"runtime"
	"testing"
	"time"
)

func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	return string(bytes.Fields(buf)[1])
}

// TestWorkersReusedThenStop checks that handlers run one after another
// share one goroutine, and that idle workers exit after two sweeps.
// Not parallel: it changes sweepEvery.
func TestWorkersReusedThenStop(t *testing.T) {
	idle.mu.Lock()
	prev := sweepEvery
	sweepEvery = 10 * time.Millisecond
	idle.mu.Unlock()
	t.Cleanup(func() {
		idle.mu.Lock()
		sweepEvery = prev
		idle.mu.Unlock()
	})
	ids := make(map[string]bool)
	for i := 0; i < 50; i++ {
		done := make(chan string)
		goWork(func() { done <- goroutineID() })
		ids[<-done] = true
		for { // wait until the worker is idle again
			idle.mu.Lock()
			n := len(idle.list)
			idle.mu.Unlock()
			if n > 0 {
				break
			}
			runtime.Gosched()
		}
	}
	if len(ids) != 1 {
		t.Fatalf("50 sequential jobs ran on %d goroutines; want 1", len(ids))
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		idle.mu.Lock()
		n, running := len(idle.list), idle.sweeper
		idle.mu.Unlock()
		if n == 0 && !running {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d idle workers (janitor running: %v) after 5 s; want none", n, running)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

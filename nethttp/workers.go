package nethttp

import (
	"sync"
	"time"
)

// Handlers run on reused goroutines rather than a new one each: a new
// goroutine starts with a small stack and copies it each time it grows,
// which a handler's first map iteration already does (runtime.copystack
// was a fifth of a pipelined request's CPU in BenchmarkServePipelined). A
// worker keeps the stack its handlers grew. Idle workers wait on their
// channel; one left idle through two sweeps of the janitor (a second
// apart) exits, so a burst's workers do not stay.

// worker is one reusable goroutine.
type worker struct {
	jobs   chan func() // nil asks the worker to exit
	sweeps int         // janitor sweeps seen while idle; guarded by idle.mu
}

var idle struct {
	mu      sync.Mutex
	list    []*worker // idle workers, most recently used last
	sweeper bool      // the janitor runs
}

// sweepEvery is how often the janitor looks at the idle workers; guarded
// by idle.mu (a test shortens it).
var sweepEvery = time.Second

// goWork runs f on an idle worker, or on a new one.
func goWork(f func()) {
	idle.mu.Lock()
	if n := len(idle.list); n > 0 {
		w := idle.list[n-1]
		idle.list[n-1] = nil
		idle.list = idle.list[:n-1]
		idle.mu.Unlock()
		w.jobs <- f
		return
	}
	idle.mu.Unlock()
	w := &worker{jobs: make(chan func(), 1)}
	go w.run(f)
}

func (w *worker) run(f func()) {
	for f != nil {
		f()
		f = nil // not kept alive while idle
		idle.mu.Lock()
		w.sweeps = 0
		idle.list = append(idle.list, w)
		if !idle.sweeper {
			idle.sweeper = true
			go sweep()
		}
		idle.mu.Unlock()
		f = <-w.jobs
	}
}

// sweep stops the workers that stayed idle through two sweeps, and ends
// when none is idle.
func sweep() {
	idle.mu.Lock()
	every := sweepEvery
	idle.mu.Unlock()
	for {
		time.Sleep(every)
		idle.mu.Lock()
		kept := idle.list[:0]
		for _, w := range idle.list {
			if w.sweeps++; w.sweeps >= 2 {
				w.jobs <- nil // buffered: the worker is idle, its channel empty
				continue
			}
			kept = append(kept, w)
		}
		clear(idle.list[len(kept):])
		idle.list = kept
		if len(kept) == 0 {
			idle.sweeper = false
			idle.mu.Unlock()
			return
		}
		idle.mu.Unlock()
	}
}

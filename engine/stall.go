package engine

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"runtime"
	"time"
)

// DefaultStallThreshold is how long an event loop may stay in one callback
// before the stall watchdog reports it.
const DefaultStallThreshold = time.Second

// The stall watchdog. An inline handler, body callback or tunnel callback
// that blocks holds up every connection of its loop, as in Node. To make
// such a stall visible without costing the hot path anything, a goroutine
// of the server (not the loops) queues a probe onto each loop every half
// threshold, unless the last one is still waiting, and notes the time it
// queued it. The probe, run by the loop between two rounds of events,
// clears the note. A note older than the threshold means the loop has not
// come back from a callback for that long: the watchdog counts the stall
// (Server.LoopStalls) and logs it once, rate-limited, with the loop
// goroutine's stack, which names the handler that blocks. A loop that
// stalls is reported between one and two thresholds after the stall began.

// stallProbe is a loop as the Runnable that clears its probe note.
type stallProbe loop

// Run marks the loop as having come back. Runs on the loop.
func (p *stallProbe) Run(context.Context) error {
	(*loop)(p).probeQueued.Store(0)
	return nil
}

// watchStalls runs the watchdog until the listening sockets close (the
// server is shutting down, and its loops are about to stop).
func (s *Server) watchStalls() {
	every := s.opts.StallThreshold / 2
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.unlisten:
			return
		case <-t.C:
		}
		now := s.clock()
		for i, l := range *s.loops.Load() {
			q := l.probeQueued.Load()
			if q == 0 {
				if l.probeQueued.CompareAndSwap(0, now) && l.ev.Execute(context.Background(), (*stallProbe)(l)) != nil {
					l.probeQueued.Store(0) // not queued (the loops are stopping): nothing to wait for
				}
				continue
			}
			// One report per probe: the probe's queueing time names the stall.
			if time.Duration(now-q)*time.Millisecond > s.opts.StallThreshold && l.stallSeen.Swap(q) != q {
				s.stalls.Add(1)
				if s.stallLog.allow() {
					log.Printf("engine: event loop %d has not come back for %v: a callback on it blocks every connection of the loop (run blocking handlers with Options.Workers); the loop is at\n%s",
						i, time.Duration(now-q)*time.Millisecond, goroutineStack(l.gid))
				}
			}
		}
	}
}

// LoopStalls returns how many times an event loop has stayed in one
// callback for longer than Options.StallThreshold since Start. Safe from
// any goroutine.
func (s *Server) LoopStalls() uint64 { return s.stalls.Load() }

// goroutineStack returns the stack of the goroutine with the given id, or a
// note saying it could not be found. It reads every goroutine's stack: a
// stop of the world, acceptable on the rate-limited report path only.
func goroutineStack(id uint64) []byte {
	if id == 0 {
		return []byte("(the loop's goroutine is unknown)")
	}
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) || len(buf) >= 16<<20 {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	head := []byte(fmt.Sprintf("goroutine %d [", id))
	i := bytes.Index(buf, head)
	if i < 0 {
		return []byte("(the loop's goroutine was not found)")
	}
	st := buf[i:]
	if j := bytes.Index(st, []byte("\n\n")); j >= 0 {
		st = st[:j]
	}
	return st
}

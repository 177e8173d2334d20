package engine

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// DefaultStallThreshold is how long an event loop may stay in one callback
// before the stall watchdog reports it.
const DefaultStallThreshold = time.Second

// The stall watchdog. An inline handler, body callback or tunnel callback
// on a server's loop, or a response handler on a client's, that blocks
// holds up every connection of its loop, as in Node. To make such a stall
// visible without costing the hot path anything, a goroutine that is not a
// loop (the server's watchdog, the client's sweeper) queues a probe onto
// each loop every half threshold, unless the last one is still waiting,
// and notes the time it queued it. The probe, run by the loop between two
// rounds of events, clears the note. A note older than the threshold means
// the loop has not come back from a callback for that long: the watchdog
// counts the stall (Server.LoopStalls, Client.LoopStalls) and logs it
// once, rate-limited, with the loop goroutine's stack, which names the
// handler that blocks. A loop that stalls is reported between one and two
// thresholds after the stall began.

// loopProbe is one event loop's watchdog state; as a Runnable, the probe.
type loopProbe struct {
	ev     gnet.EventLoop // immutable after creation
	gid    uint64         // the loop goroutine's id; immutable after creation
	queued atomic.Int64   // watchdog clock (ms) when the pending probe was queued; 0 if none
	seen   atomic.Int64   // queued of the last stall reported
}

// Run marks the loop as having come back. Runs on the loop.
func (p *loopProbe) Run(context.Context) error {
	p.queued.Store(0)
	return nil
}

// stallWatch counts and logs the stalls of a server's or a client's loops.
type stallWatch struct {
	threshold time.Duration // immutable after creation; > 0
	who       string        // "event loop", "client event loop"
	hint      string        // the remedy, for the log line
	log       logLimiter
	stalls    atomic.Uint64
}

// check probes each loop, or reports it if its probe has waited longer
// than the threshold; now is a clock in milliseconds, never 0. Called by
// the watchdog's goroutine only.
func (w *stallWatch) check(now int64, loops []*loopProbe) {
	for i, p := range loops {
		q := p.queued.Load()
		if q == 0 {
			if p.queued.CompareAndSwap(0, now) && p.ev.Execute(context.Background(), p) != nil {
				p.queued.Store(0) // not queued (the loops are stopping): nothing to wait for
			}
			continue
		}
		// One report per probe: the probe's queueing time names the stall.
		if time.Duration(now-q)*time.Millisecond > w.threshold && p.seen.Swap(q) != q {
			w.stalls.Add(1)
			if w.log.allow() {
				log.Printf("engine: %s %d has not come back for %v: a callback on it blocks every connection of the loop (%s); the loop is at\n%s",
					w.who, i, time.Duration(now-q)*time.Millisecond, w.hint, goroutineStack(p.gid))
			}
		}
	}
}

// watchStalls runs the server's watchdog until the listening sockets close
// (the server is shutting down, and its loops are about to stop).
func (s *Server) watchStalls() {
	t := time.NewTicker(s.stallWatch.threshold / 2)
	defer t.Stop()
	var probes []*loopProbe
	for {
		select {
		case <-s.unlisten:
			return
		case <-t.C:
		}
		probes = probes[:0]
		for _, l := range *s.loops.Load() {
			probes = append(probes, &l.probe)
		}
		s.stallWatch.check(s.clock(), probes)
	}
}

// LoopStalls returns how many times an event loop has stayed in one
// callback for longer than Options.StallThreshold since Start. Safe from
// any goroutine.
func (s *Server) LoopStalls() uint64 { return s.stallWatch.stalls.Load() }

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

package engine

import (
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The connection bound (Options.MaxConns). An acceptor takes a slot before
// it calls Accept and stops accepting while every slot is taken: further
// connections wait in the kernel's listen backlog (as behind net/http's
// netutil.LimitListener), and once the backlog is full the kernel drops
// their handshakes, which the clients retry. A connection frees its slot
// when it closes (OnClose), which wakes the acceptors. Without the bound, a
// flood takes descriptors faster than loops starved of CPU close them,
// until every accept fails with EMFILE and each connection's buffers have
// taken their share of memory.
//
// What is bounded is the connections' descriptors: s.nconns (connections on
// a loop, from OnOpen to OnClose) plus two for each of connGate.pending,
// the acceptors' reservations and the connections on their way to a loop,
// which hold the accepted descriptor and gnet's duplicate of it until the
// loop takes the connection. An acceptor goes on while that sum, its own
// reservation included, is at most MaxConns+1 (so MaxConns 1 admits one):
// then at most MaxConns connections are open, and near the bound the
// acceptor keeps pace with the loops instead of piling up handovers. OnOpen
// counts a connection before its handover ends, so the sum never
// undercounts. Nothing here runs per request.

// Default bound derived from RLIMIT_NOFILE: the soft limit less an eighth
// of it, and at least fdReserveMin, for the process's other descriptors
// (its listeners, the loops' pollers, client connections, files).
const fdReserveMin = 32

// connGate bounds a server's connections.
type connGate struct {
	max     int64 // immutable after Start; <= 0 means no bound
	pending atomic.Int64
	waits   atomic.Uint64 // times an acceptor found every slot taken
	waiting atomic.Bool   // an acceptor waits on room
	log     logLimiter

	mu   sync.Mutex
	room chan struct{} // closed to wake the acceptors; guarded by mu
}

// maxConnsFor returns the bound for Options.MaxConns o: o itself when
// positive, none when negative, and for 0 the one derived from the
// process's descriptor limit (none if it cannot be read).
func maxConnsFor(o int) int64 {
	if o != 0 {
		return int64(o)
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur > 1<<40 { // RLIM_INFINITY too
		return 0
	}
	n := int64(lim.Cur)
	return max(n-max(n/8, fdReserveMin), 1)
}

// fits reports whether n connections on loops and p reservations (each two
// descriptors while handed over) are within the bound.
func (g *connGate) fits(n, p int64) bool { return n+2*p <= g.max+1 }

// admit takes a slot for the next connection, waiting while there is none.
// It returns false, holding no slot, once the listening sockets close.
func (s *Server) admit() bool {
	g := &s.gate
	if g.max <= 0 {
		return true
	}
	counted := false
	for {
		p, n := g.pending.Add(1), s.nconns.Load()
		if g.fits(n, p) {
			return true
		}
		g.pending.Add(-1)
		if n+p > g.max && !counted {
			// At the bound, not just keeping pace with the handovers.
			counted = true
			g.waits.Add(1)
			g.log.printf("engine: %d connections open (Options.MaxConns); new connections wait in the listen backlog", g.max)
		}
		if !s.waitRoom() {
			return false
		}
	}
}

// waitRoom waits until a connection frees its slot, or the listening
// sockets close (false).
func (s *Server) waitRoom() bool {
	g := &s.gate
	g.mu.Lock()
	if g.room == nil {
		g.room = make(chan struct{})
	}
	room := g.room
	g.waiting.Store(true)
	g.mu.Unlock()
	// A slot freed before waiting was set woke no one: look again.
	if g.fits(s.nconns.Load(), g.pending.Load()+1) {
		return true
	}
	// The timer only guards against a wake-up lost to a bug; the wait ends
	// at the next close.
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-room:
	case <-t.C:
	case <-s.unlisten:
		return false
	}
	return true
}

// release gives back a slot taken by admit once its accept failed or its
// handover ended: by then a connection that reached its loop is counted in
// s.nconns.
func (s *Server) release() {
	if s.gate.max > 0 {
		s.gate.pending.Add(-1)
		s.wakeAcceptors()
	}
}

// wakeAcceptors wakes the acceptors waiting for a slot, if any. Safe from
// any goroutine; one atomic load when none waits.
func (s *Server) wakeAcceptors() {
	g := &s.gate
	if !g.waiting.Load() {
		return
	}
	g.mu.Lock()
	g.waiting.Store(false)
	if g.room != nil {
		close(g.room)
		g.room = nil
	}
	g.mu.Unlock()
}

// MaxConns returns the bound on open connections in force (Options.MaxConns
// or the default derived from the descriptor limit), 0 for none. Valid once
// Start has returned.
func (s *Server) MaxConns() int { return int(s.gate.max) }

// ConnLimitWaits returns how many times an acceptor found MaxConns
// connections open and stopped accepting until one closed. Safe from any
// goroutine.
func (s *Server) ConnLimitWaits() uint64 { return s.gate.waits.Load() }

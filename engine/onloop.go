package engine

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// ErrOnEventLoop is returned by a blocking call (ClientConn.Do, Client.Dial,
// an agent's Do) made on an event loop: from an inline handler, a body or
// tunnel callback, or a ResponseHandler. Waiting there would stall every
// connection of the loop, and deadlock when the reply must come through the
// same loop. Use the asynchronous form (ClientConn.Send, an agent's Request)
// or run handlers on workers (Options.Workers).
var ErrOnEventLoop = errors.New("engine: blocking call on an event loop; use Send (or an agent's Request) there, or run handlers on workers with Options.Workers")

// The goroutines of the event loops, so that a blocking call can refuse to
// run on one. Each entry holds the goroutine's g pointer, which one
// instruction reads (curg), and its goroutine id, which is costly to read but
// never reused: a g pointer of an exited loop may be taken by a new
// goroutine, so a match is confirmed by the id before refusing.
type loopG struct {
	g     uintptr
	id    uint64
	owner any // the Server or Client the loop belongs to
}

var (
	loopGsMu sync.Mutex              // serializes changes to loopGs
	loopGs   atomic.Pointer[[]loopG] // copy-on-write; nil until the first loop
)

// loopGoroutines returns the recorded loops.
func loopGoroutines() []loopG {
	if p := loopGs.Load(); p != nil {
		return *p
	}
	return nil
}

// noteLoopGoroutine records the calling goroutine as an event loop of owner.
// Must be called on the loop; a second call from the same goroutine is a no-op.
func noteLoopGoroutine(owner any) {
	if !haveCurg {
		return
	}
	g := curg()
	for _, e := range loopGoroutines() {
		if e.g == g && e.owner == owner {
			return
		}
	}
	id := goid()
	loopGsMu.Lock()
	old := loopGoroutines()
	next := make([]loopG, 0, len(old)+1)
	for _, e := range old {
		if e.g != g { // a stale entry of an exited loop whose g this goroutine reuses
			next = append(next, e)
		}
	}
	next = append(next, loopG{g: g, id: id, owner: owner})
	loopGs.Store(&next)
	loopGsMu.Unlock()
}

// forgetLoopGoroutines drops the loops of owner, once they have stopped.
func forgetLoopGoroutines(owner any) {
	loopGsMu.Lock()
	old := loopGoroutines()
	next := make([]loopG, 0, len(old))
	for _, e := range old {
		if e.owner != owner {
			next = append(next, e)
		}
	}
	loopGs.Store(&next)
	loopGsMu.Unlock()
}

// OnEventLoop reports whether the caller runs on an event loop of a Server
// or Client, where it must not block: a blocking API built on the engine
// (an agent's Do, an http.RoundTripper) returns ErrOnEventLoop then. It
// costs a load and a compare per loop when it does not. Safe from any
// goroutine.
func OnEventLoop() bool { return onEventLoop() }

// onEventLoop reports whether the caller runs on an event loop of a Server
// or Client. It costs a load and a compare per loop when it is not.
func onEventLoop() bool {
	if !haveCurg {
		return false
	}
	g := curg()
	for _, e := range loopGoroutines() {
		if e.g == g {
			return goid() == e.id
		}
	}
	return false
}

// goid returns the calling goroutine's id, read from its stack trace's
// first line ("goroutine 18 [running]:"). It costs about a microsecond, so
// it runs once per loop and to confirm a match.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	const prefix = "goroutine "
	if len(b) < len(prefix) {
		return 0
	}
	var id uint64
	for _, c := range b[len(prefix):] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

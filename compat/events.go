package compat

import "sync"

// Events
//
// Node runs every callback on one thread, and emits most events on a later
// tick rather than from inside the call that caused them: res.end() returns
// before 'finish' is emitted. compat reproduces that with a loop and a tick
// queue per exchange (one request and its response):
//
//  1. Callbacks of a server exchange run on the event loop of the request's
//     connection, one at a time: the request listener, then 'data' as body
//     bytes arrive, then queued events ("ticks") such as 'end', 'finish'
//     and 'close', each after the callback that queued it has returned.
//  2. While the loop runs compat code for an exchange (the "window"), calls
//     on its ServerResponse and IncomingMessage reach the engine directly.
//     Calls from other goroutines at other times are queued and run on the
//     loop in call order, through engine.Deferred. State that Node updates at
//     once (HeadersSent, WritableEnded, errors for a write after End) is
//     updated at once, whatever the goroutine.
//  3. Once the engine's response has ended, the exchange owns nothing of the
//     engine's; later calls run on the caller's goroutine, and the events
//     they cause on a goroutine of their own, after the call has returned.
//
// A client exchange has no engine response to protect: its events run on
// the goroutine that delivers the response (an event loop) or on the caller's.

// exchange is the state one request and its response share. Its fields are
// guarded by mu unless they say otherwise; mu is never held while a user
// callback runs.
type exchange struct {
	mu sync.Mutex

	// window reports whether the loop runs compat code for the exchange, so
	// that engine calls may be made directly (under mu).
	window bool
	// wireEnded reports whether the engine's response has ended: its
	// Response and Request then belong to the connection's next request.
	wireEnded bool
	// loop runs fn on the exchange's loop later; nil when there is none
	// (a client exchange, or a server response ended within its handler).
	loop func(fn func()) error
	ops  []func() // engine calls waiting for the loop; run under mu
	// scheduled reports whether a loop call draining ops is pending.
	scheduled bool
	ticks     []func() // events to emit once the current callback returns
	draining  bool     // a goroutine is emitting ticks
}

// do runs op, an engine call that must not call user code, under mu on the
// loop: now if the window is open or the engine is done with the exchange
// (op must then check wireEnded), else later, in call order.
func (x *exchange) do(op func()) {
	x.mu.Lock()
	if x.window || x.wireEnded || x.loop == nil {
		if op != nil {
			op()
		}
		x.mu.Unlock()
		x.flushTicks()
		return
	}
	x.ops = append(x.ops, op)
	if op == nil {
		// Only ticks to emit: the loop call below does it.
		x.ops = x.ops[:len(x.ops)-1]
	}
	if x.scheduled {
		x.mu.Unlock()
		return
	}
	x.scheduled = true
	loop := x.loop
	x.mu.Unlock()
	if err := loop(x.runQueued); err != nil {
		x.mu.Lock()
		x.scheduled = false
		x.mu.Unlock()
	}
}

// tryDirect runs op as do would if it can run now, and reports whether it
// did; if not, the caller copies what op refers to and calls do.
func (x *exchange) tryDirect(op func()) bool {
	x.mu.Lock()
	if !(x.window || x.wireEnded || x.loop == nil) || len(x.ops) > 0 {
		x.mu.Unlock()
		return false
	}
	op()
	x.mu.Unlock()
	x.flushTicks()
	return true
}

// runQueued runs on the loop: it opens the window, runs the queued ops and
// emits the ticks, then closes the window.
func (x *exchange) runQueued() {
	x.mu.Lock()
	x.scheduled = false
	x.window = true
	x.runOpsLocked()
	x.mu.Unlock()
	x.closeWindow()
}

// closeWindow emits the ticks and runs the ops queued meanwhile, then
// closes the window. Ticks queued by another goroutine while it closes are
// not lost: it loops until none is left, or leaves them to the goroutine
// already emitting.
func (x *exchange) closeWindow() {
	for {
		if !x.emitTicks() {
			x.mu.Lock()
			x.window = false
			x.mu.Unlock()
			return
		}
		x.mu.Lock()
		x.runOpsLocked()
		if len(x.ticks) == 0 {
			x.window = false
			x.mu.Unlock()
			return
		}
		x.mu.Unlock()
	}
}

// runOpsLocked runs the queued ops in order.
func (x *exchange) runOpsLocked() {
	for len(x.ops) > 0 {
		op := x.ops[0]
		x.ops[0] = nil
		x.ops = x.ops[1:]
		op()
	}
}

// tick queues fn to be emitted after the current callback, as Node's
// process.nextTick would.
func (x *exchange) tick(fn func()) {
	x.mu.Lock()
	x.ticks = append(x.ticks, fn)
	x.mu.Unlock()
}

// tickLocked is tick with mu held.
func (x *exchange) tickLocked(fn func()) { x.ticks = append(x.ticks, fn) }

// emitTicks emits the queued events, and those they queue, in order. One
// goroutine emits at a time; a call while another emits returns false at
// once, leaving the ticks to it.
func (x *exchange) emitTicks() bool {
	x.mu.Lock()
	if x.draining {
		x.mu.Unlock()
		return false
	}
	x.draining = true
	for len(x.ticks) > 0 {
		fn := x.ticks[0]
		x.ticks[0] = nil
		x.ticks = x.ticks[1:]
		x.mu.Unlock()
		fn()
		x.mu.Lock()
	}
	x.draining = false
	x.mu.Unlock()
	return true
}

// flushTicks emits the ticks when no window will (the loop emits them
// itself when its window closes). It emits them on a goroutine of their
// own: as in Node, no event runs inside the call that caused it, so a
// caller holding a lock its listeners take cannot deadlock.
func (x *exchange) flushTicks() {
	x.mu.Lock()
	emit := !x.window && len(x.ticks) > 0
	x.mu.Unlock()
	if emit {
		go x.emitTicks()
	}
}

// emit calls each listener with v. Listeners are copied first, so that a
// listener may add others.
func emit[T any](fns []func(T), v T) {
	for _, fn := range fns {
		fn(v)
	}
}

// emit0 calls each listener.
func emit0(fns []func()) {
	for _, fn := range fns {
		fn()
	}
}

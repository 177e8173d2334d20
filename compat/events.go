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
	// scheduled reports whether a loop call draining ops is pending.
	scheduled bool
	draining  bool // a goroutine is emitting ticks
	// The events to emit once the current callback returns, in order: n of
	// them in ring from head on (ring[i] after later[i] more ticks), then
	// those in q.spill. A ring rather than a slice because queueing and
	// emitting then store no slice headers, which costs write barriers
	// while the GC runs. A hello-world exchange queues six events, at most
	// two at a time.
	head, n uint8
	later   [3]uint8
	// cork is what the current window (one loop callback) wrote of a
	// server response, which Node's corked socket would still hold: 0
	// nothing, mark+1 when the window's first write found mark bytes of
	// output unsent (engine.Response.Buffered), corkEnded when the response
	// ended in it. Node uncorks at the next tick and at end(), the engine
	// hands the output to the socket when the callback returns.
	cork int32
	ring [3]event
	// loop runs fn on the exchange's loop later; nil when there is none
	// (a client exchange, or a server response ended within its handler).
	loop func(fn func()) error
	// q holds the queues few exchanges use, made on first use, so that a
	// server exchange stays within its size class.
	q *exchangeQueues
}

// exchangeQueues are an exchange's queues that are empty unless calls come
// from outside the loop or more than three ticks wait at once.
type exchangeQueues struct {
	spill []queuedTick // only when ring is full or spill is not empty
	ops   []func()     // engine calls waiting for the loop; run under mu
}

// queuedTick is an event in the tick queue, to be emitted once later more
// ticks have passed.
type queuedTick struct {
	e     event
	later uint8
}

// event is a queued tick. fireLocked runs with the exchange's mu held and
// returns with it held; it unlocks mu only around user code, so that an
// event without listeners costs no lock round trip. The events every
// exchange queues are named pointer types (see incoming_message.go and
// server_response.go): an interface holds such a pointer without
// allocating, where a method value or a closure would allocate. Others
// are closures, as eventFunc.
type event interface{ fireLocked(x *exchange) }

// eventFunc is a closure as an event; it runs with mu released.
type eventFunc func()

func (f eventFunc) fireLocked(x *exchange) {
	x.mu.Unlock()
	f()
	x.mu.Lock()
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
	if op != nil {
		q := x.queuesLocked()
		q.ops = append(q.ops, op)
	}
	// A nil op: only ticks to emit, which the loop call below does.
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

// directLocked reports whether an op may run now, as do would run it,
// rather than be queued behind others. If it may, the caller runs it and
// calls unlockFlush; if not, it copies what the op refers to and calls do.
func (x *exchange) directLocked() bool {
	return (x.window || x.wireEnded || x.loop == nil) && (x.q == nil || len(x.q.ops) == 0)
}

// queuesLocked returns x.q, made if needed.
func (x *exchange) queuesLocked() *exchangeQueues {
	if x.q == nil {
		x.q = new(exchangeQueues)
	}
	return x.q
}

// unlockFlush unlocks mu and then does what flushTicks does.
func (x *exchange) unlockFlush() {
	emit := !x.window && x.ticksLocked()
	x.mu.Unlock()
	if emit {
		go x.emitTicks()
	}
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
	x.mu.Lock()
	x.closeWindowLocked()
}

// closeWindowLocked is closeWindow with mu held; it unlocks mu.
func (x *exchange) closeWindowLocked() {
	for !x.draining {
		x.drainLocked()
		x.runOpsLocked()
		if !x.ticksLocked() {
			break
		}
	}
	x.window, x.cork = false, 0
	x.mu.Unlock()
}

// runOpsLocked runs the queued ops in order.
func (x *exchange) runOpsLocked() {
	if x.q == nil {
		return
	}
	for q := x.q; len(q.ops) > 0; {
		op := q.ops[0]
		q.ops[0] = nil
		q.ops = q.ops[1:]
		op()
	}
}

// tick queues e to be emitted after the current callback, as Node's
// process.nextTick would.
func (x *exchange) tick(e event) {
	x.mu.Lock()
	x.tickLocked(e)
	x.mu.Unlock()
}

// tickLocked is tick with mu held.
func (x *exchange) tickLocked(e event) { x.tickLaterLocked(e, 0) }

// tickLaterLocked queues e to be emitted later ticks from now: 0 is
// tickLocked, 1 queues it from a tick of its own, as a nextTick callback
// that calls nextTick(e) would.
func (x *exchange) tickLaterLocked(e event, later uint8) {
	if int(x.n) < len(x.ring) && (x.q == nil || len(x.q.spill) == 0) {
		i := (int(x.head) + int(x.n)) % len(x.ring)
		x.ring[i], x.later[i] = e, later
		x.n++
		return
	}
	q := x.queuesLocked()
	q.spill = append(q.spill, queuedTick{e, later})
}

// ticksLocked reports whether ticks are queued.
func (x *exchange) ticksLocked() bool { return x.n > 0 || x.q != nil && len(x.q.spill) > 0 }

// nextTickLocked dequeues the first tick; there must be one.
func (x *exchange) nextTickLocked() queuedTick {
	if x.n > 0 {
		t := queuedTick{x.ring[x.head], x.later[x.head]}
		x.ring[x.head] = nil
		x.head = uint8((int(x.head) + 1) % len(x.ring))
		x.n--
		return t
	}
	q := x.q
	t := q.spill[0]
	q.spill[0] = queuedTick{}
	q.spill = q.spill[1:]
	if len(q.spill) == 0 {
		q.spill = nil
	}
	return t
}

// emitTicks emits the queued events, and those they queue, in order. One
// goroutine emits at a time; a call while another emits returns at once,
// leaving the ticks to it.
func (x *exchange) emitTicks() {
	x.mu.Lock()
	if !x.draining {
		x.drainLocked()
	}
	x.mu.Unlock()
}

// drainLocked is emitTicks with mu held and no other goroutine emitting.
// mu is released while user code runs.
func (x *exchange) drainLocked() {
	x.draining = true
	for x.ticksLocked() {
		t := x.nextTickLocked()
		if t.later > 0 {
			// The tick that only queues t.e.
			x.tickLaterLocked(t.e, t.later-1)
			continue
		}
		t.e.fireLocked(x)
	}
	x.draining = false
}

// flushTicks emits the ticks when no window will (the loop emits them
// itself when its window closes). It emits them on a goroutine of their
// own: as in Node, no event runs inside the call that caused it, so a
// caller holding a lock its listeners take cannot deadlock.
func (x *exchange) flushTicks() {
	x.mu.Lock()
	emit := !x.window && x.ticksLocked()
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

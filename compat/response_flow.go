package compat

import "github.com/zerohttp/zerohttp/engine"

// HighWaterMark is the bound on a connection's output that the peer has
// not taken, beyond which a response's WriteChunk returns false (Node's
// writableHighWaterMark, 16 KiB). While over it, the server also stops
// reading the connection's next requests, as Node pauses its socket.
const HighWaterMark = 16 << 10

// responseExtra is the state of a response that has listeners, or uses
// write callbacks, 'drain' or 'prefinish'; made on first use, guarded by
// x.mu. A hello-world response has none of it.
type responseExtra struct {
	onFinish, onClose    []func()
	onError              []func(error)
	onDrain, onPrefinish []func()
	onTimeout            []func() // server_timeouts.go
	// drainCbs are write callbacks of chunks the connection holds over its
	// bound: called when it drains, before 'drain'.
	drainCbs []func(error)
	// queued counts the bytes of writes queued as ops (from a goroutine
	// outside the loop) and not yet handed to the engine.
	queued int
	// keepAliveMax is the Keep-Alive field's max (MaxRequestsPerSocket); 0 sends none.
	keepAliveMax int
	// maxReached: the request is the connection's last (Node's
	// maxRequestsOnConnectionReached): Connection: close, and no close.
	maxReached bool
}

// extLocked returns res.ext, made if needed.
func (res *ServerResponse) extLocked() *responseExtra {
	if res.ext == nil {
		res.ext = new(responseExtra)
	}
	return res.ext
}

// onFinishLocked adds a 'finish' listener.
func (res *ServerResponse) onFinishLocked(fn func()) {
	e := res.extLocked()
	e.onFinish = append(e.onFinish, fn)
}

// finishListeners, closeListeners and errorListeners return the listeners
// of e, which may be nil.
func (e *responseExtra) finishListeners() []func() {
	if e == nil {
		return nil
	}
	return e.onFinish
}

func (e *responseExtra) closeListeners() []func() {
	if e == nil {
		return nil
	}
	return e.onClose
}

func (e *responseExtra) errorListeners() []func(error) {
	if e == nil {
		return nil
	}
	return e.onError
}

// OnDrain registers a 'drain' listener: after a write returned false, the
// connection's output has drained and writing may go on.
func (res *ServerResponse) OnDrain(fn func()) {
	res.x.mu.Lock()
	e := res.extLocked()
	e.onDrain = append(e.onDrain, fn)
	res.x.mu.Unlock()
}

// OnPrefinish registers a 'prefinish' listener: End was called and the
// response is the one its connection is sending. Like Node, it runs
// inside End when End is called on the event loop.
func (res *ServerResponse) OnPrefinish(fn func()) {
	res.x.mu.Lock()
	e := res.extLocked()
	e.onPrefinish = append(e.onPrefinish, fn)
	res.x.mu.Unlock()
}

// WritableNeedDrain reports whether a write returned false and 'drain'
// has not come yet (Node's writableNeedDrain).
func (res *ServerResponse) WritableNeedDrain() bool {
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	return res.needDrain
}

// queueWriteLocked accounts for n bytes written from outside the loop,
// whose op runs later, and returns Node's boolean for them: false if a
// drain is awaited or the queued bytes reach HighWaterMark.
func (res *ServerResponse) queueWriteLocked(n int) bool {
	e := res.extLocked()
	e.queued += n
	if res.needDrain || e.queued >= HighWaterMark {
		res.needDrain = true
		return false
	}
	return true
}

// afterWriteLocked runs after a chunk went to the engine: if the
// connection's output is over its bound, cb waits for the drain and the
// engine calls drainHandler then; else cb is called on the next tick, and
// a drain awaited since an earlier write is over. Runs as an op.
func (res *ServerResponse) afterWriteLocked(cb func(error)) bool {
	if res.w.Full() {
		res.needDrain = true
		if cb != nil {
			e := res.extLocked()
			e.drainCbs = append(e.drainCbs, cb)
		}
		res.w.SetDrainHandler((*drainHandler)(res))
		return false
	}
	if res.needDrain && (res.ext == nil || res.ext.queued == 0) {
		res.drainedLocked()
	}
	if cb != nil {
		res.x.tickLocked(eventFunc(func() { cb(nil) }))
	}
	return true
}

// drainedLocked ends a wait for the drain: the write callbacks that
// waited, then 'drain' (unless End was called, as in Node).
func (res *ServerResponse) drainedLocked() {
	res.needDrain = false
	e := res.ext
	if e == nil {
		return
	}
	for _, cb := range e.drainCbs {
		cb := cb
		res.x.tickLocked(eventFunc(func() { cb(nil) }))
	}
	e.drainCbs = nil
	if fns := e.onDrain; len(fns) > 0 && !res.ended {
		res.x.tickLocked(eventFunc(func() { emit0(fns) }))
	}
}

// endFlowLocked is End's part of the flow: write callbacks still waiting
// for a drain are called before 'finish'. Runs as an op.
func (res *ServerResponse) endFlowLocked() {
	if e := res.ext; e != nil && len(e.drainCbs) > 0 {
		for _, cb := range e.drainCbs {
			cb := cb
			res.x.tickLocked(eventFunc(func() { cb(nil) }))
		}
		e.drainCbs = nil
	}
	res.needDrain = false
}

// prefinishNowLocked returns the 'prefinish' listeners to call now, after
// End's op ran directly: Node emits 'prefinish' inside end(). Outside the
// loop's window they are queued as a tick instead (before 'finish').
func (res *ServerResponse) prefinishNowLocked() []func() {
	e := res.ext
	if e == nil || len(e.onPrefinish) == 0 {
		return nil
	}
	if res.x.window {
		return e.onPrefinish
	}
	fns := e.onPrefinish
	res.x.tickLocked(eventFunc(func() { emit0(fns) }))
	return nil
}

// writeAfterEndLocked answers a write after End as Node does: on a later
// tick, cb gets ErrWriteAfterEnd and 'error' is emitted, unless the
// response was destroyed ('close' was emitted): then only a write's cb
// gets the error.
func (res *ServerResponse) writeAfterEndLocked(cb func(error), fromEnd bool) {
	var err error = ErrWriteAfterEnd
	if res.destroyed {
		if cb != nil && !fromEnd {
			res.x.tickLocked(eventFunc(func() { cb(err) }))
		}
		return
	}
	fns := res.ext.errorListeners()
	res.x.tickLocked(eventFunc(func() {
		if cb != nil {
			cb(err)
		}
		emit(fns, err)
	}))
}

// drainHandler is a ServerResponse as the engine's DrainHandler.
type drainHandler ServerResponse

func (h *drainHandler) OnDrain(*engine.Response) {
	res := (*ServerResponse)(h)
	x := res.x
	opened := x.open()
	x.mu.Lock()
	if res.needDrain && !x.wireEnded {
		res.drainedLocked()
	}
	x.mu.Unlock()
	if opened {
		x.closeWindow()
	} else {
		x.flushTicks()
	}
}

package compat

import (
	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
)

// ServerResponse is Node's http.ServerResponse. Its methods are safe from
// any goroutine: a listener may return and finish the response later, from
// a goroutine of its own, and the response stays open until End. Calls are
// applied in order (see the package's Events notes).
//
// The exported fields are read when the head is written (by WriteHead, the
// first Write, or End); set them before, from the goroutine that writes.
type ServerResponse struct {
	x   *exchange
	req *IncomingMessage
	w   *engine.Response // touched only under x.mu, on the loop or in the window, while !x.wireEnded

	// StatusCode is the status to send (default 200).
	StatusCode int
	// StatusMessage is Node's statusMessage: the reason phrase sent with the
	// status line; empty means the standard phrase for the code.
	StatusMessage string
	// SendDate is Node's sendDate (default true): whether a Date field is
	// added when none is set.
	SendDate bool

	// Guarded by x.mu.
	hdr         outHeaders
	head        head // the decided head, once headersSent
	headersSent bool // the head is decided (WriteHead, Write or End was called)
	headFlushed bool // the engine has written the head
	headApplied bool // the head has been handed to the engine (applyHead)
	// headFlushedQueued reports whether FlushHeaders was called.
	headFlushedQueued bool
	ended             bool // End was called (writableEnded)
	finished          bool // the engine's response has ended (writableFinished)
	// keepAliveSecs is the Keep-Alive field's timeout; -1 sends none.
	keepAliveSecs int16
	// needDrain is Node's kNeedDrain: a write returned false, and 'drain'
	// follows once the connection's output has drained (response_flow.go).
	needDrain bool
	// flushedAtEnd reports that the output was under its bound when the
	// response ended, so that Node would have handed it all to the socket
	// at once: Node's writableFinished is then true already.
	flushedAtEnd  bool
	finishEmitted bool // 'finish' was emitted
	destroyed     bool // 'close' was emitted (Node's destroyed)
	// ext holds what only some responses use (listeners, callbacks,
	// 'drain'), so that the exchange stays within its size class.
	ext *responseExtra
}

// Socket is Node's response.socket: the connection, the same object as
// its request's Socket and the 'connection' listener's socket, until the
// response has emitted 'finish': then nil, as Node detaches it.
func (res *ServerResponse) Socket() *Socket {
	res.x.mu.Lock()
	done := res.finishEmitted
	res.x.mu.Unlock()
	if done {
		return nil
	}
	return res.req.Socket
}

// SetHeader is Node's response.setHeader: it replaces name's value.
func (res *ServerResponse) SetHeader(name, value string) error {
	if err := checkField(name, value); err != nil {
		return err
	}
	res.x.mu.Lock()
	if res.headersSent {
		res.x.mu.Unlock()
		return ErrHeadersSent
	}
	res.hdr.setOne(name, value)
	res.x.mu.Unlock()
	return nil
}

// SetHeaderValues is SetHeader with a list, sent as one field line per
// value (as Node does for an array, such as set-cookie's).
func (res *ServerResponse) SetHeaderValues(name string, values []string) error {
	return res.setHeader(name, values, false)
}

// AppendHeader is Node's response.appendHeader: it adds value to name's values.
func (res *ServerResponse) AppendHeader(name, value string) error {
	return res.setHeader(name, []string{value}, true)
}

func (res *ServerResponse) setHeader(name string, values []string, add bool) error {
	if err := validateField(name, values); err != nil {
		return err
	}
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	if res.headersSent {
		if add {
			return errHeadersSentAppend
		}
		return ErrHeadersSent
	}
	if add {
		res.hdr.append(name, values)
	} else {
		res.hdr.set(name, values)
	}
	return nil
}

// GetHeader returns name's value ("" if unset); a list joins with ", ".
func (res *ServerResponse) GetHeader(name string) string {
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	return res.hdr.value(name)
}

// GetHeaderValues returns name's values, nil if unset.
func (res *ServerResponse) GetHeaderValues(name string) []string {
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	return res.hdr.list(name)
}

// GetHeaders returns a copy of the headers set, keyed by lower-cased name.
func (res *ServerResponse) GetHeaders() map[string][]string {
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	return res.hdr.snapshot()
}

// GetHeaderNames returns the lower-cased names of the headers set, in order.
func (res *ServerResponse) GetHeaderNames() []string {
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	return res.hdr.names()
}

// GetRawHeaderNames returns the names of the headers set, in their case.
func (res *ServerResponse) GetRawHeaderNames() []string {
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	return res.hdr.rawNames()
}

// HasHeader reports whether name is set.
func (res *ServerResponse) HasHeader(name string) bool {
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	return res.hdr.find(name) >= 0
}

// RemoveHeader unsets name; after the head is written it returns ErrHeadersSent.
func (res *ServerResponse) RemoveHeader(name string) error {
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	if res.headersSent {
		return errHeadersSentRemove
	}
	res.hdr.del(name)
	return nil
}

// HeadersSent reports whether the head has been decided: after WriteHead,
// the first Write, or End (Node's headersSent).
func (res *ServerResponse) HeadersSent() bool {
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	return res.headersSent
}

// WritableEnded reports whether End has been called.
func (res *ServerResponse) WritableEnded() bool {
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	return res.ended
}

// WritableFinished reports whether the response has been handed to the
// connection in full, just before 'finish'.
func (res *ServerResponse) WritableFinished() bool {
	res.x.mu.Lock()
	defer res.x.mu.Unlock()
	return res.finished
}

// Req returns the request this response answers (Node's response.req).
func (res *ServerResponse) Req() *IncomingMessage { return res.req }

// OnFinish registers a 'finish' listener: the response has been handed to the connection.
func (res *ServerResponse) OnFinish(fn func()) {
	res.x.mu.Lock()
	e := res.extLocked()
	e.onFinish = append(e.onFinish, fn)
	res.x.mu.Unlock()
}

// OnClose registers a 'close' listener: the response is done with.
func (res *ServerResponse) OnClose(fn func()) {
	res.x.mu.Lock()
	e := res.extLocked()
	e.onClose = append(e.onClose, fn)
	res.x.mu.Unlock()
}

// OnError registers an 'error' listener, which gets ErrWriteAfterEnd for a
// write after End, as Node emits it.
func (res *ServerResponse) OnError(fn func(error)) {
	res.x.mu.Lock()
	e := res.extLocked()
	e.onError = append(e.onError, fn)
	res.x.mu.Unlock()
}

// WriteHead is Node's response.writeHead: it sets the status, optionally
// the reason phrase (statusMessage "" keeps the default), and the fields
// given as name, value pairs, merged over those set with SetHeader. The
// head goes out with the first Write or End; after WriteHead the body is
// chunked unless a Content-Length is set, as in Node.
func (res *ServerResponse) WriteHead(statusCode int, statusMessage string, fields ...string) error {
	if statusCode < 100 || statusCode > 999 {
		return invalidStatusCode(statusCode)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		if err := validateField(fields[i], fields[i+1:i+2]); err != nil {
			return err
		}
	}
	x := res.x
	x.mu.Lock()
	defer x.mu.Unlock()
	if res.headersSent {
		return errHeadersSentWrite
	}
	res.StatusCode = statusCode
	if statusMessage != "" {
		res.StatusMessage = statusMessage
	}
	// Node passes the pairs through setHeader (last wins) when fields were
	// set before; otherwise it sends each pair as given, repeats included.
	merge := len(res.hdr.fields) > 0
	for i := 0; i+1 < len(fields); i += 2 {
		if merge {
			res.hdr.set(fields[i], fields[i+1:i+2])
		} else {
			res.hdr.fields = append(res.hdr.fields, outField{name: fields[i], value: fields[i+1]})
		}
	}
	// Node generates the head now (so the body is chunked unless a
	// Content-Length is set) and sends it with the first write or end.
	return res.decideHeadLocked(false, 0)
}

// decideHeadLocked freezes the head and marks it sent, as Node generates
// the head: final reports that End came first, with a body of length bytes.
// It runs once per response, so the head lives in the response. It returns
// Node's error for an invalid status code or reason phrase, and then the
// head is not decided.
func (res *ServerResponse) decideHeadLocked(final bool, length int) error {
	code := res.StatusCode
	if code < 100 || code > 999 {
		return invalidStatusCode(code)
	}
	if res.StatusMessage == "" {
		res.StatusMessage = statusText(code) // a valid phrase: not checked again
	} else if ValidateHeaderValue(res.StatusMessage) != nil {
		return errInvalidStatusMessage
	}
	res.headersSent = true
	res.head = head{status: int32(code), reason: res.StatusMessage, noDate: !res.SendDate, final: final, length: int64(length)}
	return nil
}

// Write is Node's response.write: the first call sends the head (chunked
// unless a Content-Length is set), and every call hands p to the connection.
// p may be reused once Write returns, unless it is over 64 KiB: such a p is
// sent from the caller's memory, as Node's socket keeps a written Buffer,
// and must not be modified afterwards. Node's boolean is WriteChunk's (or
// WritableNeedDrain after the call). After End it returns ErrWriteAfterEnd
// and emits it as 'error'.
func (res *ServerResponse) Write(p []byte) (int, error) {
	n, _, err := res.write(p, "", false, nil)
	return n, err
}

// WriteString is Write for a string.
func (res *ServerResponse) WriteString(s string) (int, error) {
	n, _, err := res.write(nil, s, true, nil)
	return n, err
}

// WriteChunk is Node's response.write(chunk, callback): Write, returning
// Node's boolean. false means the connection holds HighWaterMark bytes or
// more that the peer has not taken: stop writing and go on at 'drain'
// (OnDrain), or the bytes pile up in memory. callback (may be nil) is
// called with nil once the chunk is handed to the connection, or with
// ErrWriteAfterEnd after End (then 'error' is emitted too).
func (res *ServerResponse) WriteChunk(chunk []byte, callback func(error)) bool {
	_, ok, _ := res.write(chunk, "", false, callback)
	return ok
}

// WriteChunkString is WriteChunk for a string.
func (res *ServerResponse) WriteChunkString(chunk string, callback func(error)) bool {
	_, ok, _ := res.write(nil, chunk, true, callback)
	return ok
}

func (res *ServerResponse) write(p []byte, s string, isString bool, cb func(error)) (int, bool, error) {
	x := res.x
	x.mu.Lock()
	if res.ended {
		res.writeAfterEndLocked(cb, false)
		x.mu.Unlock()
		x.do(nil)
		return 0, false, ErrWriteAfterEnd
	}
	if !res.headersSent {
		if err := res.decideHeadLocked(false, 0); err != nil {
			x.mu.Unlock()
			return 0, false, err
		}
	}
	n := len(p)
	if isString {
		n = len(s)
	}
	if x.directLocked() {
		ok := res.writeOp(p, s, cb)
		x.unlockFlush()
		return n, ok, nil
	}
	ok := res.queueWriteLocked(n)
	x.mu.Unlock()
	// The op runs later: it gets its own copy, in a new variable so that
	// the direct path's p and s stay on the stack.
	b := copyBody(p, s, isString)
	x.do(func() {
		res.ext.queued -= n
		res.writeOp(b, "", cb)
	})
	return n, ok, nil
}

// copyBody returns a copy of p, or of s if isString. A large p is kept by
// reference, as Node's socket keeps a written Buffer: the caller must not
// modify it after writing it (engine.Response.WriteNoCopy).
func copyBody(p []byte, s string, isString bool) []byte {
	if isString {
		return []byte(s)
	}
	if len(p) > noCopyMin {
		return p
	}
	return append([]byte(nil), p...)
}

// noCopyMin is the size over which a written Buffer is sent from the
// caller's memory rather than copied (the engine's WriteNoCopy bound).
const noCopyMin = 64 << 10

// writeOp writes a piece of the body, the head first, and reports whether
// the connection's output is under its bound (Node's return of write).
// Runs as an op. The pieces collect in the connection's output, which the
// engine hands to the socket when the loop's current callback returns (or
// once 64 KiB have collected): Node corks a tick's writes likewise, and
// counts them against its bound until then.
func (res *ServerResponse) writeOp(p []byte, s string, cb func(error)) bool {
	if res.x.wireEnded {
		if cb != nil {
			res.x.tickLocked(eventFunc(func() { cb(ErrStreamDestroyed) }))
		}
		return false
	}
	if res.x.cork == 0 && res.x.window {
		res.x.cork = int32(res.w.Buffered()) + 1
	}
	res.applyHead()
	if p != nil {
		_, _ = res.w.WriteNoCopy(p)
	} else {
		_, _ = res.w.WriteString(s)
	}
	res.headFlushed = true
	return res.afterWriteLocked(cb)
}

// FlushHeaders is Node's response.flushHeaders: it sends the head now; the
// body that follows is chunked unless a Content-Length is set.
func (res *ServerResponse) FlushHeaders() {
	x := res.x
	x.mu.Lock()
	if res.ended || res.headFlushedQueued {
		x.mu.Unlock()
		return
	}
	if !res.headersSent && res.decideHeadLocked(false, 0) != nil {
		x.mu.Unlock()
		return // Node throws; FlushHeaders has no error to return
	}
	res.headFlushedQueued = true
	x.mu.Unlock()
	x.do(func() {
		if x.wireEnded {
			return
		}
		res.applyHead()
		res.headFlushed = true
		res.w.Flush()
	})
}

// End is Node's response.end: it writes data, if any, and ends the
// response; 'finish' and 'close' follow. A response whose head was not
// sent yet gets a Content-Length. End after End does nothing, unless data
// is given: that is a write after end. data over 64 KiB must not be
// modified afterwards, as for Write.
func (res *ServerResponse) End(data []byte) error {
	return res.end(data, "", false, nil)
}

// EndString is End with a string.
func (res *ServerResponse) EndString(s string) error {
	return res.end(nil, s, true, nil)
}

// EndCallback is Node's response.end(data, callback): End, with callback
// (may be nil) registered for 'finish', after the listeners registered so
// far. On a response that has ended already, callback waits for 'finish',
// or is called at once with ErrStreamAlreadyFinished if the response has
// finished; with data, it gets ErrWriteAfterEnd, on a later tick.
func (res *ServerResponse) EndCallback(data []byte, callback func(error)) error {
	return res.end(data, "", false, callback)
}

// EndStringCallback is EndCallback with a string.
func (res *ServerResponse) EndStringCallback(s string, callback func(error)) error {
	return res.end(nil, s, true, callback)
}

func (res *ServerResponse) end(p []byte, s string, isString bool, cb func(error)) error {
	x := res.x
	x.mu.Lock()
	if res.ended {
		if len(p) > 0 || len(s) > 0 {
			res.writeAfterEndLocked(cb, true)
			x.mu.Unlock()
			x.do(nil)
			return ErrWriteAfterEnd
		}
		if cb != nil && (res.finishEmitted || res.flushedAtEnd) {
			x.mu.Unlock()
			cb(ErrStreamAlreadyFinished)
			return nil
		}
		if cb != nil {
			res.onFinishLocked(func() { cb(nil) })
		}
		x.mu.Unlock()
		return nil
	}
	if !res.headersSent {
		n := len(p)
		if isString {
			n = len(s)
		}
		if err := res.decideHeadLocked(true, n); err != nil {
			x.mu.Unlock()
			return err
		}
	}
	res.ended = true
	if cb != nil {
		res.onFinishLocked(func() { cb(nil) })
	}
	if x.directLocked() {
		res.endOp(p, s)
		prefinish := res.prefinishNowLocked()
		x.unlockFlush()
		emit0(prefinish)
		return nil
	}
	x.mu.Unlock()
	b := copyBody(p, s, isString)
	x.do(func() { res.endOp(b, "") })
	return nil
}

// endOp ends the engine's response and queues 'finish'. Runs as an op.
func (res *ServerResponse) endOp(p []byte, s string) {
	x := res.x
	if x.wireEnded {
		return
	}
	w := res.w
	res.applyHead()
	switch {
	case len(p) > 0:
		_, _ = w.WriteNoCopy(p)
	case len(s) > 0:
		_, _ = w.WriteString(s)
	}
	res.flushedAtEnd = !w.Full()
	w.SetDrainHandler(nil)
	w.End()
	x.wireEnded = true
	if x.window {
		x.cork = corkEnded
	}
	res.finished = true
	res.endFlowLocked()
	x.tickLocked((*finishEvent)(res))
}

// emitFinishLocked is a tick: 'finish'; then the request's body is dumped
// if nobody read it, and 'close' follows on the next tick, as in Node.
func (res *ServerResponse) emitFinishLocked() {
	x := res.x
	if res.quietEndLocked() {
		return
	}
	fin := res.ext.finishListeners()
	res.finishEmitted = true
	if sock := res.req.Socket; sock != nil && sock.socketState != nil {
		sock.finished.Store(true) // a timeout set from now on is for the wait after it
	}
	// Node's own finish listener, registered before the user's, dumps the
	// request and queues 'close'.
	res.req.dumpLocked()
	x.tickLocked((*resCloseEvent)(res))
	if len(fin) > 0 {
		x.mu.Unlock()
		emit0(fin)
		x.mu.Lock()
	}
}

// quietEndLocked ends an exchange nobody listens to at its 'finish', and
// reports whether it did. With no listener on the request or the response
// and no other tick waiting, the ticks that would follow (the request's
// 'end' and 'close', the response's 'close') only set state, one after the
// other under mu, with nothing in between: it sets that state at once, which
// saves a hello-world request four ticks.
func (res *ServerResponse) quietEndLocked() bool {
	m := res.req
	if res.ext != nil || m.more != nil || len(m.onData) > 0 || len(m.onEnd) > 0 || m.creq != nil ||
		!m.bodyDone || m.flowing || m.ended || m.endQueued || m.enginePaused || res.x.ticksLocked() {
		return false
	}
	res.finishEmitted, res.destroyed = true, true
	m.dumped, m.flowing, m.paused = true, true, false
	m.endQueued, m.ended, m.closed = true, true, true
	return true
}

// emitCloseLocked is a tick: 'close'.
func (res *ServerResponse) emitCloseLocked() {
	res.destroyed = true
	if cl := res.ext.closeListeners(); len(cl) > 0 {
		res.x.mu.Unlock()
		emit0(cl)
		res.x.mu.Lock()
	}
}

// The response's events (see event).
type (
	finishEvent   ServerResponse // emitFinishLocked
	resCloseEvent ServerResponse // emitCloseLocked
)

func (e *finishEvent) fireLocked(*exchange)   { (*ServerResponse)(e).emitFinishLocked() }
func (e *resCloseEvent) fireLocked(*exchange) { (*ServerResponse)(e).emitCloseLocked() }

// AddTrailers adds trailer fields, sent after a chunked body (and dropped
// otherwise, as in Node). Fields are name, value pairs.
func (res *ServerResponse) AddTrailers(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if err := validateField(fields[i], fields[i+1:i+2]); err != nil {
			return err
		}
	}
	f := append([]string(nil), fields...)
	res.x.do(func() {
		if res.x.wireEnded {
			return
		}
		for i := 0; i+1 < len(f); i += 2 {
			res.w.AddTrailer(f[i], f[i+1])
		}
	})
	return nil
}

// WriteContinue sends "100 Continue" (Node's response.writeContinue), for
// a request that expects it: see Server.OnCheckContinue.
func (res *ServerResponse) WriteContinue() {
	res.x.do(func() {
		if !res.x.wireEnded {
			res.w.WriteContinue()
		}
	})
}

// WriteProcessing sends "102 Processing".
func (res *ServerResponse) WriteProcessing() { res.writeInformational(102, nil) }

// WriteEarlyHints sends "103 Early Hints" with the fields given as name,
// value pairs, such as "Link", "</styles.css>; rel=preload; as=style".
func (res *ServerResponse) WriteEarlyHints(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if err := validateField(fields[i], fields[i+1:i+2]); err != nil {
			return err
		}
	}
	res.writeInformational(103, append([]string(nil), fields...))
	return nil
}

func (res *ServerResponse) writeInformational(code int, fields []string) {
	res.x.do(func() {
		if res.x.wireEnded {
			return
		}
		var t headers.Table
		for i := 0; i+1 < len(fields); i += 2 {
			t.AddString(fields[i], fields[i+1])
		}
		res.w.WriteInformational(code, &t)
	})
}

// abortWireLocked closes the connection at once. Node drops what its
// socket, corked since this tick's first write, still holds. Runs as an op
// while !x.wireEnded.
func (res *ServerResponse) abortWireLocked() {
	if x := res.x; x.cork > 0 {
		res.w.AbortFrom(int(x.cork - 1))
	} else {
		res.w.Abort()
	}
}

// corkEnded is exchange.cork once the response ended in the window.
const corkEnded = -1

// Destroy is Node's response.destroy() (or req.socket.destroy()): it
// closes the connection at once, dropping what the response wrote in the
// same callback (Node's socket is corked until the next tick) and what the
// socket has not taken; the request then gets 'aborted', the socket
// 'close', the response 'close', the request 'error' ECONNRESET "aborted"
// and 'close', as when the client goes away. Called in the callback that ended the response,
// before 'finish', it closes the connection once the response is sent, as
// Node's; later it does nothing.
func (res *ServerResponse) Destroy() {
	x, m := res.x, res.req
	x.do(func() {
		if res.w == nil || m.aborting {
			return
		}
		if x.wireEnded {
			// Node's end() sent the response, but the socket is the
			// response's until 'finish': destroy closes it after the bytes.
			if x.cork == corkEnded && !res.finishEmitted {
				res.w.CloseAfterEnd()
			}
			return
		}
		res.abortWireLocked()
		unread, finished := m.abortLocked()
		// As in Node, the events come on later ticks, to the listeners
		// registered by then.
		if unread {
			x.tickLocked(eventFunc(func() {
				x.mu.Lock()
				aborted, _, _ := m.listenersLocked()
				x.mu.Unlock()
				emit0(aborted)
			}))
		}
		x.tickLocked(eventFunc(m.Socket.connClosed))
		if !finished {
			res.tickCloseLocked()
		}
		if unread {
			m.tickErrorLocked(ErrRequestAborted)
			x.tickLocked((*closeEvent)(m))
		}
	})
}

// tickCloseLocked queues the response's 'close' for a later tick, to the
// listeners registered by then, as Node emits it after a destroy.
func (res *ServerResponse) tickCloseLocked() {
	x := res.x
	x.tickLocked(eventFunc(func() {
		x.mu.Lock()
		fns := res.ext.closeListeners()
		x.mu.Unlock()
		emit0(fns)
	}))
}

// tickErrorLocked queues the request's 'error' with err for a later tick,
// to the listeners registered by then.
func (m *IncomingMessage) tickErrorLocked(err error) {
	x := m.x
	x.tickLocked(eventFunc(func() {
		x.mu.Lock()
		_, errs, _ := m.listenersLocked()
		x.mu.Unlock()
		emit(errs, err)
	}))
}

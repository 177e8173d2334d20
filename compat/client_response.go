package compat

import (
	"errors"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/zerohttp/zerohttp/agentpool"
	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
)

// The life of a client response
//
//  1. The engine parses the head and calls ResponseHead on the event loop:
//     the request emits what it has not of 'socket', 'prefinish' and
//     'finish' (they come when the socket is assigned and the request
//     written, see announce), then 'response', whose listeners
//     run in the response's window.
//  2. Each piece of the decoded body goes to ResponseBody, as it arrives:
//     one 'data' per piece while the response flows; while it does not,
//     pieces wait in the message and the connection stops being read.
//  3. HandleResponse ends it: 'end' and the 'close' events when the body
//     is complete, or Node's abort sequence when the connection failed
//     first. A request that failed before any head, or whose response
//     hands the socket over (101, CONNECT), is delivered by it alone.

// errReadReset is the request's error when the server reset the
// connection during the response, as Node's socket reports it.
var errReadReset = &Error{Code: "ECONNRESET", Message: "read ECONNRESET", Syscall: "read", Errno: -int(syscall.ECONNRESET)}

// connectCodes are the dial failures given Node's system error, by errno.
var connectCodes = map[syscall.Errno]string{
	syscall.ECONNREFUSED:  "ECONNREFUSED",
	syscall.ENOENT:        "ENOENT",
	syscall.EACCES:        "EACCES",
	syscall.ETIMEDOUT:     "ETIMEDOUT",
	syscall.EHOSTUNREACH:  "EHOSTUNREACH",
	syscall.ENETUNREACH:   "ENETUNREACH",
	syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL",
}

// connectError is Node's error for a failed dial, such as "connect
// ECONNREFUSED 127.0.0.1:80" or "connect ENOENT /run/app.sock", with the
// fields Node sets; nil for a failure Node words otherwise.
func connectError(op *net.OpError) error {
	var errno syscall.Errno
	if !errors.As(op.Err, &errno) {
		return nil
	}
	code, ok := connectCodes[errno]
	if !ok || op.Addr == nil {
		return nil
	}
	kind := ErrConnect
	if errno == syscall.ECONNREFUSED {
		kind = ErrConnRefused
	}
	e := &Error{Code: code, Message: "connect " + code + " " + op.Addr.String(), kind: kind}
	e.Syscall, e.Errno = "connect", -int(errno)
	e.Address = op.Addr.String()
	if ta, ok := op.Addr.(*net.TCPAddr); ok {
		e.Address, e.Port = ta.IP.String(), ta.Port
		// Node joins address and port with no brackets: "::1:80".
		e.Message = "connect " + code + " " + e.Address + ":" + strconv.Itoa(ta.Port)
		if connectAtOnce[errno] && op.Source == nil {
			// libuv reports these from connect(2) itself, and Node then
			// names the socket's local address: the unbound socket's.
			local := "0.0.0.0"
			if ta.IP.To4() == nil {
				local = "::"
			}
			e.Message += " - Local (" + local + ":0)"
		}
	}
	return e
}

// dialError returns Node's error for a failed dial or lookup, or err
// itself (for one Node words otherwise, or that is no dial's). err may
// join others, as the engine's ErrClientConnectTimeout.
func dialError(err error) error {
	var op *net.OpError
	var de *net.DNSError
	switch {
	case errors.As(err, &de):
		return lookupError(de)
	case errors.As(err, &op) && op.Op == "dial":
		if e := connectError(op); e != nil {
			return e
		}
	}
	return err
}

// connectAtOnce are the errnos a TCP connect(2) fails with before any
// packet is answered (ECONNREFUSED and the unanswered ones come later).
var connectAtOnce = map[syscall.Errno]bool{
	syscall.ENETUNREACH:   true,
	syscall.EADDRNOTAVAIL: true,
	syscall.EACCES:        true,
}

// lookupError is Node's error for a host name that did not resolve, from
// Go's resolver's: "getaddrinfo ENOTFOUND <host>" (libuv's EAI_NONAME),
// or EAI_AGAIN when the resolver could not be reached or did not answer.
func lookupError(de *net.DNSError) error {
	code, errno := "ENOTFOUND", -3008
	if !de.IsNotFound && (de.IsTemporary || de.IsTimeout) {
		code, errno = "EAI_AGAIN", -3001
	}
	e := &Error{Code: code, Message: "getaddrinfo " + code + " " + de.Name, kind: ErrLookup}
	e.Syscall, e.Errno, e.Hostname = "getaddrinfo", errno, de.Name
	return e
}

// responseHandler is a ClientRequest as the agent's engine.ResponseHandler
// and the response's engine.ResponseStreamer.
type responseHandler ClientRequest

// ResponseHead runs on the event loop once the response head is parsed:
// it emits what is due and not yet emitted of 'socket', 'prefinish' and
// 'finish', then 'response'.
func (h *responseHandler) ResponseHead(cc *engine.ClientConn, resp *engine.ClientResponse) {
	r := (*ClientRequest)(h)
	x := r.x
	sock := connSocketInfo(cc)
	x.mu.Lock()
	if r.timer != nil {
		if r.timeout > 0 && !r.answered {
			// Node's socket timeout goes on counting idle time in the body.
			r.timer.Reset(r.timeout)
			r.bodyIdle.Store(true)
		} else {
			r.timer.Stop()
		}
	}
	if r.answered {
		x.mu.Unlock() // destroyed: the response is dropped
		return
	}
	r.answered = true
	r.headArrivedLocked()
	msg := r.response(resp, sock)
	r.res, r.cc, r.conn = msg, cc, cc
	keep := resp.KeepAlive() && r.agent.KeepAlive()
	if keep && r.Method == "HEAD" && !hasLength(resp) {
		// Node does not reuse a socket after a HEAD response with no
		// length: the agent reads this flag once the response ends.
		r.wire.req.SetConnectionClose(true)
		keep = false
	}
	resps := r.onResponse
	x.mu.Unlock()

	r.announce(sock)
	if len(resps) == 0 {
		msg.dump() // Node: a response nobody listens for is read and dropped
	}
	// The response's events run on the response's own tick queue, with
	// the request's 'close' hooked in where Node emits it: before the
	// response's 'close' on a kept-alive socket, after it otherwise.
	msg.creq, msg.closeReqOnEnd = r, keep
	msg.streaming = true
	// The listeners run in the response's window: what they cause is
	// emitted after them, in order, on this goroutine.
	opened := msg.x.open()
	for _, fn := range resps {
		fn(msg)
	}
	msg.x.close(opened)
}

// connSocketInfo returns the SocketInfo of a client connection's
// addresses, made on its first request and kept as its value, so that a
// response on a kept-alive connection copies them where formatting them
// cost ~230 instructions.
func connSocketInfo(cc *engine.ClientConn) SocketInfo {
	if s, ok := cc.Value().(*SocketInfo); ok {
		return *s
	}
	s := socketInfo(cc.RemoteAddr(), cc.LocalAddr())
	cc.SetValue(&s)
	return s
}

// hasLength reports whether resp has a Content-Length or Transfer-Encoding.
func hasLength(resp *engine.ClientResponse) bool {
	h := resp.Header()
	_, cl := h.GetID(headers.ContentLength)
	_, te := h.GetID(headers.TransferEncoding)
	return cl || te
}

// RequestSent runs on the writing goroutine once the request is on cc,
// before HandleResponse: Destroy may now close cc, and does if it came
// first. The request is written: 'finish' is emitted, as Node emits it once
// the socket has taken the last of the request, before a slow response;
// not from inside End, which writes a request on a free socket itself.
func (h *responseHandler) RequestSent(cc *engine.ClientConn) {
	r := (*ClientRequest)(h)
	r.x.mu.Lock()
	r.cc = cc
	if r.destroyed && r.res == nil {
		cc.Cancel(r.eresp)
	}
	tell := !r.destroyed && !r.finished
	r.written = true
	later := r.sending
	r.x.mu.Unlock()
	if hook := r.agent.sentHook; hook != nil {
		hook(r)
	}
	if !tell {
		return
	}
	if later {
		r.announceLater(cc)
		return
	}
	r.announceConn(cc)
}

// SocketDialing runs on the dialing goroutine as the agent starts a new
// connection for the request: Node gives a request its socket while it
// connects, and emits 'socket' (and 'prefinish' once End was called) with
// the socket's addresses still undefined; a Destroy while it connects
// gives the dial up (cancel). A request destroyed before leaves the
// connection to the agent, as Node's frees it.
func (h *responseHandler) SocketDialing(cancel func()) bool {
	r := (*ClientRequest)(h)
	r.x.mu.Lock()
	if r.destroyed {
		r.x.mu.Unlock()
		return false
	}
	r.dialing, r.dialCancel = true, cancel
	if r.timeout > 0 && !r.ownTimeout && r.timer == nil {
		// Node's timeout option, and its agent's, time the socket from
		// its creation, the connect too; SetTimeout's wait for the connect.
		r.timer = time.AfterFunc(r.timeout, r.timedOut)
	}
	r.x.mu.Unlock()
	r.announce(SocketInfo{})
	return true
}

// SocketAssigned runs just before the request is written on cc, on the
// goroutine that dispatches it (a dial's, an event loop, or End's): reused
// is Node's reusedSocket, true only for a connection the agent took from
// its free list when the request was made.
func (h *responseHandler) SocketAssigned(cc *engine.ClientConn, reused bool) {
	r := (*ClientRequest)(h)
	r.x.mu.Lock()
	r.conn, r.reused = cc, reused
	r.armLocked()
	tell := !r.socketTold
	r.x.mu.Unlock()
	if !tell {
		return
	}
	// 'socket' now (and 'prefinish' if End was called), as Node emits them
	// a tick after the agent gives the request its socket. A new socket
	// comes from a dial's goroutine, a queued request's from its
	// predecessor's; a free socket is handed over inside End, where Node
	// emits nothing: they come on a goroutine of their own.
	if reused {
		r.announceLater(cc)
		return
	}
	r.announceConn(cc)
}

// RequestCancelled runs just before the agent would write the request:
// one destroyed while it waited for a socket is not written, and the
// socket goes to the next request, as Node's agent frees it. Its 'error'
// and 'close' come now, from HandleResponse, if it was destroyed in the
// agent's queue (late), or came at Destroy, if during a dial.
func (h *responseHandler) RequestCancelled() error {
	r := (*ClientRequest)(h)
	r.queued.Store(false)
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	if r.destroyed && r.cc == nil {
		return ErrSocketHangUp
	}
	return nil
}

// RequestQueued runs when the agent queues the request for want of a
// socket, under the agent's lock.
func (h *responseHandler) RequestQueued() { h.queued.Store(true) }

// HoldSocket runs on the event loop when the response has ended on a
// connection the agent would reuse: the request keeps it until its
// 'close', where Node's agent gets its 'free'.
func (h *responseHandler) HoldSocket(cc *engine.ClientConn) bool {
	r := (*ClientRequest)(h)
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	if r.conn != cc {
		return false
	}
	r.held = true
	return true
}

// ResponseBody runs on the event loop with each piece of the body.
func (h *responseHandler) ResponseBody(_ *engine.ClientConn, chunk []byte) {
	m := h.res // set and read on the loop only, until HandleResponse
	if m == nil {
		return
	}
	if h.bodyIdle.Load() {
		h.x.mu.Lock()
		if h.timer != nil && h.bodyIdle.Load() {
			h.timer.Reset(h.timeout)
		}
		h.x.mu.Unlock()
	}
	if h.wbody != nil {
		(*ClientRequest)(h).finishBeforeData()
	}
	opened := m.x.open()
	m.push(chunk) // copies chunk if the message does not flow
	m.x.close(opened)
}

// finishBeforeData emits 'finish' before the response's next 'data' if
// the streamed body has all gone to the engine: a server that answers the
// body's end can beat the writing goroutine's RequestSent, where Node has
// emitted 'finish' before it reads more.
func (r *ClientRequest) finishBeforeData() {
	x := r.x
	x.mu.Lock()
	due := !r.finished && !r.destroyed && r.wbody.sent()
	if due {
		r.written = true
	}
	cc := r.conn
	x.mu.Unlock()
	if due && cc != nil {
		r.announce(connSocketInfo(cc))
	}
}

// HandleResponse runs on an event loop (or a dialing or writing
// goroutine) once the response has ended or the request failed; see "The
// life of a client response".
func (h *responseHandler) HandleResponse(cc *engine.ClientConn, _ *engine.ClientRequest, resp *engine.ClientResponse, err error) {
	r := (*ClientRequest)(h)
	x := r.x
	x.mu.Lock()
	if r.bodyIdle.Load() {
		r.bodyIdle.Store(false)
		r.timer.Stop()
	}
	w := r.wire
	r.wire = nil // under mu: End may be filling its trailers
	msg := r.res
	r.res, r.cc, r.eresp = nil, nil, nil
	later := r.sending
	x.mu.Unlock()
	w.release()
	if msg != nil {
		if later {
			// The response was whole before the writer was done, and the
			// engine ends it on End's goroutine: Node never emits from
			// inside end(), and a listener waiting for End to return
			// would wait forever.
			go r.responseEnded(msg, resp, err)
			return
		}
		r.responseEnded(msg, resp, err)
		return
	}
	var sock SocketInfo
	if cc != nil {
		sock = connSocketInfo(cc)
	}

	x.mu.Lock()
	if r.timer != nil {
		r.timer.Stop()
	}
	if r.answered {
		late, lateErr, errs := r.late, r.lateErr, r.onError
		r.late = false
		later := r.sending
		x.mu.Unlock() // destroyed: the outcome is dropped
		engine.ReleaseClientResponse(resp)
		if late {
			// Destroyed while queued: the agent has reached it now.
			if later {
				go r.endLate(lateErr, errs)
			} else {
				r.endLate(lateErr, errs)
			}
		}
		return
	}
	r.answered = true
	sent := false // the request went out in full before err
	var ce *engine.ClientConnError
	if pe := hpeError(err); pe != nil {
		err, sent = pe, true
	} else if errors.As(err, &ce) {
		sent = true
		// The request went out and the connection failed before a head:
		// Node's 'finish', then its error for that.
		err = ErrSocketHangUp
		if errors.Is(ce.Err, syscall.ECONNRESET) {
			err = errReadReset
		}
	}
	err = dialError(err)
	if err == nil || sent {
		r.written = true
	}
	errs := r.onError
	tunnels := r.onUpgrade
	if r.Method == "CONNECT" {
		tunnels = r.onConnect
	}
	later = r.sending
	x.mu.Unlock()

	var msg2 *IncomingMessage
	var tunnel net.Conn
	var head []byte
	if err == nil {
		msg2 = r.response(resp, sock)
		if tunnel = resp.Tunnel(); tunnel != nil {
			head = resp.TunnelHead()
		}
	}
	engine.ReleaseClientResponse(resp)
	if later {
		// The agent delivered the outcome inside End, on its goroutine:
		// Node never emits from inside end().
		go r.deliver(err, msg2, tunnel, head, sock, errs, tunnels)
		return
	}
	r.deliver(err, msg2, tunnel, head, sock, errs, tunnels)
}

// destroyResponse is Node's res.destroy(err) on a client's response whose
// body is still arriving: 'aborted' (inside the call from a listener), the
// connection closed and the rest of the body dropped, then, with err, the
// request's and the response's 'error', and the response's 'close' before
// the request's; no ECONNRESET. Otherwise it is the request's Destroy.
func (r *ClientRequest) destroyResponse(m *IncomingMessage, err error) {
	x := r.x
	x.mu.Lock()
	if r.destroyed || r.res != m || r.cc == nil {
		x.mu.Unlock()
		r.Destroy(err)
		return
	}
	r.destroyed = true
	l := r.rareLocked()
	l.resDestroyed, l.resErr = true, err
	if r.timer != nil {
		r.timer.Stop()
	}
	// HandleResponse gets the cut and responseEnded ends the response.
	r.cc.Cancel(r.eresp)
	x.mu.Unlock()
	mx := m.x
	mx.mu.Lock()
	m.dumped = true // what arrives from now on is dropped, as Node's destroyed stream does
	inLoop := mx.window
	aborted, _, _ := m.listenersLocked()
	mx.mu.Unlock()
	if inLoop {
		emit0(aborted)
		return
	}
	mx.tick(eventFunc(func() { emit0(aborted) }))
	mx.flushTicks()
}

// responseEnded ends a response whose head was delivered: its 'end' and
// 'close' events once the body is complete, else Node's sequence for a
// response cut short: the request's 'error' if the socket failed (not for
// a plain close), the response's 'aborted', the request's 'close', the
// response's 'error' ECONNRESET "aborted" and its 'close'.
func (r *ClientRequest) responseEnded(msg *IncomingMessage, resp *engine.ClientResponse, err error) {
	x := msg.x
	if err == nil {
		trailers := copyFields(resp.Trailer())
		engine.ReleaseClientResponse(resp)
		opened := x.open()
		msg.bodyEndRaw(trailers)
		x.close(opened)
		x.flushTicks()
		return
	}
	engine.ReleaseClientResponse(resp)
	var reqErr error
	var ce *engine.ClientConnError
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		reqErr = errReadReset
	case !errors.As(err, &ce):
		reqErr = err // a malformed or oversized body
		if pe := hpeError(err); pe != nil {
			reqErr = pe
		}
	}
	r.x.mu.Lock()
	reqErrs := r.onError
	destroyed, destroyErr := false, error(nil)
	if r.rare != nil {
		destroyed, destroyErr = r.rare.resDestroyed, r.rare.resErr
	}
	r.x.mu.Unlock()
	if destroyed {
		r.destroyedResponseEnded(msg, destroyErr, reqErrs)
		return
	}
	opened := x.open()
	x.mu.Lock()
	if msg.more != nil {
		msg.more.pending = nil // Node's destroy drops what was not read
	}
	msg.streaming, msg.enginePaused = false, false
	msg.creq = nil // its 'close' is queued below
	aborted, errs, _ := msg.listenersLocked()
	x.mu.Unlock()
	if reqErr != nil {
		emit(reqErrs, reqErr)
	}
	emit0(aborted)
	x.tick(eventFunc(r.emitClose))
	x.tick(eventFunc(func() { emit(errs, error(ErrRequestAborted)) }))
	x.tick((*closeEvent)(msg))
	x.close(opened)
	x.flushTicks()
}

// destroyedResponseEnded ends a response destroyResponse cut: its
// 'aborted' was emitted; then come err (if any) on the request and the
// response, the response's 'close' and the request's.
func (r *ClientRequest) destroyedResponseEnded(msg *IncomingMessage, err error, reqErrs []func(error)) {
	x := msg.x
	opened := x.open()
	x.mu.Lock()
	if msg.more != nil {
		msg.more.pending = nil
	}
	msg.streaming, msg.enginePaused = false, false
	msg.creq = nil // its 'close' is queued below
	_, errs, _ := msg.listenersLocked()
	x.mu.Unlock()
	if err != nil {
		x.tick(eventFunc(func() {
			emit(reqErrs, err)
			emit(errs, err)
		}))
	}
	x.tick((*closeEvent)(msg))
	x.tick(eventFunc(r.emitClose))
	x.close(opened)
	x.flushTicks()
}

// response fills in and returns the request's IncomingMessage from resp.
func (r *ClientRequest) response(resp *engine.ClientResponse, sock SocketInfo) *IncomingMessage {
	cx := r.cx
	m := &cx.res
	m.x = &cx.resX
	m.onData, m.onEnd = cx.onData[:0:1], cx.onEnd[:0:1]
	m.StatusCode = resp.StatusCode()
	m.StatusMessage = reasonString(m.StatusCode, resp.Reason())
	major, minor := resp.Version()
	m.HTTPVersion, m.HTTPVersionMajor, m.HTTPVersionMinor = versionString(major, minor), major, minor
	_, m.RawHeaders = copyHeadInto(cx.text[:], nil, resp.Header(), cx.raw[:0])
	cx.sock.SocketInfo = sock
	m.Socket = &cx.sock
	return m
}

// reasonString returns reason as a string, interned when it is the
// code's usual phrase (the engine's table, which STATUS_CODES copies: an
// index rather than a map lookup).
func reasonString(code int, reason []byte) string {
	if s := engine.StatusText(code); s != "" && s == string(reason) {
		return s
	}
	return string(reason)
}

// deliver emits the outcome of a request that got no streamed response:
// 'socket', and 'prefinish' and 'finish' if the request went out, then
// 'error' and 'close', or 'upgrade' or 'connect' for a response that hands
// the socket over.
func (r *ClientRequest) deliver(err error, msg *IncomingMessage, tunnel net.Conn, head []byte,
	sock SocketInfo, errs []func(error), tunnels []func(*IncomingMessage, net.Conn, []byte)) {
	r.announce(sock)
	if err != nil {
		r.x.mu.Lock()
		r.destroyed = true // as Node's request is by the time of its 'error'
		r.x.mu.Unlock()
		emit(errs, err)
		r.emitClose()
		return
	}
	if tunnel == nil || len(tunnels) == 0 {
		if tunnel != nil {
			_ = tunnel.Close()
		}
		r.emitClose()
		return
	}
	for _, fn := range tunnels {
		fn(msg, tunnel, head)
	}
	r.emitClose()
}

// endLate emits the 'error' (unless err is nil, after Abort) and 'close'
// of a request destroyed while it waited in the agent's queue.
func (r *ClientRequest) endLate(err error, errs []func(error)) {
	if err != nil {
		emit(errs, err)
	}
	r.emitClose()
}

// requestCloseEvent is a ClientRequest's 'close' as an event of its
// response's tick queue.
type requestCloseEvent ClientRequest

func (e *requestCloseEvent) fireLocked(x *exchange) {
	x.mu.Unlock()
	(*ClientRequest)(e).emitClose()
	x.mu.Lock()
}

var (
	_ engine.ResponseHandler  = (*responseHandler)(nil)
	_ engine.ResponseStreamer = (*responseHandler)(nil)
	_ engine.RequestWatcher   = (*responseHandler)(nil)
	_ agentpool.SocketUser    = (*responseHandler)(nil)
	_ agentpool.Canceler      = (*responseHandler)(nil)
	_ agentpool.Queuer        = (*responseHandler)(nil)
	_ agentpool.DialWatcher   = (*responseHandler)(nil)
)

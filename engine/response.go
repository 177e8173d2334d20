package engine

import (
	"context"
	"errors"

	"github.com/panjf2000/gnet/v2"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// Errors returned by Response methods.
var (
	ErrResponseEnded = errors.New("engine: response already ended")
	ErrHeadWritten   = errors.New("engine: response head already written")
	ErrNotUpgrade    = errors.New("engine: request does not ask for an upgrade or a tunnel")
	ErrHijackWorker  = errors.New("engine: Hijack is not supported on worker goroutines")
	// ErrConnClosed is returned by a worker's Write once the connection
	// has closed: what it writes can no longer be sent.
	ErrConnClosed = errors.New("engine: connection closed")
)

// flushThreshold is how many response bytes may collect before they are
// handed to the socket during a streamed response.
const flushThreshold = 64 << 10

// Response is the response to the current request of a connection. It is
// owned by the connection and reused: it is valid until the handler returns
// or, when it outlives the handler (see End), until it ends. Its methods must
// be called on the connection's event loop (inline handlers, body and tunnel
// callbacks) or on the worker running the handler.
//
// The body is buffered until the response ends, and then sent with a
// Content-Length. Flush sends what is there and streams the rest: with the
// length set by SetContentLength, or chunked (HTTP/1.1), or until the
// connection closes (HTTP/1.0).
type Response struct {
	_ noCopy

	c        *conn
	status   int
	hdr      headers.Table
	trailers headers.Table
	body     []byte // body bytes written before the head
	length   int64  // declared body length; -1 unknown
	sent     int64  // body bytes sent after the head

	headWritten bool
	chunked     bool
	ended       bool
	detached    bool // stays open after the handler returns
	noBody      bool // answers a HEAD request
	closeConn   bool // Connection: close
	hijacked    bool
	noDate      bool         // leave out the Date field
	reason      string       // custom reason phrase; "" means the standard one
	dh          DrainHandler // told when output that was Full drains
}

func (w *Response) reset(c *conn, head bool) {
	w.c = c
	w.status = 200
	w.hdr.Reset(nil)
	w.trailers.Reset(nil)
	w.body = w.body[:0]
	w.length = -1
	w.sent = 0
	w.headWritten, w.chunked, w.ended, w.detached = false, false, false, false
	w.noBody, w.closeConn, w.hijacked, w.noDate, w.reason = head, false, false, false, ""
	w.dh = nil
}

// Header returns the response's header fields, to be filled before the head
// is written. Content-Length, Transfer-Encoding and Connection fields are
// the engine's and are not sent (see SetContentLength and SetClose); fields
// with an invalid name or a value holding CR, LF or NUL are not sent either.
func (w *Response) Header() *headers.Table { return &w.hdr }

// SetStatus sets the status code (default 200). It has no effect once the head is written.
func (w *Response) SetStatus(code int) {
	if !w.headWritten && code >= 100 && code <= 999 {
		w.status = code
	}
}

// Status returns the status code.
func (w *Response) Status() int { return w.status }

// SetContentLength declares the body's length for a streamed response, so
// that it is sent with a Content-Length rather than chunked.
func (w *Response) SetContentLength(n int64) {
	if !w.headWritten && n >= 0 {
		w.length = n
	}
}

// SetReason sets the reason phrase of the status line (RFC 9112 §4), which
// is otherwise the standard one for the status. A reason holding a byte that
// a reason-phrase may not (a control other than HTAB) is ignored.
func (w *Response) SetReason(reason string) {
	if headers.ValidateValue(reason) == nil {
		w.reason = reason
	}
}

// SetSendDate sets whether the engine adds its cached Date field when the
// handler sets none (the default is true; RFC 9110 §6.6.1 lets a server
// without a reliable clock leave it out).
func (w *Response) SetSendDate(send bool) { w.noDate = !send }

// SetClose asks for the connection to be closed after this response.
func (w *Response) SetClose() { w.closeConn = true }

// Ended reports whether the response has ended.
func (w *Response) Ended() bool { return w.ended }

// HeadWritten reports whether the head has been written.
func (w *Response) HeadWritten() bool { return w.headWritten }

// Write appends p to the body. A HEAD response, 204 and 304 discard it
// (a HEAD response still counts it for its Content-Length). Write never
// blocks on the event loop: see Full for a body too large to hold. On a
// worker, a flush waits while the connection's unsent output is over
// Options.MaxUnsentOutput, and Write returns ErrConnClosed once the
// connection has closed.
func (w *Response) Write(p []byte) (int, error) {
	if w.ended {
		return 0, ErrResponseEnded
	}
	if w.c.dropOut {
		return 0, ErrConnClosed
	}
	if !w.headWritten {
		w.body = append(w.body, p...)
		return len(p), nil
	}
	w.sendBody(p)
	return len(p), nil
}

// WriteString is Write for a string.
func (w *Response) WriteString(s string) (int, error) {
	if w.ended {
		return 0, ErrResponseEnded
	}
	if w.c.dropOut {
		return 0, ErrConnClosed
	}
	if !w.headWritten {
		w.body = append(w.body, s...)
		return len(s), nil
	}
	// Streaming after the head: the copy into a chunk is needed anyway.
	c := w.c
	if w.noBody || !bodyAllowed(w.status) || len(s) == 0 {
		return len(s), nil
	}
	if w.chunked {
		c.out = appendChunkSize(c.out, len(s))
		c.out = append(c.out, s...)
		c.out = append(c.out, "\r\n"...)
	} else {
		c.out = append(c.out, s...)
	}
	w.sent += int64(len(s))
	c.maybeFlush()
	return len(s), nil
}

// WriteNoCopy is Write for a body piece the connection may send from p
// itself, holding on to p until the peer has read it, as Node's
// socket.write does with a Buffer: the caller must not modify p after the
// call. It does so for a piece over 64 KiB written after the head (Flush,
// WriteRawHead) of a body that is not chunked, on the event loop, when
// no other caller's buffer waits to be sent; otherwise it copies p as
// Write does. The connection then holds p, not a copy of it, while it
// drains, and serves no further request until the socket has taken it
// all. p may wait behind the head by reference; a write after it while it
// waits copies it then.
func (w *Response) WriteNoCopy(p []byte) (int, error) {
	c := w.c
	if len(p) <= maxKeptBuf || !w.headWritten || w.chunked || w.noBody || !bodyAllowed(w.status) ||
		w.ended || c.dropOut || c.inWorker || c.closed {
		return w.Write(p)
	}
	c.flushOut()
	if len(c.out) != 0 || c.lent || c.next != nil {
		return w.Write(p)
	}
	if c.unsent() != 0 {
		// Behind output of the connection's own (the head, or what an
		// earlier response left): p waits its turn, still by reference.
		c.next = p[:len(p):len(p)]
		w.sent += int64(len(p))
		return len(p), nil
	}
	// p goes out as out; with a capacity of its length, it is never
	// appended to, and dropLarge lets it go (without keeping it) once sent.
	spare := c.out
	c.out = p[:len(p):len(p)]
	w.sent += int64(len(p))
	c.flushOut()
	if c.unsent() > 0 {
		c.lent = true // send is p (flushOut swapped it in)
	} else {
		// All of p was taken (out is nil), or the write failed and dropped
		// it: p may sit in send, emptied; it must not be appended to.
		c.out = spare[:0]
		if cap(c.send) > maxKeptBuf {
			c.send = nil
		}
	}
	return len(p), nil
}

// sendBody writes p after the head.
func (w *Response) sendBody(p []byte) {
	c := w.c
	if w.noBody || !bodyAllowed(w.status) || len(p) == 0 {
		return
	}
	if w.chunked {
		c.out = appendChunk(c.out, p)
	} else {
		c.out = append(c.out, p...)
	}
	w.sent += int64(len(p))
	c.maybeFlush()
}

// Flush writes the head, if not yet written, and the body so far, and hands
// them to the socket. The rest of the body is streamed.
func (w *Response) Flush() {
	if w.ended || w.hijacked {
		return
	}
	if !w.headWritten {
		w.writeHead(false)
		if len(w.body) > 0 {
			body := w.body
			w.body = w.body[:0]
			w.sendBody(body)
		}
	}
	w.c.flushOut()
}

// Full reports whether the connection holds Options.MaxUnsentOutput bytes
// or more of output that the socket has not taken, this response's
// buffered body included. Writes still succeed when it is full, but every
// byte written is held in memory until the peer reads it: a handler
// producing a large or endless body should stop when Full reports true and
// go on when its DrainHandler is called (SetDrainHandler), as Node's
// write() returning false and 'drain' do. After Full has reported true the
// drain handler is called once, on the event loop, when the unsent output
// has fallen to half the bound. On a worker there is no need to check:
// its writes wait for room by themselves.
func (w *Response) Full() bool {
	c := w.c
	if c.pending()+len(w.body) < c.s.opts.MaxUnsentOutput {
		return false
	}
	if !c.inWorker {
		c.needDrain = true
	}
	return true
}

// DrainHandler learns that a response's connection has room for more
// output after Response.Full reported true.
type DrainHandler interface {
	// OnDrain runs on the connection's event loop. It may write, and
	// check Full again.
	OnDrain(w *Response)
}

// SetDrainHandler registers h for the current response (nil removes it).
// It is not called once the response has ended or the connection has
// closed (see CloseHandler), nor for a handler running on a worker. Must
// be called on the connection's event loop.
func (w *Response) SetDrainHandler(h DrainHandler) { w.dh = h }

// AddTrailer adds a trailer field, sent after a chunked body. A response
// that is not chunked drops its trailers.
func (w *Response) AddTrailer(name, value string) { w.trailers.AddString(name, value) }

// Detach keeps the response open after the handler returns, until End. The
// request's views stay valid until then. The returned Deferred lets another
// goroutine finish the response on the connection's event loop. Must be
// called by an inline handler or a body callback.
func (w *Response) Detach() *Deferred {
	w.detached = true
	c := w.c
	return &Deferred{c: c, ev: c.l.ev, gen: c.gen.Load()}
}

// Deferred is a detached response's handle for other goroutines.
type Deferred struct {
	c   *conn
	ev  gnet.EventLoop
	gen uint64 // c.gen when detached: a reused conn has another
}

// deferredCall is one Deferred.Do call queued onto the loop.
type deferredCall struct {
	d  *Deferred
	fn func(w *Response)
}

// Do runs fn on the connection's event loop with the response, unless the
// connection has closed meanwhile (or the response has ended), in which
// case fn does not run. fn typically writes and ends the response; the
// connection then goes on with its next request. Safe from any goroutine.
func (d *Deferred) Do(fn func(w *Response)) error {
	return d.ev.Execute(context.Background(), &deferredCall{d: d, fn: fn})
}

// Run runs the call on the loop.
func (dc *deferredCall) Run(context.Context) error {
	c := dc.d.c
	if c.gen.Load() != dc.d.gen || c.closed || c.gc == nil || !c.active || c.resp.ended {
		return nil
	}
	c.inCall = true
	dc.fn(&c.resp)
	c.inCall = false
	if c.closed {
		c.release()
		return nil
	}
	gc := c.gc
	if c.onTraffic() == gnet.Close {
		_ = gc.Close()
	}
	return nil
}

// End ends the response: it writes the head if it is not written yet (with
// a Content-Length for the buffered body) or the end of a streamed body.
// The response ends by itself when the handler returns, unless the handler
// called Detach or Request.SetBodyHandler. Calling End twice does nothing.
func (w *Response) End() {
	if w.ended {
		return
	}
	w.ended = true
	c := w.c
	switch {
	case w.hijacked:
	case !w.headWritten:
		w.writeHead(true)
	case w.chunked:
		c.out = appendLastChunk(c.out, &w.trailers)
	case w.length >= 0 && w.sent != w.length && !w.noBody && bodyAllowed(w.status):
		// The body is shorter or longer than declared; the framing is lost.
		c.closeWhenDone = true
	case w.length < 0 && bodyAllowed(w.status) && !w.noBody:
		c.closeWhenDone = true // a body delimited by the close
	}
	c.responseEnded()
}

// Abort ends the response by closing the connection after the responses
// owed before it, instead of finishing it: what of it is not yet handed to
// the socket is dropped, so a client that got nothing of it sees the
// connection close, and one that got its head sees the body cut short
// (net/http's answer to a handler that panics). Must be called where the
// response's other methods may be; calling it on an ended response does
// nothing.
func (w *Response) Abort() {
	if w.ended {
		return
	}
	if !w.headWritten {
		w.body = w.body[:0]
	}
	w.headWritten, w.ended = true, true
	w.c.closeAfter = true
}

// Buffered returns how many output bytes the connection holds that it has
// not handed to the socket yet: a mark for AbortFrom.
func (w *Response) Buffered() int { return len(w.c.out) }

// AbortFrom is Abort that also drops the output written since Buffered
// returned mark, within the same loop callback (it is handed to the socket
// when the callback returns): Node's socket.destroy() drops what its corked
// socket holds. Output handed over meanwhile is not taken back.
func (w *Response) AbortFrom(mark int) {
	if w.ended {
		return
	}
	if c := w.c; !c.inWorker && mark >= 0 && mark <= len(c.out) {
		c.out = c.out[:mark]
	}
	w.Abort()
}

// CloseAfterEnd closes the connection once what was written is sent, even
// after End (SetClose must come before it). It must be called before the
// handler or Deferred call that ended the response returns.
func (w *Response) CloseAfterEnd() { w.c.closeAfter = true }

// WriteContinue sends "100 Continue" if the request expects it and it has
// not been sent. With Options.CheckContinue this is how a handler agrees to
// receive the body.
func (w *Response) WriteContinue() {
	c := w.c
	if w.headWritten || w.ended || !c.p.Expect100() || c.sentContinue {
		return
	}
	c.sentContinue = true
	c.out = append(c.out, "HTTP/1.1 100 Continue\r\n\r\n"...)
	c.flushOut()
}

// WriteInformational sends a 1xx interim response (other than 101) with the
// fields of h (may be nil), such as 103 Early Hints.
func (w *Response) WriteInformational(code int, h *headers.Table) {
	if w.headWritten || w.ended || code < 100 || code > 199 || code == 101 {
		return
	}
	c := w.c
	c.out = appendStatusLine(c.out, code)
	if h != nil {
		c.out = appendFields(c.out, h, false)
	}
	c.out = append(c.out, "\r\n"...)
	c.flushOut()
}

// writeHead appends the status line and fields to the connection's output.
// With final set, the whole body is in w.body and goes with a Content-Length.
func (w *Response) writeHead(final bool) {
	c := w.c
	s := c.s
	var hc *headCache
	var dst []byte // the head up to the framing fields, when not cached
	var askClose bool
	if lines, ok := w.hdr.Lines(); ok && w.reason == "" && !c.inWorker {
		// The head up to the framing fields depends only on the status, the
		// handler's field lines and the Date line; most responses repeat the
		// previous one's. A worker must not touch the loop's cache.
		hc = &c.l.heads
		hc.refresh(w, lines)
		askClose = hc.closeConn
	} else {
		dst, askClose = w.appendHeadFields(c.out)
	}
	w.closeConn = w.closeConn || askClose

	r := &c.req
	p := &c.p
	_, minor := p.Version()
	bodyUnread := !c.bodyDone && r.bh == nil
	if r.pipe != nil {
		bodyUnread = !r.pipe.ended() // bodyDone is the loop's while it feeds the pipe
	}
	closeConn := w.closeConn || !p.KeepAlive() || s.closing.Load() || bodyUnread
	if hc != nil && final && !closeConn && minor >= 1 && !w.noBody && bodyAllowed(w.status) &&
		p.Method() != parse.MethodCONNECT && len(w.body) <= flushThreshold {
		// The usual keep-alive response: the whole head, Content-Length and
		// blank line included, is cached with the body length it was built for.
		out := append(c.out, hc.withLength(int64(len(w.body)))...)
		c.out = append(out, w.body...)
		w.headWritten = true
		return
	}
	if hc != nil {
		dst = append(c.out, hc.head...)
	}
	switch {
	case w.status == 101 || (p.Method() == parse.MethodCONNECT && w.status/100 == 2):
		// Switching protocols or a tunnel: no framing fields, and what the
		// client sends next is not HTTP (RFC 9110 §7.8, §9.3.6). Unless
		// Hijack takes the connection over (it clears this), it closes once
		// the response is out: its bytes are never parsed as requests.
		c.closeWhenDone = true
	case !bodyAllowed(w.status):
	case final:
		if !w.noBody || len(w.body) > 0 || w.length >= 0 {
			n := int64(len(w.body))
			if w.noBody && w.length >= 0 {
				n = w.length
			}
			dst = appendContentLength(dst, n)
		}
	case w.length >= 0:
		dst = appendContentLength(dst, w.length)
	case w.noBody:
	case minor >= 1:
		dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
		w.chunked = true
	default:
		closeConn = true // HTTP/1.0: the body ends with the connection
	}
	switch {
	case w.status == 101:
		// RFC 9110 §7.8: Upgrade is hop-by-hop, so the 101 names it in
		// Connection; a handler's own Connection field is not sent.
		dst = append(dst, "Connection: Upgrade\r\n"...)
	case closeConn:
		dst = append(dst, "Connection: close\r\n"...)
		c.closeWhenDone = true
	case minor == 0:
		dst = append(dst, "Connection: keep-alive\r\n"...)
	}
	dst = append(dst, "\r\n"...)
	c.out = dst
	w.headWritten = true
	if final && !w.noBody && bodyAllowed(w.status) {
		if len(w.body) > flushThreshold {
			// A large body goes to the socket from its own buffer, which
			// the connection takes over (swapping buffers) for as long as
			// the peer needs to read it: it is not copied behind the head.
			c.flushOut()
			if len(c.out) == 0 {
				c.out, w.body = w.body, c.out
				c.flushOut()
				return
			}
		}
		c.out = append(c.out, w.body...)
	}
}

// appendHeadFields appends the status line, the Server and Date lines unless
// the handler set its own, and the handler's valid non-framing fields. It
// reports whether a Connection field holds "close".
func (w *Response) appendHeadFields(dst []byte) (_ []byte, askClose bool) {
	hasDate, hasServer := false, false
	for i := 0; i < w.hdr.Len(); i++ {
		switch w.hdr.Field(i).ID {
		case headers.Date:
			hasDate = true
		case headers.Server:
			hasServer = true
		case headers.Connection:
			if headers.HasToken(w.hdr.Value(i), "close") {
				askClose = true
			}
		}
	}
	if w.reason != "" {
		dst = appendCustomStatusLine(dst, w.status, w.reason)
	} else {
		dst = appendStatusLine(dst, w.status)
	}
	if sl := w.c.s.serverLine; !hasServer && len(sl) > 0 {
		dst = append(dst, sl...)
	}
	if !hasDate && !w.noDate {
		dst = appendDate(dst)
	}
	return appendFields(dst, &w.hdr, false), askClose
}

package engine

import (
	"log"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/panjf2000/gnet/v2"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// conn is the state of one server connection. It holds the connection's one
// Request and Response: requests are served one at a time, in order, so
// pipelined responses cannot be reordered. Unless a field says otherwise it
// is touched only on the connection's event loop, or by the worker that owns
// it while inWorker is set.
type conn struct {
	s  *Server
	l  *loop
	gc gnet.Conn
	li int   // index in l.conns
	tm timer // the connection's one deadline on l's wheel

	p    parse.Parser
	dec  parse.Body
	req  Request
	resp Response

	out     []byte // responses owed for this read, written with one Write
	head    []byte // a copy of the current head once the request outlives a read
	bodyBuf []byte // a buffered body that came in pieces, or a copy of one
	inHeld  int    // bodyBuf's capacity counted in s.input, 0 or over inputFree (inputbudget.go)
	inHead  int    // unread bytes of a head not yet complete counted in s.input, 0 or over inputFree

	trailTabs [2]headers.Table // req.trails points at one; detach copies into the other

	active        bool  // a head is parsed and its request is not finished
	dispatched    bool  // the handler has been called for the current request
	bodyDone      bool  // the current request's body has been read
	bodyView      bool  // req.body is a view into the read buffer
	detached      bool  // the current request's views point at conn-owned copies
	sentContinue  bool  // 100 Continue went out for the current request
	closeWhenDone bool  // close after the current response
	closeAfter    bool  // stop reading; close once out is written
	closed        bool  // gnet closed the connection
	inCall        bool  // an event handler is running for c
	inWorker      bool  // a worker owns req, resp and out
	bodyRead      int64 // body bytes decoded for the current request

	// Wheel times in milliseconds; 0 means unset.
	headStart  int64 // first byte of the head being read
	reqStart   int64 // first byte of the current request
	idleSince  int64 // end of the last request, or the accept
	lastActive int64 // last read
	sockIdle   int64 // the connection's own idle timeout (ConnHandle.SetIdleTimeout); 0: the server's
	fresh      bool  // no request has been read yet
	// Under KeepAliveReplacesIdle, sockIdle set between requests replaces
	// the keep-alive timeout until the next head, as Node's
	// socket.setTimeout after 'finish': sockIdleAfter marks it set for
	// after the request in progress (SetIdleTimeoutAfter), whose end turns
	// it into sockIdleBetween. A head makes
	// sockIdleBetween stale (the server's timeouts apply while c.active),
	// and the request's end drops it, so that the read path has no check.
	sockIdleAfter, sockIdleBetween bool

	hij        *Tunnel // set once the connection is hijacked
	value      any     // Request.SetConnValue's; cleared with the connection
	onShut     func()  // Options.OnOpenConn's close callback, if any
	readPaused bool    // the socket is not being read (see loop.pauseRead)

	// Output (output.go): send[sendOff:] are bytes the socket has not
	// taken, which go before out. send is the loop's even while a worker
	// owns out; wo carries the worker's flushes to it.
	fd        int // the socket; -1 for a test connection without one
	send      []byte
	sendOff   int
	next      []byte // a caller's buffer queued behind send (WriteNoCopy), sent after it
	lent      bool   // send is a caller's buffer (Response.WriteNoCopy): never written into
	watched   bool   // fd is in the server's drain watch
	blocked   bool   // unsent output over the bound: requests wait (see serve)
	needDrain bool   // Response.Full reported true: call the drain handler once it drains
	dropOut   bool   // the worker's output is dropped: the connection closed
	wo        workerOut

	// A body streamed to a worker (Request.BodyReader): piping is set while
	// the current request's body goes to pipe; pipeFull while bytes wait
	// for room in it.
	pipe     *bodyPipe
	piping   bool
	pipeFull bool

	// Request.Done and ClientGone (gone.go): gone holds the go* bits,
	// goneCh the Done channel, made on the first call and kept while open.
	gone   atomic.Uint32
	goneCh chan struct{}

	workDone atomic.Bool   // set by the worker when the response is in out
	resumed  atomic.Bool   // set by Request.Resume
	refs     atomic.Int32  // the loop's reference plus a running worker's
	gen      atomic.Uint64 // bumped each time the conn is reused, for Deferred
}

var connPool = sync.Pool{New: func() any { return new(conn) }}

func newConn(s *Server, l *loop, gc gnet.Conn) *conn {
	c := connPool.Get().(*conn)
	c.reset(s, l, gc)
	return c
}

// reset prepares a pooled conn for a new connection: every flag of the
// last one is cleared (TestConnResetClearsFlags checks them all).
func (c *conn) reset(s *Server, l *loop, gc gnet.Conn) {
	c.s, c.l, c.gc = s, l, gc
	c.gen.Add(1)
	c.p.Init(parse.Request, &s.pcfg)
	c.req.c = c
	c.req.hdr.Reset(nil)
	c.req.trails = &c.trailTabs[0]
	c.resp.c = c
	c.tm.f = c
	c.out = c.out[:0]
	c.fd = gc.Fd()
	c.send, c.sendOff, c.lent, c.next = c.send[:0], 0, false, nil
	c.watched, c.blocked, c.needDrain, c.dropOut = false, false, false, false
	c.wo.reset()
	c.active, c.dispatched, c.bodyDone, c.bodyView, c.detached = false, false, false, false, false
	c.sentContinue, c.closeWhenDone, c.closeAfter, c.closed, c.inCall, c.inWorker = false, false, false, false, false, false
	c.readPaused, c.piping, c.pipeFull = false, false, false
	c.headStart, c.reqStart = 0, 0
	c.idleSince, c.lastActive = l.now(), l.now()
	c.sockIdle, c.sockIdleAfter, c.sockIdleBetween = 0, false, false
	c.fresh = true
	c.hij = nil
	c.value = nil
	c.onShut = nil
	c.workDone.Store(false)
	c.resumed.Store(false)
	c.gone.Store(0)
	c.goneCh = nil
	c.refs.Store(1)
}

// release drops a reference; the last one returns c to the pool.
func (c *conn) release() {
	if c.refs.Add(-1) != 0 {
		return
	}
	c.gc = nil
	c.hij = nil
	c.value = nil
	c.onShut = nil
	c.req.base, c.req.body, c.req.bh, c.req.ch = nil, nil, nil, nil
	c.req.hdr.Reset(nil)
	c.req.trails.Reset(nil)
	// A burst's buffers are not kept: a pooled conn holds little.
	// A lent send is over maxKeptBuf too: it is let go here.
	if c.inHeld > 0 {
		c.dropBody()
	}
	if c.inHead > 0 {
		c.dropHead()
	}
	kept := 0
	for _, b := range []*[]byte{&c.out, &c.send, &c.bodyBuf, &c.resp.body, &c.head} {
		*b = dropLarge(*b)
		kept += cap(*b)
	}
	// The pool's conns, and what gnet frees with the connection (about
	// 4 KiB), go back to the heap only when collected: a burst of closes
	// (20,000 resets mid-body held 1.3 GB) counts towards a forced
	// collection too (reclaim.go).
	noteDropped(kept + 4<<10)
	c.sendOff, c.next = 0, nil
	connPool.Put(c)
}

// onTraffic is the read path; see "The life of a request" in doc.go.
func (c *conn) onTraffic() gnet.Action {
	c.inCall = true
	c.lastActive = c.l.now()
	act := c.serve()
	c.inCall = false
	if c.closed {
		c.release()
		return gnet.None
	}
	checkHeld(c)
	return act
}

func (c *conn) serve() gnet.Action {
	if c.hij != nil {
		// A hijack from Deferred.Do leaves the 101 or 2xx head in out.
		c.flushOut()
		c.toTunnel()
		return c.hij.traffic()
	}
	if c.sendOff < len(c.send) {
		c.writeSend() // a wake from the drain watch, or any event: send what the socket takes
	}
	if c.inWorker {
		done := c.workDone.Load() // before taking: the worker hands over its last flush first
		c.takeHandoff()
		if !done {
			// The worker wakes the connection when it is done, when it
			// hands over output, and when it has made room for more of a
			// streamed body.
			c.feedPipe()
			if cap(c.send) > maxKeptBuf {
				c.trimOut()
			}
			c.l.pauseRead(c)
			return gnet.None
		}
		c.inWorker = false
		c.workDone.Store(false)
		if c.gone.Load() != 0 {
			c.gone.Store(0) // the handler asked (gone.go); the next request has not
		}
	}
	if c.blocked {
		if !c.drainedTo(c.s.lowWater) && !c.closeAfter {
			c.arm()
			c.l.pauseRead(c)
			return gnet.None // still draining
		}
		c.blocked = false
	}
	if c.resumed.Load() && c.resumed.Swap(false) { // a plain load first: the swap is a locked instruction
		c.req.paused = false
	}
	for {
		buf, _ := c.gc.Peek(-1)
		off := c.processGuarded(buf)
		if off > 0 {
			scribble(buf[:off])
			_, _ = c.gc.Discard(off)
		}
		if c.inWorker {
			c.feedPipe() // the body bytes after the head
			break
		}
		c.flushOut()
		if !c.blocked || !c.drainedTo(c.s.lowWater) || c.closeAfter {
			break
		}
		c.blocked = false // the socket took it all at once: serve the rest of the buffer
	}
	if c.hij != nil {
		c.toTunnel()
		return c.hij.start()
	}
	if !c.inWorker && c.closeAfter && c.unsent() == 0 { // inWorker first: a worker owns closeAfter
		return gnet.Close
	}
	if c.needDrain && !c.inWorker && c.unsent() <= c.s.lowWater {
		_ = c.gc.Wake(nil) // the drain handler wrote until Full again: call it on the next turn
	}
	if cap(c.send) > maxKeptBuf || !c.inWorker && cap(c.out) > maxKeptBuf { // a worker owns out
		c.trimOut()
	}
	c.arm()
	// pauseRead can only change something for a connection that owes a
	// response or output, or is paused: the usual keep-alive connection,
	// idle and reading, skips the call (-16 instructions per request).
	if c.active || c.readPaused || c.blocked || c.sendOff < len(c.send) {
		c.l.pauseRead(c)
	}
	return gnet.None
}

// toTunnel leaves the socket to gnet once the connection is hijacked: the
// unsent bytes go to gnet's buffer, ahead of the tunnel's writes, and the
// socket is read again.
func (c *conn) toTunnel() {
	if c.sendOff < len(c.send) {
		_, _ = c.gc.Write(c.send[c.sendOff:])
		if c.next != nil {
			_, _ = c.gc.Write(c.next)
		}
		c.send, c.sendOff = dropLarge(c.send), 0
		c.lent, c.next = false, nil
	}
	c.hij.live = true
	c.s.drains.unwatch(c)
	if c.readPaused && c.l.setReading(c.gc, true) == nil {
		c.readPaused = false
	}
}

// processGuarded is process with one recover for the whole read rather than
// one per request (a deferred recover cost ~50 instructions, a fortieth of
// a pipelined request). A panic in a handler or body callback is logged
// with its stack and answered with 500 and Connection: close if nothing of
// the response went out yet, or by closing the connection if some did,
// instead of taking the event loop and the process down. The responses owed
// to earlier requests of the read still go out first.
func (c *conn) processGuarded(buf []byte) (off int) {
	returned := false
	defer func() {
		if returned {
			return // the usual way out: no call into the runtime's recover
		}
		if v := recover(); v != nil {
			c.handlerPanicked(v)
			c.closeAfter = true
			off = 0 // nothing more is read: the connection closes
		}
	}()
	off = c.process(buf)
	returned = true
	return off
}

// process serves the requests in buf, in order, and returns how many bytes
// of buf are done with.
func (c *conn) process(buf []byte) (off int) {
	msgOff := -1 // where the current message starts in buf, if its head was parsed from buf
	if c.inHead > 0 {
		c.dropHead() // counted again below if the head is still incomplete: per read, not per request
	}
	if c.needDrain && !c.inWorker {
		c.drained()
	}
	for !c.inWorker && !c.closeAfter && c.hij == nil {
		if !c.active {
			if off == len(buf) {
				break
			}
			if c.unsent()+len(c.out) > c.s.opts.MaxUnsentOutput || c.lent {
				c.blocked = true // the next request waits for the output to drain
				break
			}
			if c.headStart == 0 {
				c.headStart = c.l.now()
			}
			msgOff = off
			n, err := c.p.Parse(buf[off:], &c.req.hdr)
			if err != nil {
				c.replyErrorFor(statusOf(err), c.refusal(err, buf, off+c.p.ErrOffset()))
				break
			}
			if n == 0 {
				if rest := len(buf) - off; rest > inputFree {
					if !c.holdHead(rest) {
						off = len(buf) // refused: its bytes go
					}
				}
				break
			}
			c.begin(buf[off:], n)
			off += n
			if c.closeAfter {
				break
			}
		}
		if c.req.streaming && !c.dispatched {
			c.dispatch()
			if c.inWorker {
				break // the body goes to the worker through the pipe
			}
			if c.hij != nil {
				break // the bytes after the head go to the tunnel
			}
		}
		if c.dispatched && c.resp.ended && !c.bodyDone && c.req.bh == nil {
			// The response ended but nobody reads the rest of the body.
			c.closeAfter = true
			break
		}
		if !c.bodyDone && !c.closeAfter {
			n, more := c.readBody(buf[off:])
			off += n
			if more {
				break
			}
			if !c.bodyDone {
				continue // switched to streaming: dispatch, then read on
			}
		}
		if !c.dispatched {
			c.dispatch()
			if c.inWorker {
				break
			}
			if c.hij != nil {
				break // the bytes after the head go to the tunnel
			}
		}
		if !c.resp.ended {
			break
		}
		if !c.bodyDone {
			// The response ended but nobody reads the rest of the body.
			c.closeAfter = true
			break
		}
		// The next message starts at off. If this one was parsed from buf
		// too, the parser keeps its classified window (parse.Parser.Next).
		shift := -1
		if msgOff >= 0 {
			shift = off - msgOff
		}
		c.finish(shift)
		if c.sockIdle != 0 {
			c.keepAliveTakesOver(off < len(buf))
		}
		msgOff = -1
	}
	if c.active && !c.detached && !c.inWorker {
		c.detach()
	}
	return off
}

// statusOf maps a parse error to the status of the reply.
func statusOf(err error) int {
	if code, ok := err.(parse.Code); ok {
		return code.Status()
	}
	return 400
}

// begin sets up the request whose head is b[:n].
func (c *conn) begin(b []byte, n int) {
	r := &c.req
	p := &c.p
	r.set(b[:n])
	c.active, c.dispatched, c.detached, c.bodyView, c.sentContinue = true, false, false, false, false
	c.closeWhenDone = false
	c.fresh = false
	c.bodyRead = 0
	c.bodyBuf = c.bodyBuf[:0]
	c.reqStart = c.headStart
	c.resp.reset(c, p.Method() == parse.MethodHEAD)
	framing, length := p.Framing(), p.ContentLength()
	c.dec.Init(framing, length, &c.s.pcfg)
	c.bodyDone = c.dec.Done()
	if c.bodyDone {
		return
	}
	o := &c.s.opts
	if framing == parse.BodyLength && o.MaxBodyBytes > 0 && length > o.MaxBodyBytes {
		c.replyError(413)
		return
	}
	switch {
	case o.CheckContinue && p.Expect100():
		r.streaming = true
	case framing == parse.BodyLength && length > int64(o.MaxBufferedBody):
		if !o.StreamBodies {
			c.replyError(413) // before 100 Continue: the client need not send it
			return
		}
		r.streaming = true
	}
	if p.Expect100() && !o.CheckContinue && len(b) == n {
		// RFC 9110 §10.1.1: the client waits for this before sending the body.
		c.out = append(c.out, "HTTP/1.1 100 Continue\r\n\r\n"...)
		c.sentContinue = true
	}
}

// readBody decodes body bytes at the start of b. It returns the bytes used
// and whether processing must stop: more input is needed, the reader paused,
// or the request failed.
func (c *conn) readBody(b []byte) (n int, stop bool) {
	r := &c.req
	o := &c.s.opts
	for {
		if r.streaming && r.paused {
			return n, true
		}
		data, k, err := c.dec.Decode(b[n:], r.trails)
		if err != nil {
			c.bodyErrorFor(statusOf(err), c.bodyRefusal(err, b, n+k))
			return n, true
		}
		n += k
		if len(data) > 0 {
			c.bodyRead += int64(len(data))
			if o.MaxBodyBytes > 0 && c.bodyRead > o.MaxBodyBytes {
				c.bodyError(413)
				return n, true
			}
			switch {
			case r.streaming:
				if r.bh != nil {
					r.bh.OnBody(r, data)
				}
			case len(c.bodyBuf) == 0 && int64(len(data)) == c.p.ContentLength():
				r.body, c.bodyView = data, true // the whole body in one read: no copy
			default:
				if !c.gather(data, false) {
					c.refuseInput(false)
					return n, true
				}
				if len(c.bodyBuf) > o.MaxBufferedBody {
					if !o.StreamBodies {
						c.bodyError(413) // a chunked body outgrew the buffer
						return n, true
					}
					r.streaming = true // delivered from bodyBuf once the handler asks
					if c.dec.Done() {
						c.bodyDone = true
					}
					return n, false
				}
			}
		}
		if c.dec.Done() {
			c.bodyDone = true
			if r.streaming {
				if r.bh != nil {
					r.bh.OnBodyEnd(r, r.trails)
				}
			} else if !c.bodyView {
				r.body = c.bodyBuf
			}
			return n, false
		}
		if k == 0 || c.closeAfter {
			return n, true
		}
	}
}

// startPipe sets up the pipe that carries the current request's body to the
// worker, starting with what has been buffered. Called on the loop by dispatch.
func (c *conn) startPipe() {
	if c.pipe == nil {
		c.pipe = new(bodyPipe)
		c.pipe.cond.L = &c.pipe.mu
	}
	c.pipe.reset(c.gc, c.s.opts.MaxBufferedBody)
	c.pipe.feed(c.bodyBuf)
	c.bodyBuf = c.bodyBuf[:0]
	if c.bodyDone {
		c.pipe.end(c.req.trails)
	}
	c.req.pipe = c.pipe
	c.piping, c.pipeFull = true, false
}

// feedPipe decodes body bytes from the connection's buffer into the pipe of
// the worker reading them, as many as the pipe has room for. A failed body
// aborts the reader and closes the connection after the worker's response.
// Called on the loop while a worker runs the handler.
func (c *conn) feedPipe() {
	c.pipeFull = false
	if !c.piping || c.bodyDone || c.closed {
		return
	}
	buf, _ := c.gc.Peek(-1)
	n := 0
	for n < len(buf) {
		room := c.pipe.room()
		if room == 0 {
			c.pipeFull = true
			break
		}
		data, k, err := c.dec.DecodeMax(buf[n:], room, c.req.trails)
		n += k
		c.bodyRead += int64(len(data))
		if limit := c.s.opts.MaxBodyBytes; err != nil || (limit > 0 && c.bodyRead > limit) {
			c.pipe.fail(ErrBodyAborted)
			c.piping = false
			c.closeAfter = true
			break
		}
		c.pipe.feed(data)
		if c.dec.Done() {
			c.bodyDone = true
			c.pipe.end(c.req.trails)
			break
		}
		if k == 0 {
			break
		}
	}
	if n > 0 {
		scribble(buf[:n])
		_, _ = c.gc.Discard(n)
	}
}

// bodyError answers a request whose body failed: with status if the
// response has not started, else by closing.
func (c *conn) bodyError(status int) { c.bodyErrorFor(status, nil) }

// bodyErrorFor is bodyError for the parse error err (nil for others).
func (c *conn) bodyErrorFor(status int, err error) {
	if c.dispatched && (c.resp.headWritten || c.resp.ended) {
		c.closeAfter = true
		return
	}
	c.replyErrorFor(status, err)
}

// dispatch hands the request to the handler: inline, or to a worker.
func (c *conn) dispatch() {
	c.dispatched = true
	if c.s.pool != nil {
		c.detach()
		if c.req.streaming {
			c.startPipe()
		}
		c.flushOut()             // the responses owed before this one; out then belongs to the worker
		c.wo.unsent = c.unsent() // no worker holds wo until submit
		c.inWorker = true
		c.refs.Add(1)
		c.s.pool.submit(c)
		return
	}
	c.s.h(&c.resp, &c.req) // a panic is recovered by processGuarded
	c.afterHandler()
}

// runHandler calls the handler on a worker, recovering a panic as
// processGuarded does on the loop.
func (c *conn) runHandler() {
	defer func() {
		if v := recover(); v != nil {
			c.handlerPanicked(v)
		}
	}()
	c.s.h(&c.resp, &c.req)
}

// handlerPanicked answers a recovered panic. The first panic of a window
// is logged with its stack, the rest only counted (Server.HandlerPanics):
// a peer that can trigger a panic must not be able to flood the log.
func (c *conn) handlerPanicked(v any) {
	c.s.panics.Add(1)
	if c.s.panicLog.allow() {
		stack := make([]byte, 16<<10)
		stack = stack[:runtime.Stack(stack, false)]
		log.Printf("engine: panic serving %v: %v\n%s", c.gc.RemoteAddr(), v, stack)
	}
	w := &c.resp
	switch {
	case w.ended && !w.detached:
	case !w.headWritten:
		c.replyError(500)
	default:
		w.ended = true
		c.closeAfter = true
	}
}

// afterHandler ends the response unless it outlives the handler, and hands
// a streaming handler the body bytes buffered before it asked for them.
func (c *conn) afterHandler() {
	r := &c.req
	if !c.resp.ended && !c.resp.detached && r.bh == nil && !c.resp.hijacked {
		c.resp.End()
	}
	if r.streaming && r.bh != nil && len(c.bodyBuf) > 0 {
		b := c.bodyBuf
		c.bodyBuf = c.bodyBuf[:0]
		r.bh.OnBody(r, b)
		if c.bodyDone {
			r.bh.OnBodyEnd(r, r.trails)
		}
	}
}

// responseEnded is called by Response.End.
func (c *conn) responseEnded() {
	if c.inWorker {
		return // the loop decides in finish, once the worker is done
	}
	if c.closeWhenDone && c.bodyDone {
		c.closeAfter = true
	}
}

// finish ends the current request and prepares for the next.
func (c *conn) finish(shift int) {
	c.active = false
	c.piping = false
	if shift > 0 {
		c.p.Next(shift)
	} else {
		c.p.Reset()
	}
	c.req.hdr.Reset(nil)
	c.req.body, c.req.bh, c.req.ch = nil, nil, nil
	if c.inHeld > 0 {
		c.dropBody() // a large body's buffer is not kept for the next request
	}
	c.headStart = 0
	c.idleSince = c.l.now()
	if c.closeWhenDone || c.s.closing.Load() {
		c.closeAfter = true
	}
}

// detach copies the current request's views into conn-owned buffers, so
// that they outlive the read buffer.
func (c *conn) detach() {
	r := &c.req
	c.head = append(c.head[:0], r.base...)
	r.rebase(c.head)
	if c.bodyView {
		c.bodyBuf = c.bodyBuf[:0]
		c.gather(r.body, true)
		r.body = c.bodyBuf
		c.bodyView = false
	}
	if r.trails.Len() > 0 {
		// Trailers point into the read that completed them: copy them into
		// the other table, which owns its bytes.
		other := &c.trailTabs[0]
		if r.trails == other {
			other = &c.trailTabs[1]
		}
		other.Reset(nil)
		copyFields(other, r.trails)
		r.trails = other
	}
	c.detached = true
}

// copyFields appends src's fields to dst as copies that dst owns, so that
// they outlive the buffer src's spans point into.
func copyFields(dst, src *headers.Table) {
	for i := 0; i < src.Len(); i++ {
		dst.Add(src.Name(i), src.Value(i))
	}
}

// replyError answers with status and Connection: close, after the responses
// already owed, and stops reading.
func (c *conn) replyError(status int) { c.replyErrorFor(status, nil) }

// replyErrorFor is replyError for the parse error err (nil for others).
func (c *conn) replyErrorFor(status int, err error) {
	if f := c.s.opts.ErrorTunnel; f != nil {
		c.replyErrorTunnel(f, status, err)
		return
	}
	if f := c.s.opts.ErrorReply; f != nil {
		c.out = f(c.out, status, err)
	} else {
		c.out = appendStatusLine(c.out, status)
		c.out = appendDate(c.out)
		c.out = append(c.out, "Content-Length: 0\r\nConnection: close\r\n\r\n"...)
	}
	c.closeAfter = true
	if c.active {
		c.resp.ended, c.resp.headWritten = true, true
	}
}

// maybeFlush flushes a streamed response once enough has collected.
func (c *conn) maybeFlush() {
	if len(c.out) >= flushThreshold {
		c.flushOut()
	}
}

// resume is Request.Resume. Safe from any goroutine.
func (c *conn) resume() {
	c.resumed.Store(true)
	if gc := c.gc; gc != nil {
		_ = gc.Wake(nil)
	}
}

// deadline returns when c times out, in wheel milliseconds.
func (c *conn) deadline() int64 { return c.deadlineUnder(c.s.to.Load()) }

// deadlineUnder is deadline under the timeouts t.
func (c *conn) deadlineUnder(t *timeouts) int64 {
	var d int64
	switch {
	case c.hij != nil:
		return c.hij.deadline()
	case c.active || c.inWorker || c.blocked || c.sendOff < len(c.send):
		// Output still owed counts as the last request's.
		d = after(c.reqStart, t.request)
		if c.bodyDone && c.s.opts.RequestTimeoutUntilRead {
			d = never
		}
	case c.headStart != 0:
		d = after(c.headStart, t.headers)
	case c.fresh:
		d = after(c.idleSince, t.headers)
	case c.s.opts.KeepAliveReplacesIdle && t.keepAlive != never:
		if c.sockIdleBetween {
			return after(c.lastActive, c.sockIdle)
		}
		return after(c.idleSince, t.keepAlive)
	default:
		d = after(c.idleSince, t.keepAlive)
	}
	return min(d, after(c.lastActive, c.idleUnder(t)))
}

// idleUnder is c's idle timeout under t: its own if set, else the server's.
func (c *conn) idleUnder(t *timeouts) int64 {
	if c.sockIdle != 0 && !(c.active && c.sockIdleBetween) {
		return c.sockIdle
	}
	return t.idle
}

// stateDeadline is deadlineUnder without the idle timeouts.
func (c *conn) stateDeadline(t *timeouts) int64 {
	u, own := *t, c.sockIdle
	u.idle, c.sockIdle = never, never
	d := c.deadlineUnder(&u)
	c.sockIdle = own
	return d
}

func after(t, d int64) int64 {
	if d == never {
		return never
	}
	return t + d
}

// stopped is the time of a clock OnIdleTimeout stopped: far enough that no
// timeout reaches it, near enough that adding one does not overflow.
const stopped = never / 2

// arm sets c's timer to its deadline.
func (c *conn) arm() { c.l.w.schedule(&c.tm, c.deadline()) }

// expire is called by the wheel when c's deadline may have passed.
func (c *conn) expire(now int64) {
	if c.closed || c.gc == nil {
		return
	}
	t := c.s.to.Load()
	if d := c.deadlineUnder(t); d > now {
		c.l.w.schedule(&c.tm, d)
		return
	}
	if c.hij != nil {
		c.hij.idledOut()
		return
	}
	if f := c.s.opts.OnIdleTimeout; f != nil {
		if idleSince, lastActive, ok := c.waivable(now, t); ok && f(c.gc.RemoteAddr(), c.gc.LocalAddr(), c.value) {
			// Kept: the clocks that ran out wait for the next read (idle)
			// or the next request's end (keep-alive).
			c.idleSince, c.lastActive = idleSince, lastActive
			c.arm()
			return
		}
	}
	// When the idle clock alone ran out, the connection closes with no
	// reply, as a socket timeout: there is no request to answer 408.
	idleOnly := c.stateDeadline(t) > now
	c.inCall = true
	switch {
	case c.inWorker || c.hij != nil:
		// The worker owns the response; just close.
	case idleOnly:
		c.closeAfter = true
	case c.active && !c.resp.headWritten && !c.resp.ended, !c.active && c.headStart != 0,
		!c.active && c.fresh && c.s.opts.ReplySilentTimeout:
		c.replyErrorFor(408, c.timedOut()) // RFC 9110 §15.5.9
		c.flushOut()
		if c.hij != nil && !c.closed { // kept open by ErrorTunnel
			c.toTunnel()
			c.inCall = false
			return
		}
	default:
		c.closeAfter = true
	}
	_ = c.gc.Close()
	c.inCall = false
	if c.closed {
		c.release()
	}
}

// waivable reports whether c's deadline at now under t is only that of its
// IdleTimeout or, between requests, its KeepAliveTimeout (Node's socket
// timeout), which OnIdleTimeout may waive; it returns c's idleSince and
// lastActive with those clocks stopped.
func (c *conn) waivable(now int64, t *timeouts) (idleSince, lastActive int64, ok bool) {
	savedIdle, savedActive := c.idleSince, c.lastActive
	if after(c.lastActive, c.idleUnder(t)) <= now {
		c.lastActive = stopped
	}
	if c.deadlineUnder(t) <= now && !c.fresh && c.headStart == 0 && after(c.idleSince, t.keepAlive) <= now {
		// Between requests: the state's deadline is the keep-alive one
		// unless output is owed, which deadlineUnder then still sees.
		c.idleSince = stopped
	}
	idleSince, lastActive = c.idleSince, c.lastActive
	ok = (idleSince != savedIdle || lastActive != savedActive) && c.deadlineUnder(t) > now
	c.idleSince, c.lastActive = savedIdle, savedActive
	return idleSince, lastActive, ok
}

// onClose is called when gnet has closed the connection.
func (c *conn) onClose(err error) {
	c.closed = true
	c.l.w.stop(&c.tm)
	c.l.remove(c)
	c.s.drains.unwatch(c) // before gnet closes the descriptor
	if c.inWorker {
		c.closeWorkerOut() // releases a worker waiting for room
	}
	if c.hij != nil {
		c.hij.closed(err)
	}
	// A worker's request is unfinished until the loop takes it back; the
	// worker owns resp meanwhile.
	unfinished := c.active && (c.inWorker || !c.resp.ended || !c.bodyDone)
	if c.active && c.req.streaming && c.req.bh != nil && !c.bodyDone {
		c.bodyDone = true
	}
	if c.piping && !c.bodyDone {
		c.pipe.fail(ErrBodyAborted) // wakes a worker waiting for the body
	}
	if unfinished {
		c.closeGone()
	}
	if ch := c.req.ch; ch != nil && unfinished && !c.inWorker {
		c.req.ch = nil
		ch.OnClose(&c.req, err)
	}
	if !c.inCall {
		c.release()
	}
}

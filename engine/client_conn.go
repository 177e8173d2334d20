package engine

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
	"golang.org/x/sys/unix"
)

// ResponseHandler receives the outcome of a request sent with ClientConn.Send.
// HandleResponse is called exactly once per sent request, on the connection's
// event loop, so it must not block. resp's views live until resp is reused or
// released; after the call req and resp belong to the caller again.
type ResponseHandler interface {
	HandleResponse(cc *ClientConn, req *ClientRequest, resp *ClientResponse, err error)
}

// ClientConnError is the error of a request that failed because its
// connection closed or broke. It is built on the cold path only.
type ClientConnError struct {
	Err error
	// NoResponse reports that no byte of the response had arrived.
	NoResponse bool
	// Reused reports that the connection had completed requests before.
	Reused bool
}

func (e *ClientConnError) Error() string {
	switch {
	case e.NoResponse && e.Reused:
		return "engine: reused connection failed before any response byte: " + e.Err.Error()
	case e.NoResponse:
		return "engine: connection failed before any response byte: " + e.Err.Error()
	}
	return "engine: connection failed during response: " + e.Err.Error()
}

func (e *ClientConnError) Unwrap() error { return e.Err }

// IsNoResponse reports whether err says a request's connection failed before
// any byte of its response arrived, so the request may safely be retried if
// it is idempotent.
func IsNoResponse(err error) bool {
	var ce *ClientConnError
	return errors.As(err, &ce) && ce.NoResponse
}

// clientCall is one request in flight on a connection. Pooled.
type clientCall struct {
	req  *ClientRequest
	resp *ClientResponse
	h    ResponseHandler

	done    chan struct{} // Do: signalled by the handler
	err     error         // Do: the result
	cont    chan struct{} // 100-continue: signalled at 100, a final head, or close
	gotByte bool          // loop only: a response byte arrived
	waiting bool          // guarded by the conn's mu: 100-continue body still held back
	bodyCut bool          // guarded by the conn's mu: a final response came before the body was sent
	slow    bool          // a goroutine writes the body: never returned to the pool

	// DoContext and DoDeadline: the writer gives up when ctxDone is closed
	// or the deadline (unix ns; 0 none) has passed (see stopped).
	ctxDone  <-chan struct{}
	deadline int64

	// phase hands the handler call between the writer and the event loop:
	// bit 1 is set when the writer is done with the request, bit 2 when the
	// response (or failure) is in. Whoever sets the second bit runs the
	// handler, so the handler always happens after the last write of req.
	phase atomic.Int32
	res   error // the outcome, set before bit 2
}

var clientCallPool = sync.Pool{New: func() any {
	return &clientCall{done: make(chan struct{}, 1), cont: make(chan struct{}, 1)}
}}

// HandleResponse makes a clientCall the handler of a blocking Do.
func (c *clientCall) HandleResponse(_ *ClientConn, _ *ClientRequest, _ *ClientResponse, err error) {
	c.err = err
	c.done <- struct{}{}
}

// ClientConn is one client connection on a Client's event loop. Requests may
// be pipelined: each Send or Do queues a call and responses complete them in
// order. Methods are safe from any goroutine unless noted.
type ClientConn struct {
	cli  *Client
	gc   gnet.Conn // set in OnOpen, before Dial returns
	opts DialOptions

	remote, local net.Addr

	// Writes go straight to wfd, a duplicate of gnet's descriptor, so the
	// socket lives until both are closed. fdMu guards wfd's validity: holders
	// of the read lock may issue syscalls on it; OnClose closes it under the
	// write lock. wmu serializes writers so requests do not interleave.
	wmu      sync.Mutex
	fdMu     sync.RWMutex
	wfd      int
	fdClosed bool        // guarded by fdMu
	wcall    *clientCall // guarded by wmu: the call being written
	asyncN   atomic.Int32
	outBuf   atomic.Bool // gnet's outbound buffer may hold our bytes
	asyncCB  gnet.AsyncCallback

	mu       sync.Mutex
	calls    []*clientCall // guarded by mu; front is calls[0]
	closed   bool          // guarded by mu
	closeErr error         // guarded by mu: the reason given to abort
	done     int           // guarded by mu: completed requests

	headDeadline atomic.Int64 // unix ns; 0 = none
	lastActive   atomic.Int64 // unix ns of the last request completion or open
	idleTimeout  atomic.Int64 // ns
	kaHint       atomic.Int64 // server's Keep-Alive timeout in ns; -1 none

	// Loop only.
	p        parse.Parser
	body     parse.Body
	headDone bool
	rd       int // raw bytes consumed in the front response's buffer
	carry    []byte
	tunneled bool
	// readPaused reports whether the socket is not being read; epfd caches
	// the loop's epoll descriptor for that (see applyPause).
	readPaused bool
	epfd       int

	wantPause atomic.Bool // SetReadPaused's last word

	host connHost // the dial options' host and its Host line; immutable
	ctx  any
	// value is SetValue's, for the requests' owner (the connection's
	// owner, a pool, has ctx).
	value atomic.Pointer[any]
}

func newClientConn(cli *Client, wfd int, opts *DialOptions) *ClientConn {
	cc := &ClientConn{cli: cli, wfd: wfd, opts: *opts, ctx: opts.Context}
	if cc.opts.ContinueTimeout <= 0 {
		cc.opts.ContinueTimeout = time.Second
	}
	if cc.opts.WriteTimeout <= 0 {
		cc.opts.WriteTimeout = 30 * time.Second
	}
	if cc.opts.Host != "" {
		// The default Host line, formatted once rather than per request.
		cc.host = connHost{cc.opts.Host, cc.opts.Port, appendHostLine(nil, []byte(cc.opts.Host), cc.opts.Port)}
	}
	cc.p.Init(parse.Response, &cli.opts.Parser)
	cc.asyncCB = cc.asyncWritten
	cc.idleTimeout.Store(int64(opts.IdleTimeout))
	cli.noteTimeout(opts.IdleTimeout)
	cli.noteTimeout(opts.HeadTimeout)
	cc.kaHint.Store(-1)
	cc.lastActive.Store(time.Now().UnixNano())
	return cc
}

// Context returns the value given in DialOptions.Context.
func (cc *ClientConn) Context() any { return cc.ctx }

// Value returns what SetValue stored last, or nil. Where Context is the
// dialer's (a pool's), Value is for what the requests' owner keeps with
// the connection, such as its addresses in the form it hands out.
func (cc *ClientConn) Value() any {
	if p := cc.value.Load(); p != nil {
		return *p
	}
	return nil
}

// SetValue sets Value's result. Safe from any goroutine.
func (cc *ClientConn) SetValue(v any) { cc.value.Store(&v) }

// RemoteAddr returns the server's address.
func (cc *ClientConn) RemoteAddr() net.Addr { return cc.remote }

// LocalAddr returns the local address.
func (cc *ClientConn) LocalAddr() net.Addr { return cc.local }

// Completed returns how many requests completed on the connection.
func (cc *ClientConn) Completed() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.done
}

// InFlight returns how many requests are queued or awaiting their response.
func (cc *ClientConn) InFlight() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return len(cc.calls)
}

// Closed reports whether the connection has closed.
func (cc *ClientConn) Closed() bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.closed
}

// KeepAliveHint returns the timeout the server announced with
// "Keep-Alive: timeout=N" on its last response, and whether it did.
func (cc *ClientConn) KeepAliveHint() (time.Duration, bool) {
	v := cc.kaHint.Load()
	return time.Duration(v), v >= 0
}

// SetIdleTimeout sets the idle timeout (0: never).
func (cc *ClientConn) SetIdleTimeout(d time.Duration) {
	cc.cli.noteTimeout(d)
	cc.idleTimeout.Store(int64(d))
}

// Close closes the connection; requests in flight fail with ErrClientConnClosed.
func (cc *ClientConn) Close() error {
	cc.abort(ErrClientConnClosed)
	return nil
}

// abort records err as the reason the connection ends and shuts the socket
// down; the event loop then sees the end of input and runs OnClose.
func (cc *ClientConn) abort(err error) { cc.shut(err, false) }

// cut is abort for a request cut short (Cancel, a context or deadline): the
// connection is reset rather than closed with a FIN. The response may be
// half read, with the receive window shut by a paused reader; after a FIN
// alone the server's writes then wait on a window that never opens (server
// handlers were seen stuck in CLOSE-WAIT with ~3.7 MB unsent), while a
// reset fails them at once, as net/http's close with unread data does.
func (cc *ClientConn) cut(err error) { cc.shut(err, true) }

func (cc *ClientConn) shut(err error, reset bool) {
	cc.mu.Lock()
	if cc.closeErr == nil {
		cc.closeErr = err
	}
	cc.mu.Unlock()
	cc.fdMu.RLock()
	if !cc.fdClosed {
		if reset {
			unix.SetsockoptLinger(cc.wfd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
		}
		unix.Shutdown(cc.wfd, unix.SHUT_RDWR)
	}
	cc.fdMu.RUnlock()
	if gc := cc.gc; gc != nil && cc.wantPause.Load() {
		// A paused socket is not watched: the loop would never see the end
		// of input, close the descriptor and run OnClose. The loop closes
		// it instead (gnet's Close is queued to the loop).
		_ = gc.Close()
	}
}

// Do sends req and waits for its response, which is read into resp. It
// blocks the calling goroutine; on an event loop it returns ErrOnEventLoop.
func (cc *ClientConn) Do(req *ClientRequest, resp *ClientResponse) error {
	if onEventLoop() {
		return ErrOnEventLoop
	}
	call := clientCallPool.Get().(*clientCall)
	call.h = call
	err := cc.send(call, req, resp, true)
	if err == nil {
		<-call.done
		err = call.err
	}
	call.h, call.err = nil, nil
	clientCallPool.Put(call)
	return err
}

// Send queues req and writes it; h receives the response on the event loop,
// or on Send's caller when the whole response arrived before Send returned.
// If Send returns an error the request was not queued and h is not called.
// Send does not block on a full socket: the rest of the request is handed to
// the event loop. A request with a streaming body or "Expect: 100-continue"
// is queued and written by a new goroutine, which reports a failure to queue
// it to h. Safe from any goroutine, including event loops.
func (cc *ClientConn) Send(req *ClientRequest, resp *ClientResponse, h ResponseHandler) error {
	call := clientCallPool.Get().(*clientCall)
	call.h = h
	if req.bodyStream != nil || req.expect100 {
		return cc.sendAsyncSlow(call, req, resp)
	}
	err := cc.send(call, req, resp, false)
	if err != nil {
		call.h, call.req, call.resp = nil, nil, nil
		clientCallPool.Put(call)
	}
	return err
}

func (cc *ClientConn) sendAsyncSlow(call *clientCall, req *ClientRequest, resp *ClientResponse) error {
	call.slow = true
	if cc.Closed() {
		return ErrClientConnClosed
	}
	go func() {
		if err := cc.send(call, req, resp, true); err != nil {
			call.h.HandleResponse(cc, req, resp, err)
		}
	}()
	return nil
}

func (cc *ClientConn) send(call *clientCall, req *ClientRequest, resp *ClientResponse, mayBlock bool) error {
	// The writer lock spans queuing and writing, so that requests from
	// concurrent callers go out in the order of the queue their responses
	// are matched against.
	cc.wmu.Lock()
	if err := cc.enqueue(call, req, resp); err != nil {
		cc.wmu.Unlock()
		return err // the caller still owns call
	}
	cc.wcall = call
	err := cc.writeRequestLocked(call, req, mayBlock)
	cc.wcall = nil
	cc.wmu.Unlock()
	if err != nil {
		// The call is queued: OnClose reports the failure to its handler.
		cc.abort(err)
	} else if w, ok := resp.stream.(RequestWatcher); ok {
		w.RequestSent(cc)
	}
	cc.writerDone(call)
	return nil
}

// writerDone marks the request written; if the outcome is already in, the
// writer delivers it.
func (cc *ClientConn) writerDone(call *clientCall) {
	if call.phase.Or(1)&2 != 0 {
		cc.runHandler(call)
	}
}

// deliver records the outcome of a popped call; if the writer is done, the
// event loop delivers it.
func (cc *ClientConn) deliver(call *clientCall, err error) {
	call.res = err
	if call.phase.Or(2)&1 != 0 {
		cc.runHandler(call)
	}
}

// runHandler calls the handler once and recycles the call.
func (cc *ClientConn) runHandler(call *clientCall) {
	req, resp, h, err := call.req, call.resp, call.h, call.res
	if d, ok := h.(*clientCall); ok && d == call {
		h.HandleResponse(cc, req, resp, err) // Do: the caller returns call to the pool
		return
	}
	cc.recycle(call)
	h.HandleResponse(cc, req, resp, err)
}

// enqueue serializes nothing yet; it resets resp and puts the call in the queue.
func (cc *ClientConn) enqueue(call *clientCall, req *ClientRequest, resp *ClientResponse) error {
	resp.Reset()
	call.req, call.resp = req, resp
	call.gotByte, call.bodyCut = false, false
	call.phase.Store(0)
	call.res = nil
	call.waiting = req.expect100 && (len(req.body) > 0 || req.bodyStream != nil || req.Trailer.Len() > 0)
	select { // drop a stale continue signal
	case <-call.cont:
	default:
	}
	var err error
	req.out, err = req.appendHead(req.out[:0], true, &cc.host)
	if err != nil {
		return err
	}
	cc.mu.Lock()
	if cc.closed || cc.closeErr != nil {
		cc.mu.Unlock()
		return ErrClientConnClosed
	}
	cc.calls = append(cc.calls, call)
	if len(cc.calls) == 1 && cc.opts.HeadTimeout > 0 {
		cc.headDeadline.Store(time.Now().UnixNano() + int64(cc.opts.HeadTimeout))
	}
	cc.mu.Unlock()
	return nil
}

// front returns the call the next response bytes belong to.
func (cc *ClientConn) front() *clientCall {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if len(cc.calls) == 0 {
		return nil
	}
	return cc.calls[0]
}

// onData handles response bytes on the event loop. data is valid only during the call.
func (cc *ClientConn) onData(data []byte) gnet.Action {
	if cc.outBuf.Load() && cc.gc.OutboundBuffered() == 0 {
		cc.outBuf.Store(false)
	}
	for len(data) > 0 {
		call := cc.front()
		if call == nil {
			cc.setCloseErr(ErrClientUnexpectedData)
			return gnet.Close
		}
		call.gotByte = true
		resp := call.resp
		resp.buf = append(resp.buf, data...)
		data = nil
		done, err := cc.advance(call)
		if err != nil {
			cc.setCloseErr(err)
			return gnet.Close
		}
		if !done {
			break
		}
		rest := resp.buf[cc.rd:]
		resp.buf = resp.buf[:cc.rd]
		if len(rest) > 0 {
			cc.carry = append(cc.carry[:0], rest...)
			data = cc.carry
		}
		reuse := resp.keepAlive && !call.req.closeConn && !call.bodyCut && !cc.tunneled
		cc.complete(call, nil, reuse)
		if !reuse {
			return gnet.Close
		}
	}
	if cc.readPaused || cc.wantPause.Load() {
		cc.applyPause()
	}
	return gnet.None
}

func (cc *ClientConn) setCloseErr(err error) {
	cc.mu.Lock()
	if cc.closeErr == nil {
		cc.closeErr = err
	}
	cc.mu.Unlock()
}

// advance parses what the front call's buffer holds. It reports whether the
// response is complete.
func (cc *ClientConn) advance(call *clientCall) (bool, error) {
	resp, req := call.resp, call.req
	for !cc.headDone {
		cc.p.SetRequestMethod(parse.MethodOf(req.Method()))
		n, err := cc.p.Parse(resp.buf, &resp.header)
		if err != nil {
			return false, err
		}
		if n == 0 {
			return false, nil
		}
		status := cc.p.Status()
		if status < 200 && status != 101 {
			// RFC 9110 §15.2: a client MUST be able to parse one or more 1xx
			// responses before the final one.
			if status == 100 {
				clSignal(call.cont) // a stale signal is drained by the next enqueue
			}
			if req.OnInformational != nil {
				req.OnInformational(status, &resp.header)
			}
			m := copy(resp.buf, resp.buf[n:])
			resp.buf = resp.buf[:m]
			resp.header.Reset(nil)
			cc.p.Reset()
			continue
		}
		cc.headDone = true
		resp.status = status
		resp.major, resp.minor = cc.p.Version()
		resp.reason = cc.p.Reason()
		resp.keepAlive = cc.p.KeepAlive()
		resp.framing = cc.p.Framing()
		resp.headLen, resp.bodyEnd = n, n
		cc.rd = n
		// A final response before the held-back body went out: the body is
		// not sent, and the connection cannot carry another request.
		cc.mu.Lock()
		waiting := call.waiting
		if waiting {
			call.bodyCut = true
		}
		if len(cc.calls) > 1 && cc.opts.HeadTimeout > 0 {
			cc.headDeadline.Store(time.Now().UnixNano() + int64(cc.opts.HeadTimeout))
		} else {
			cc.headDeadline.Store(0)
		}
		cc.mu.Unlock()
		if waiting {
			clSignal(call.cont) // only a writer holding back a body waits for it
		}
		if resp.framing == parse.BodyTunnel {
			return true, cc.handOver(resp)
		}
		cc.body.InitResponse(resp.framing, cc.p.ContentLength(), &cc.cli.opts.Parser)
		if s := resp.stream; s != nil {
			resp.header.SetBase(resp.buf)
			s.ResponseHead(cc, resp)
		}
	}
	for !cc.body.Done() {
		data, n, err := cc.body.Decode(resp.buf[cc.rd:], &resp.trailer)
		if err != nil {
			return false, err
		}
		if n == 0 {
			if resp.stream != nil && cc.rd > resp.headLen {
				// Streamed bytes are gone: keep the head and the undecoded rest.
				m := copy(resp.buf[resp.headLen:], resp.buf[cc.rd:])
				resp.buf = resp.buf[:resp.headLen+m]
				cc.rd = resp.headLen
			}
			return false, nil
		}
		if len(data) > 0 {
			if resp.maxBodyBytes > 0 && resp.bodyEnd-resp.headLen+resp.streamed+len(data) > resp.maxBodyBytes {
				return false, ErrClientBodyTooLarge
			}
			if resp.stream != nil {
				resp.streamed += len(data)
				resp.stream.ResponseBody(cc, data)
			} else {
				resp.bodyEnd += copy(resp.buf[resp.bodyEnd:], data)
			}
		}
		if cc.body.Done() && resp.trailer.Len() > 0 {
			resp.trailer.SetBase(resp.buf[cc.rd:])
		}
		cc.rd += n
	}
	resp.header.SetBase(resp.buf)
	return true, nil
}

// handOver gives the socket to resp as a net.Conn after a 101 or a 2xx to
// CONNECT. Bytes already read after the head are returned first.
func (cc *ClientConn) handOver(resp *ClientResponse) error {
	cc.fdMu.Lock()
	f := os.NewFile(uintptr(cc.wfd), "tunnel")
	cc.fdClosed = true
	cc.fdMu.Unlock()
	nc, err := net.FileConn(f) // duplicates the descriptor
	f.Close()
	if err != nil {
		return err
	}
	cc.tunneled = true
	t := &clTunnelConn{Conn: nc}
	t.prefix = append(t.prefix, resp.buf[resp.headLen:]...)
	cc.rd = len(resp.buf)
	resp.tunnel = t
	return nil
}

// clTunnelConn is a hijacked connection whose first reads return the bytes
// that arrived with the response head.
type clTunnelConn struct {
	net.Conn
	prefix []byte
}

func (t *clTunnelConn) Read(p []byte) (int, error) {
	if len(t.prefix) > 0 {
		n := copy(p, t.prefix)
		t.prefix = t.prefix[n:]
		return n, nil
	}
	return t.Conn.Read(p)
}

// complete pops the front call and runs its handler.
func (cc *ClientConn) complete(call *clientCall, err error, reuse bool) {
	resp := call.resp
	if err == nil && !cc.tunneled {
		hint := int64(-1)
		for i := 0; i < resp.header.Len(); i++ {
			if resp.header.Field(i).ID == headers.KeepAlive {
				hint = clKeepAliveTimeout(resp.header.Value(i))
			}
		}
		cc.kaHint.Store(hint)
	}
	cc.headDone = false
	cc.rd = 0
	cc.p.Reset()
	cc.wantPause.Store(false) // the next response starts reading (onData applies it)
	cc.mu.Lock()
	copy(cc.calls, cc.calls[1:])
	cc.calls[len(cc.calls)-1] = nil
	cc.calls = cc.calls[:len(cc.calls)-1]
	cc.done++
	if !reuse && cc.closeErr == nil {
		cc.closeErr = ErrClientConnClosed
	}
	cc.mu.Unlock()
	cc.lastActive.Store(cc.cli.now())
	cc.deliver(call, err)
}

// recycle returns a finished Send call to the pool.
func (cc *ClientConn) recycle(call *clientCall) {
	if call.slow {
		return
	}
	call.req, call.resp, call.h = nil, nil, nil
	clientCallPool.Put(call)
}

// clKeepAliveTimeout reads "timeout=N" from a Keep-Alive value, or returns -1.
func clKeepAliveTimeout(v []byte) int64 {
	for i := 0; i+8 <= len(v); i++ {
		if (i == 0 || v[i-1] == ' ' || v[i-1] == ',') && headers.EqualFold(v[i:i+8], "timeout=") {
			n, j := int64(0), i+8
			for ; j < len(v) && v[j] >= '0' && v[j] <= '9' && n < 1<<31; j++ {
				n = n*10 + int64(v[j]-'0')
			}
			if j == i+8 {
				return -1
			}
			return n * int64(time.Second)
		}
	}
	return -1
}

func clSignal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// onClose runs on the event loop when gnet closes the connection.
func (cc *ClientConn) onClose(err error) {
	// RFC 9112 §6.3: a body without framing ends when the connection closes.
	if call := cc.front(); call != nil && cc.headDone && cc.body.Framing() == parse.BodyUntilClose {
		if cc.body.Close() == nil {
			call.resp.buf = call.resp.buf[:call.resp.bodyEnd]
			call.resp.header.SetBase(call.resp.buf)
			cc.complete(call, nil, false)
		}
	}
	cc.fdMu.Lock()
	if !cc.fdClosed {
		unix.Close(cc.wfd)
		cc.fdClosed = true
	}
	cc.fdMu.Unlock()

	cc.mu.Lock()
	cc.closed = true
	reason := cc.closeErr
	if reason == nil {
		reason = err
		if reason == nil || errors.Is(reason, io.EOF) {
			reason = ErrClientConnClosed
		}
	}
	calls := cc.calls
	cc.calls = nil
	reused := cc.done > 0
	for _, call := range calls {
		if call.waiting {
			call.bodyCut = true
		}
	}
	cc.mu.Unlock()
	cc.cli.remove(cc)
	if cc.opts.OnClose != nil {
		cc.opts.OnClose(cc, reason)
	}
	for i, call := range calls {
		clSignal(call.cont)
		var err error = &ClientConnError{Err: reason, NoResponse: !call.gotByte, Reused: reused}
		if i == 0 && call.gotByte {
			// The front response's own failure says what went wrong.
			switch {
			case isProtocolError(reason):
				err = &MalformedResponseError{Err: reason}
			case reason == ErrClientBodyTooLarge:
				err = reason
			}
		}
		cc.deliver(call, err)
	}
	cc.headDone = false
}

// checkTimeouts runs on the sweeper goroutine.
func (cc *ClientConn) checkTimeouts(now int64) {
	if d := cc.headDeadline.Load(); d != 0 && now > d {
		cc.abort(ErrClientHeadTimeout)
		return
	}
	if it := cc.idleTimeout.Load(); it > 0 && now-cc.lastActive.Load() > it {
		cc.mu.Lock()
		idle := len(cc.calls) == 0 && !cc.closed
		cc.mu.Unlock()
		if idle {
			cc.abort(ErrClientIdleTimeout)
		}
	}
}

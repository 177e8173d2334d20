package compat

import (
	"errors"
	"sync/atomic"

	"github.com/zerohttp/zerohttp/engine"
)

// Socket is the part of Node's net.Socket that an 'upgrade' or 'connect'
// listener uses: the connection, taken over from HTTP; and that a
// 'connection' or 'clientError' listener gets. Its methods are safe from
// any goroutine; its events run on the connection's event loop.
//
// A 'connection' socket is served by HTTP: Destroy closes it at once, End
// once what was written has gone out (a request in progress then gets
// 'aborted' and 'close', as in Node), OnClose listeners run once it has closed, and Write is refused;
// OnData and OnEnd get nothing.
//
// As in Node, the listener writes the response head itself, such as
// "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n...\r\n\r\n":
// its first write takes the connection over from the engine, and every
// byte written goes to the peer as written, in order (tested against
// node). End or Destroy with nothing written closes the connection with
// no bytes.
type Socket struct {
	// SocketInfo holds the connection's addresses.
	SocketInfo
	// socketState is nil on a client response's socket, which holds the
	// addresses only.
	*socketState
}

type socketState struct {
	x *exchange
	w *engine.Response // touched in ops while !x.wireEnded

	connect bool      // the request is a CONNECT
	reply   *rawReply // set on a 'clientError' socket: writes go there
	// conn is set on a 'connection' socket: the connection itself, which
	// HTTP still serves; it can be ended and watched, not written.
	conn *engine.ConnHandle
	tm   socketTimeouts // a connection's socket's timeout (socket_timeout.go)
	// finished is set on a 'connection' socket once its response in
	// progress has emitted 'finish', until the next request.
	finished atomic.Bool

	// Guarded by x.mu.
	t       *engine.Tunnel // set once the connection is taken over
	ended   bool           // End or Destroy was called
	closed  bool           // 'close' was emitted
	onData  []func([]byte)
	onEnd   []func()
	onClose []func()
}

// OnData registers a 'data' listener; chunk is valid only during the call.
func (s *Socket) OnData(fn func(chunk []byte)) {
	if s.socketState == nil {
		return
	}
	s.x.mu.Lock()
	s.onData = append(s.onData, fn)
	s.x.mu.Unlock()
}

// OnEnd registers an 'end' listener: the peer closed the connection.
func (s *Socket) OnEnd(fn func()) {
	if s.socketState == nil {
		return
	}
	s.x.mu.Lock()
	s.onEnd = append(s.onEnd, fn)
	s.x.mu.Unlock()
}

// OnClose registers a 'close' listener.
func (s *Socket) OnClose(fn func()) {
	if s.socketState == nil {
		return
	}
	s.x.mu.Lock()
	s.onClose = append(s.onClose, fn)
	s.x.mu.Unlock()
}

// Write sends p: first the response head (see Socket), then raw bytes. p
// may be reused once Write returns.
func (s *Socket) Write(p []byte) (int, error) {
	if s.socketState == nil {
		return 0, errInfoSocket
	}
	if s.reply != nil {
		return s.reply.write(p)
	}
	if s.conn != nil {
		return 0, errConnSocketWrite
	}
	b := append([]byte(nil), p...)
	s.x.mu.Lock()
	if s.ended {
		s.x.mu.Unlock()
		return 0, ErrWriteAfterEnd
	}
	t := s.t
	s.x.mu.Unlock()
	if t != nil {
		if err := t.WriteAsync(b); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	s.x.do(func() { s.writeOp(b) })
	return len(p), nil
}

// WriteString is Write for a string.
func (s *Socket) WriteString(str string) (int, error) { return s.Write([]byte(str)) }

// End closes the connection after what was written (Node's socket.end()):
// on a 'connection' socket, once every byte the responses wrote before it
// has gone out.
func (s *Socket) End() {
	if s.socketState != nil && s.conn != nil {
		_ = s.conn.End()
		return
	}
	s.finish()
}

// Destroy closes the connection (Node's socket.destroy()).
func (s *Socket) Destroy() { s.finish() }

func (s *Socket) finish() {
	if s.socketState == nil {
		return
	}
	if s.reply != nil {
		s.reply.end()
		return
	}
	if s.conn != nil {
		_ = s.conn.Close()
		return
	}
	s.x.mu.Lock()
	if s.ended {
		s.x.mu.Unlock()
		return
	}
	s.ended = true
	t := s.t
	s.x.mu.Unlock()
	if t != nil {
		_ = t.Close()
		return
	}
	s.x.do(func() {
		if s.x.wireEnded {
			if s.t != nil {
				_ = s.t.Close()
			}
			return
		}
		// Nothing was written: the connection closes with no bytes, as
		// Node's socket.destroy() or end().
		s.w.Abort()
		s.x.wireEnded = true
		s.closedLocked()
	})
}

// writeOp sends b as is: the first write takes the connection over from
// the engine (no head of its own, as Node's socket has left HTTP behind).
// Runs as an op.
func (s *Socket) writeOp(b []byte) {
	if s.takeoverOp() {
		_, _ = s.t.Write(b)
	}
}

// takeoverOp takes the connection over from the engine, if not yet, and
// reports whether s has it. Runs as an op.
func (s *Socket) takeoverOp() bool {
	x := s.x
	switch {
	case s.t != nil:
		return true
	case x.wireEnded:
		return false
	}
	t, err := s.w.Takeover((*tunnelHandler)(s))
	if err != nil {
		return false
	}
	s.t = t
	x.wireEnded = true
	return true
}

// closedLocked queues 'close' once.
func (s *Socket) closedLocked() {
	if s.closed {
		return
	}
	s.closed = true
	fns := s.onClose
	s.x.tickLocked(eventFunc(func() { emit0(fns) }))
}

// tunnelHandler is a Socket as the engine's TunnelHandler.
type tunnelHandler Socket

var _ engine.TunnelHandler = (*tunnelHandler)(nil)

func (h *tunnelHandler) OnData(_ *engine.Tunnel, b []byte) {
	s := (*Socket)(h)
	s.x.mu.Lock()
	fns := s.onData
	s.x.mu.Unlock()
	emit(fns, b)
}

// OnIdleTimeout emits 'timeout' to the socket's listeners: HTTP has left
// the socket, and with it Node's socketOnTimeout.
func (h *tunnelHandler) OnIdleTimeout(*engine.Tunnel) { (*Socket)(h).timedOut() }

func (h *tunnelHandler) OnClose(_ *engine.Tunnel, _ error) {
	s := (*Socket)(h)
	x := s.x
	x.mu.Lock()
	ends := s.onEnd
	s.ended = true
	x.mu.Unlock()
	emit0(ends)
	x.mu.Lock()
	s.closedLocked()
	x.mu.Unlock()
	x.emitTicks()
}

var (
	// errConnSocketWrite is what Write returns on a 'connection' socket.
	errConnSocketWrite = errors.New("compat: a 'connection' socket is served by HTTP and cannot be written")
	// errInfoSocket is what Write returns on a client response's socket.
	errInfoSocket = errors.New("compat: a client response's socket holds its addresses only")
)

// connClosed emits 'close' on a 'connection' socket. Runs on the loop.
func (s *Socket) connClosed() {
	s.x.mu.Lock()
	if s.closed {
		s.x.mu.Unlock()
		return
	}
	s.ended, s.closed = true, true
	fns := s.onClose
	s.x.mu.Unlock()
	emit0(fns)
}

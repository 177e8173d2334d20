package compat

import "time"

// socketTimeouts is a server socket's part in Node's socket timeout: its
// 'timeout' listeners and the server, whose ticks a timeout under a
// second makes finer.
type socketTimeouts struct {
	srv *Server
	on  []timeoutListener // in the order added; guarded by x.mu
}

// timeoutListener is an OnTimeout listener or, once, a SetTimeout callback.
type timeoutListener struct {
	fn   func()
	once bool
}

// SetTimeout is Node's socket.setTimeout(msecs, callback): the connection
// emits 'timeout' once it has read and written nothing for d, and again
// after each later activity; 0 turns the timeout off, the server's Timeout
// included. callback, if not nil, is added as a 'timeout' listener that
// runs once (with d 0, Node removes it instead; Go cannot find a func
// again, so it is ignored). As in Node, 'timeout' does not close the
// socket by itself: the server's handler runs first (the request's, the
// response's and the server's 'timeout' listeners, see Server.OnTimeout)
// and destroys the connection when none of them listens. A server's
// keep-alive timeout replaces the socket's timeout once a response has
// finished, a timeout set after that (at 'finish' or later, not right
// after End) replaces the keep-alive one, and the next request sets the server's Timeout again,
// as in Node. On the socket of an 'upgrade' or 'connect' listener, which
// HTTP has left, 'timeout' is emitted to the socket's listeners only, and
// the connection stays (SetTimeout takes the connection over from the
// engine, as a first write does); on a 'clientError' socket its listener
// left open, the server's 'timeout' listeners get it first, and the
// connection is destroyed when there are none, as Node's socketOnTimeout
// does there. A client response's socket has no timeout. It returns s.
func (s *Socket) SetTimeout(d time.Duration, callback func()) *Socket {
	st := s.socketState
	if st == nil {
		return s
	}
	if callback != nil && d > 0 {
		st.x.mu.Lock()
		st.tm.on = append(st.tm.on, timeoutListener{callback, true})
		st.x.mu.Unlock()
	}
	if srv := st.tm.srv; srv != nil && d > 0 {
		srv.refineTicks(d)
	}
	switch {
	case st.conn != nil && st.finished.Load():
		// After 'finish', where Node's keep-alive timer has been set: this
		// one replaces it until the next request.
		_ = st.conn.SetIdleTimeoutAfter(d)
	case st.conn != nil:
		_ = st.conn.SetIdleTimeout(d)
	case st.reply != nil:
		st.reply.setTimeout(d)
	default:
		s.x.do(func() {
			if s.takeoverOp() {
				_ = s.t.SetIdleTimeout(d)
			}
		})
	}
	return s
}

// OnTimeout registers a 'timeout' listener on a server connection's
// socket: it was idle for its timeout (SetTimeout, else the server's
// Timeout, or between requests its KeepAliveTimeout). It runs after the
// server's own handling (see SetTimeout) and does not keep the connection.
func (s *Socket) OnTimeout(fn func()) {
	st := s.socketState
	if st == nil {
		return
	}
	st.x.mu.Lock()
	st.tm.on = append(st.tm.on, timeoutListener{fn, false})
	st.x.mu.Unlock()
}

// timedOut emits the socket's 'timeout' to its listeners, in the order
// added, as Node's once listeners and others share one list. Runs on the
// loop.
func (s *Socket) timedOut() {
	st := s.socketState
	st.x.mu.Lock()
	on := st.tm.on
	var kept []timeoutListener
	for _, l := range on {
		if !l.once {
			kept = append(kept, l)
		}
	}
	st.tm.on = kept
	st.x.mu.Unlock()
	for _, l := range on {
		l.fn()
	}
}

// SetTimeout is Node's message.setTimeout(msecs, callback) on a server's
// request: callback, if not nil, becomes a 'timeout' listener of the
// request (OnTimeout), and the connection's socket gets the timeout d
// (Socket.SetTimeout). It returns m.
func (m *IncomingMessage) SetTimeout(d time.Duration, callback func()) *IncomingMessage {
	if callback != nil {
		m.OnTimeout(callback)
	}
	if m.Socket != nil {
		m.Socket.SetTimeout(d, nil)
	}
	return m
}

// SetTimeout is Node's response.setTimeout(msecs, callback): callback, if
// not nil, becomes a 'timeout' listener of the response (OnTimeout), and
// the connection's socket gets the timeout d (Socket.SetTimeout). It
// returns res.
func (res *ServerResponse) SetTimeout(d time.Duration, callback func()) *ServerResponse {
	if callback != nil {
		res.OnTimeout(callback)
	}
	if sock := res.Socket(); sock != nil {
		sock.SetTimeout(d, nil)
	}
	return res
}

// refineTicks makes the engine's ticks finer for a socket timeout d with
// a part under a second, as timerResolution does for the server's.
func (s *Server) refineTicks(d time.Duration) {
	if d%time.Second == 0 || s.opts.TimerResolution > 0 {
		return
	}
	s.mu.Lock()
	if s.eng != nil {
		s.eng.SetTickInterval(100 * time.Millisecond)
	}
	s.mu.Unlock()
}

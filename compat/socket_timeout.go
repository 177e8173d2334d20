package compat

import "time"

// socketTimeouts is a server socket's part in Node's socket timeout: its
// 'timeout' listeners and the server, whose ticks a timeout under a
// second makes finer.
type socketTimeouts struct {
	srv *Server // set on a connection's socket
	// Guarded by x.mu.
	on   []func() // OnTimeout's
	once []func() // SetTimeout's callbacks, each called once
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
// finished, a timeout set after that (at 'finish' or later) replaces the
// keep-alive one, and the next request sets the server's Timeout again,
// as in Node. Only a server connection's socket (the 'connection' socket, a
// request's or a response's) has a timeout; on other sockets SetTimeout
// does nothing. It returns s.
func (s *Socket) SetTimeout(d time.Duration, callback func()) *Socket {
	st := s.socketState
	if st == nil || st.conn == nil {
		return s
	}
	if callback != nil && d > 0 {
		st.x.mu.Lock()
		st.tm.once = append(st.tm.once, callback)
		st.x.mu.Unlock()
	}
	if srv := st.tm.srv; srv != nil && d > 0 {
		srv.refineTicks(d)
	}
	_ = st.conn.SetIdleTimeout(d)
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
	st.tm.on = append(st.tm.on, fn)
	st.x.mu.Unlock()
}

// timedOut emits the socket's 'timeout' to its listeners. Runs on the loop.
func (s *Socket) timedOut() {
	st := s.socketState
	st.x.mu.Lock()
	on, once := st.tm.on, st.tm.once
	st.tm.once = nil
	st.x.mu.Unlock()
	emit0(on)
	emit0(once)
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

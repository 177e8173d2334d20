package compat

import (
	"math"
	"net"
	"time"
)

// Node reads a server's timeouts and maxRequestsPerSocket when it uses
// them (the keep-alive timeout and maxRequestsPerSocket per response, the
// headers and request timeouts at each check, timeout per connection and
// request), so a property set after listen() applies from then on. Go code
// cannot watch a field, so these setters stand for such assignments: each
// sets the field and hands the new value to the running engine, whose
// connections take it from their next request or state on.

// SetTimeout is Node's server.setTimeout(msecs, callback): it sets Timeout
// and, if callback is not nil, adds it as a 'timeout' listener. It returns s.
func (s *Server) SetTimeout(d time.Duration, callback func(socket SocketInfo)) *Server {
	if callback != nil {
		s.OnTimeout(callback)
	}
	s.mu.Lock()
	s.Timeout = d
	s.applyTimeoutsLocked()
	s.mu.Unlock()
	return s
}

// SetHeadersTimeout sets HeadersTimeout, as Node's server.headersTimeout = d.
func (s *Server) SetHeadersTimeout(d time.Duration) {
	s.mu.Lock()
	s.HeadersTimeout = d
	s.applyTimeoutsLocked()
	s.mu.Unlock()
}

// SetRequestTimeout sets RequestTimeout, as Node's server.requestTimeout = d.
func (s *Server) SetRequestTimeout(d time.Duration) {
	s.mu.Lock()
	s.RequestTimeout = d
	s.applyTimeoutsLocked()
	s.mu.Unlock()
}

// SetKeepAliveTimeout sets KeepAliveTimeout, as Node's
// server.keepAliveTimeout = d: the next responses announce it, and idle
// connections end one second after it.
func (s *Server) SetKeepAliveTimeout(d time.Duration) {
	s.mu.Lock()
	s.KeepAliveTimeout = d
	s.publishLimitsLocked()
	s.applyTimeoutsLocked()
	s.mu.Unlock()
}

// SetMaxRequestsPerSocket sets MaxRequestsPerSocket, as Node's
// server.maxRequestsPerSocket = n: the next requests count against it.
func (s *Server) SetMaxRequestsPerSocket(n int) {
	s.mu.Lock()
	s.MaxRequestsPerSocket = n
	s.publishLimitsLocked()
	s.mu.Unlock()
}

// applyTimeoutsLocked hands the timeouts to the engine, if it runs, and
// makes its ticks finer if they need it now (timerResolution).
func (s *Server) applyTimeoutsLocked() {
	if s.eng != nil {
		s.eng.SetTimeouts(disable(s.HeadersTimeout), disable(s.RequestTimeout), engineKeepAlive(s.KeepAliveTimeout), s.Timeout)
		if r := s.timerResolution(); r < time.Second {
			s.eng.SetTickInterval(r)
		}
	}
}

// publishLimitsLocked publishes what handle reads of KeepAliveTimeout and
// MaxRequestsPerSocket.
func (s *Server) publishLimitsLocked() {
	secs := int32(-1)
	if s.KeepAliveTimeout > 0 {
		// Node: Math.floor(keepAliveTimeout / 1000), so 300 ms says timeout=0.
		secs = int32(min(s.KeepAliveTimeout/time.Second, math.MaxInt16))
	}
	s.keepAliveSecs.Store(secs)
	s.maxRequests.Store(int64(max(s.MaxRequestsPerSocket, 0)))
}

// keepAliveGrace is what Node 20 adds to keepAliveTimeout before it ends
// an idle connection (HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER), so that a
// client that trusts the announced timeout does not send into a closing
// socket.
const keepAliveGrace = time.Second

// engineKeepAlive is the engine's KeepAliveTimeout for Node's
// keepAliveTimeout d.
func engineKeepAlive(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d + keepAliveGrace
}

// timerResolution is the engine's TickInterval: ServerOptions'
// TimerResolution, else 1 s, or 100 ms when a timeout has a part under a
// second (Node's timers are exact to the millisecond; faster ticks cost
// the loops a little CPU). Once made finer, the ticks stay so.
func (s *Server) timerResolution() time.Duration {
	if r := s.opts.TimerResolution; r > 0 {
		return r
	}
	for _, d := range []time.Duration{s.HeadersTimeout, s.RequestTimeout, s.KeepAliveTimeout, s.Timeout} {
		if d%time.Second != 0 {
			return 100 * time.Millisecond
		}
	}
	return time.Second
}

// OnTimeout registers a 'timeout' listener: a connection was idle for
// Timeout. As in Node, the request and the response in progress on it get
// 'timeout' first (OnTimeout of IncomingMessage and ServerResponse), and
// the connection is kept when any of the three has listeners (end it with
// CloseIdleConnections, or let KeepAliveTimeout close it between
// requests); else it is closed.
func (s *Server) OnTimeout(fn func(socket SocketInfo)) {
	s.mu.Lock()
	s.onTimeout = append(s.onTimeout, fn)
	s.publishLocked()
	s.mu.Unlock()
}

// OnTimeout registers a 'timeout' listener on a server's request: its
// connection was idle for the server's Timeout before the request arrived
// in full (Node's req.on('timeout')). A listener keeps the connection.
func (m *IncomingMessage) OnTimeout(fn func()) {
	m.x.mu.Lock()
	e := m.moreLocked()
	e.onTimeout = append(e.onTimeout, fn)
	m.x.mu.Unlock()
}

// OnTimeout registers a 'timeout' listener: the connection was idle for
// the server's Timeout before the response finished (Node's
// res.on('timeout')). A listener keeps the connection, which then waits for
// the response.
func (res *ServerResponse) OnTimeout(fn func()) {
	res.x.mu.Lock()
	e := res.extLocked()
	e.onTimeout = append(e.onTimeout, fn)
	res.x.mu.Unlock()
}

// idleTimedOut is the engine's OnIdleTimeout, Node's socketOnTimeout: it
// emits 'timeout' on the connection's request while it has not arrived in
// full, on its response until it finishes, and on the server, and keeps
// the connection when any of them has listeners. value is the connection's
// value, which holds its request in progress (trackRequest). The listeners run on the loop, outside
// the exchange's window: their calls on the response reach it as calls
// from another goroutine do.
func (s *Server) idleTimedOut(remote, local net.Addr, value any) bool {
	var onReq, onRes []func()
	if m := requestOf(value); m != nil {
		m.x.mu.Lock()
		if !m.aborting {
			if e := m.more; e != nil && !m.bodyDone {
				onReq = e.onTimeout
			}
			if res := m.res; res.ext != nil && !res.finishEmitted && !res.destroyed {
				onRes = res.ext.onTimeout
			}
		}
		m.x.mu.Unlock()
	}
	fns := s.hooks.Load().onTimeout
	emit0(onReq)
	emit0(onRes)
	if len(fns) > 0 {
		emit(fns, socketInfo(remote, local))
	}
	// The socket's own listeners come after Node's socketOnTimeout, which
	// the server adds first, and keep nothing.
	if cs, ok := value.(*connState); ok {
		cs.sock.timedOut()
	}
	return len(onReq)+len(onRes)+len(fns) > 0
}

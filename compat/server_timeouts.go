package compat

import (
	"math"
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

package compat

import (
	"errors"
	"sync"
	"time"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/parse"
)

// OnClientError registers a 'clientError' listener: the parser refused a
// request (err is an instance of ErrParse with Node's HPE_* code, message,
// BytesParsed and RawPacket), or its head or exchange timed out
// (ErrHTTPRequestTimeout). As in Node, the listener answers by writing on
// the socket, or not at all, in place of Node's 400, 408 or 431 reply. It
// runs on the connection's event loop. What it writes before it returns
// goes out first; a socket it has not ended (End or Destroy) stays open,
// as in Node, for it to write on and end later from any goroutine, at
// most for the server's HeadersTimeout (else RequestTimeout, else
// Timeout; with all three 0 until it is ended, as in Node). A refusal in
// the middle of a request (a bad chunk) closes the connection when the
// listener returns. Each later read on a socket left open after a parse
// error emits 'clientError' again, as Node's parser stays in its error.
func (s *Server) OnClientError(fn func(err *Error, socket *Socket)) {
	s.mu.Lock()
	s.onClientError = append(s.onClientError, fn)
	s.publishLocked()
	s.mu.Unlock()
}

// errorTunnel is the engine's ErrorTunnel: the 'clientError' listeners'
// bytes when there are listeners and Node would emit the event, else
// Node's own reply. A socket the listeners left open is kept as t.
func (s *Server) errorTunnel(dst []byte, status int, err error, t *engine.Tunnel) ([]byte, engine.TunnelHandler) {
	if fns := s.hooks.Load().onClientError; len(fns) > 0 {
		if e, info := clientError(err); e != nil {
			r := new(rawReply)
			sock := &Socket{info, &socketState{x: new(exchange), reply: r, tm: socketTimeouts{srv: s}}}
			r.sock, r.err, r.seen = sock, e, len(e.RawPacket)
			for _, fn := range fns {
				fn(e, sock)
			}
			// Recorded before take, so that an end racing it is forgotten.
			r.srv = s
			s.keepError(r)
			dst, open := r.take(dst, t, s.clientErrorBound())
			if open {
				return dst, (*keptSocket)(r)
			}
			s.forgetError(r)
			return dst, nil
		}
	}
	return nodeErrorReply(dst, status, err), nil
}

// clientErrorBound is how long a 'clientError' socket its listener left
// open stays so (0: until ended).
func (s *Server) clientErrorBound() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range []time.Duration{s.HeadersTimeout, s.RequestTimeout, s.Timeout} {
		if d > 0 {
			return d
		}
	}
	return 0
}

// rawReply is what a 'clientError' listener writes on its socket: the
// bytes written while it runs, then, if it left the socket open, the
// connection kept for it (t).
type rawReply struct {
	srv   *Server // forgets r once it is ended
	mu    sync.Mutex
	out   []byte
	ended bool // End or Destroy was called, or the connection closed
	t     *engine.Tunnel
	timer *time.Timer   // closes t after the bound
	idle  time.Duration // SetTimeout's before t is kept
	sock  *Socket
	err   *Error // the refusal, given again for each later read
	seen  int    // bytes of err's RawPacket the tunnel has yet to hand over again; on the loop
}

func (r *rawReply) write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return 0, ErrWriteAfterEnd
	}
	if r.t != nil {
		if err := r.t.WriteAsync(append([]byte(nil), p...)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	r.out = append(r.out, p...)
	return len(p), nil
}

func (r *rawReply) end() {
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		return
	}
	r.ended = true
	kept := r.t != nil
	if kept {
		r.stopTimer()
		_ = r.t.Close() // after the writes queued before it
	}
	r.mu.Unlock()
	if kept {
		r.srv.forgetError(r)
	}
}

// take appends the bytes written to dst and reports whether the socket is
// left open: not ended and t, the connection, not nil. It then keeps t for
// later writes, closing it after bound (if not 0); else later writes are
// refused.
func (r *rawReply) take(dst []byte, t *engine.Tunnel, bound time.Duration) ([]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dst = append(dst, r.out...)
	r.out = nil
	if r.ended || t == nil {
		r.ended = true
		return dst, false
	}
	r.t = t
	if bound > 0 {
		r.timer = time.AfterFunc(bound, r.end)
	}
	if r.idle > 0 {
		_ = t.SetIdleTimeout(r.idle)
	}
	return dst, true
}

// setTimeout is the socket's SetTimeout: on the connection once it is
// kept, else when it is.
func (r *rawReply) setTimeout(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.t != nil && !r.ended {
		_ = r.t.SetIdleTimeout(d)
		return
	}
	r.idle = d
}

func (r *rawReply) stopTimer() {
	if r.timer != nil {
		r.timer.Stop()
	}
}

// keptSocket is a 'clientError' socket left open, as the engine's
// TunnelHandler.
type keptSocket rawReply

// OnData emits 'clientError' again for what the peer sends after a parse
// error, as Node's parser, left in its error, refuses each later read: the
// same code, message and BytesParsed, the read as RawPacket. Runs on the
// loop.
func (k *keptSocket) OnData(_ *engine.Tunnel, b []byte) {
	r := (*rawReply)(k)
	if !errors.Is(r.err, ErrParse) {
		return // a timeout: Node's parser reads on and serves the late request; compat drops it
	}
	// The tunnel starts with the bytes left unparsed: the refused ones.
	skip := min(r.seen, len(b))
	r.seen -= skip
	if b = b[skip:]; len(b) == 0 {
		return
	}
	e := *r.err
	e.RawPacket = append([]byte(nil), b...)
	for _, fn := range r.srv.hooks.Load().onClientError {
		fn(&e, r.sock)
	}
}

// OnIdleTimeout is Node's socketOnTimeout on a socket with no request: the
// server's 'timeout' listeners keep it, else it is destroyed; then the
// socket's own listeners. Runs on the loop.
func (k *keptSocket) OnIdleTimeout(t *engine.Tunnel) {
	r := (*rawReply)(k)
	if fns := r.srv.hooks.Load().onTimeout; len(fns) > 0 {
		emit(fns, r.sock.SocketInfo)
	} else {
		_ = t.Close()
	}
	r.sock.timedOut()
}

func (k *keptSocket) OnClose(*engine.Tunnel, error) {
	r := (*rawReply)(k)
	r.mu.Lock()
	r.ended = true
	r.stopTimer()
	r.mu.Unlock()
	r.srv.forgetError(r)
}

// keepError records r, a 'clientError' socket left open, for
// CloseAllConnections.
func (s *Server) keepError(r *rawReply) {
	s.mu.Lock()
	if s.keptErrors == nil {
		s.keptErrors = map[*rawReply]struct{}{}
	}
	s.keptErrors[r] = struct{}{}
	s.mu.Unlock()
}

func (s *Server) forgetError(r *rawReply) {
	s.mu.Lock()
	delete(s.keptErrors, r)
	s.mu.Unlock()
}

// takeKeptErrors returns the 'clientError' sockets left open and forgets them.
func (s *Server) takeKeptErrors() []*rawReply {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := make([]*rawReply, 0, len(s.keptErrors))
	for r := range s.keptErrors {
		rs = append(rs, r)
	}
	clear(s.keptErrors)
	return rs
}

// isMissingHost reports whether the engine refused a request for its
// missing Host, which Node answers with a response of its own.
func isMissingHost(err error) bool { return errors.Is(err, parse.ErrMissingHost) }

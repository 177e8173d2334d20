package engine

import (
	"context"
	"net"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// ConnHandle is a server connection as Options.OnOpenConn (or
// Request.Conn) gives it.
type ConnHandle struct {
	gc  gnet.Conn // kept here: the engine's conn is reused once it closes
	c   *conn
	l   *loop  // c's loop, kept here: c.l changes once c is reused
	gen uint64 // c.gen when the handle was made: a reused conn has another
}

// handle returns c's handle.
func (c *conn) handle() ConnHandle { return ConnHandle{gc: c.gc, c: c, l: c.l, gen: c.gen.Load()} }

// RemoteAddr returns the peer's address.
func (h ConnHandle) RemoteAddr() net.Addr { return h.gc.RemoteAddr() }

// LocalAddr returns the connection's local address.
func (h ConnHandle) LocalAddr() net.Addr { return h.gc.LocalAddr() }

// Close closes the connection at once: output not yet handed to the
// socket is dropped, and a request in progress gets its CloseHandler's
// OnClose. Safe from any goroutine; once the connection has closed it
// does nothing.
func (h ConnHandle) Close() error { return h.gc.Close() }

// End closes the connection once the output owed so far has been written,
// as Node's socket.end() on a server's socket: the peer gets every byte
// written before End (a response in progress stops where it is), then the
// close; no further request is read, and a request in progress gets its
// CloseHandler's OnClose as with Close. Safe from any goroutine; on the
// connection's loop it takes effect at once (inside a handler, when it
// returns); once the connection has closed it does nothing. A hijacked
// connection, or one whose handler runs on a worker, is closed at once.
func (h ConnHandle) End() error {
	if h.c == nil {
		return nil
	}
	return h.l.runOn(&endConn{h})
}

// endConn is one End queued onto the loop.
type endConn struct{ h ConnHandle }

func (e *endConn) Run(context.Context) error {
	c := e.h.c
	if c.gen.Load() != e.h.gen || c.closed || c.gc == nil {
		return nil
	}
	if c.inWorker || c.hij != nil {
		return c.gc.Close()
	}
	c.closeAfter = true
	if c.inCall {
		return nil // the call's end writes what is owed and closes
	}
	gc := c.gc
	if c.onTraffic() == gnet.Close {
		_ = gc.Close()
	}
	return nil
}

// SetValue sets the connection's value, as Request.SetConnValue does, before
// its first request. Call it only from OnOpenConn.
func (h ConnHandle) SetValue(v any) {
	if c, ok := h.gc.Context().(*conn); ok {
		c.value = v
	}
}

// SetIdleTimeout gives the connection an idle timeout of its own in place
// of the server's IdleTimeout, as Node's socket.setTimeout(ms): the
// connection times out once it has read and written nothing for d, and
// activity re-arms it; 0 (or less) turns idle timing off for the
// connection, the server's IdleTimeout included. What happens then is
// what the server's IdleTimeout does (OnIdleTimeout, else close). Under
// KeepAliveReplacesIdle, with a keep-alive timeout on, the end of a
// request gives the connection back to the server's timeouts, as Node's
// keep-alive timer replaces the socket's timeout and its next request
// sets server.timeout again; set between requests, it replaces the
// keep-alive timeout in turn, until the next request's head (see also
// SetIdleTimeoutAfter). The resolution is TickInterval's. Safe from
// any goroutine: on the connection's loop (an inline handler) it takes
// effect at once, elsewhere on the loop shortly after; once the
// connection has closed it does nothing.
func (h ConnHandle) SetIdleTimeout(d time.Duration) error { return h.setIdleTimeout(d, false) }

// SetIdleTimeoutAfter is SetIdleTimeout for the wait after the request in
// progress, if any: under KeepAliveReplacesIdle the request's end keeps it
// in place of the keep-alive timeout, until the next request's head, as
// Node's socket.setTimeout once the response has emitted 'finish' (where
// one set before 'finish' is replaced by the keep-alive timer).
func (h ConnHandle) SetIdleTimeoutAfter(d time.Duration) error { return h.setIdleTimeout(d, true) }

func (h ConnHandle) setIdleTimeout(d time.Duration, after bool) error {
	if h.c == nil {
		return nil
	}
	v := never
	if d > 0 {
		v = max(ms(d), 1)
	}
	return h.l.runOn(&setIdle{h: h, idle: v, after: after})
}

// setIdle is one SetIdleTimeout queued onto the loop.
type setIdle struct {
	h     ConnHandle
	idle  int64
	after bool // SetIdleTimeoutAfter's
}

func (s *setIdle) Run(context.Context) error {
	c := s.h.c
	if c.gen.Load() != s.h.gen || c.closed || c.gc == nil {
		return nil
	}
	c.sockIdle = s.idle
	ka := c.keepAliveReplaces()
	c.sockIdleAfter = ka && c.active && s.after
	c.sockIdleBetween = ka && !c.active && !c.fresh
	c.arm()
	return nil
}

// keepAliveTakesOver drops c's own idle timeout at a request's end when
// the keep-alive timeout replaces it, unless it was set for after the
// request (SetIdleTimeoutAfter). With the next request's bytes already
// read (pipelined), Node sets no keep-alive timer: the own timeout, unless
// a head made it stale, goes on into that request. Called at a request's
// end only for a connection that has one.
func (c *conn) keepAliveTakesOver(pipelined bool) {
	switch {
	case c.sockIdleAfter:
		c.sockIdleAfter, c.sockIdleBetween = false, !pipelined
	case pipelined && !c.sockIdleBetween:
	case c.keepAliveReplaces():
		c.sockIdle, c.sockIdleBetween = 0, false
	}
}

// keepAliveReplaces reports whether the keep-alive timeout replaces the
// idle ones between requests.
func (c *conn) keepAliveReplaces() bool {
	return c.s.opts.KeepAliveReplacesIdle && c.s.to.Load().keepAlive != never
}

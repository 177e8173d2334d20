package engine

import (
	"context"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// TunnelHandler receives the traffic of a hijacked connection. Its methods
// run on the connection's event loop.
type TunnelHandler interface {
	// OnData receives bytes from the peer, starting with those read before
	// the hijack. b is valid only during the call.
	OnData(t *Tunnel, b []byte)
	// OnClose reports that the connection closed; err is nil for a clean close.
	OnClose(t *Tunnel, err error)
}

// TunnelIdleHandler is a TunnelHandler told when its tunnel has been idle
// for the timeout Tunnel.SetIdleTimeout set. Its method runs on the
// connection's event loop.
type TunnelIdleHandler interface {
	OnIdleTimeout(t *Tunnel)
}

// Tunnel is a connection taken over after an Upgrade or CONNECT request:
// HTTP no longer applies to it.
type Tunnel struct {
	c    *conn
	gc   gnet.Conn // kept here: c is reused once the connection closes
	h    TunnelHandler
	done bool // the connection closed; touched only on the loop
	// live is set once the response head and everything owed before it
	// went to gnet (conn.toTunnel); until then Write queues behind the head
	// in the connection's output, so that bytes written in the handler
	// cannot overtake it. Touched only on the loop.
	live bool
	// idle is the tunnel's idle timeout in wheel milliseconds (0: none);
	// fired is set once it has run out, until the next read or write.
	// Touched only on the loop.
	idle  int64
	fired bool
	wrote func(gnet.Conn, error) error // WriteAsync's callback: a write is activity
}

// newTunnel makes c's tunnel to h.
func newTunnel(c *conn, h TunnelHandler) *Tunnel {
	t := &Tunnel{c: c, gc: c.gc, h: h}
	t.wrote = func(gnet.Conn, error) error {
		t.active()
		return nil
	}
	return t
}

// Hijack takes the connection over for an Upgrade or CONNECT request. The
// response head, if not written, is written first, without framing fields:
// set the status to 101 (Upgrade) or 2xx (CONNECT) and its fields before.
// From then on h receives the connection's bytes, starting with those that
// followed the request head. Must be called on the event loop (an inline
// handler); workers get ErrHijackWorker. Tunnel.Write may be called at once:
// its bytes follow the head. A 101 or a 2xx to CONNECT answered without
// Hijack closes the connection once the response is out, as what follows is
// not HTTP.
func (w *Response) Hijack(h TunnelHandler) (*Tunnel, error) { return w.hijack(h, true) }

// Takeover is Hijack without the head: a head not yet written is never
// written, and the caller answers the request itself through the Tunnel,
// as a net/http handler does once it has hijacked the connection.
func (w *Response) Takeover(h TunnelHandler) (*Tunnel, error) { return w.hijack(h, false) }

func (w *Response) hijack(h TunnelHandler, writeHead bool) (*Tunnel, error) {
	c := w.c
	switch {
	case c.inWorker:
		return nil, ErrHijackWorker
	case !c.req.Upgrade():
		return nil, ErrNotUpgrade
	case w.ended:
		return nil, ErrResponseEnded
	}
	if !w.headWritten && writeHead {
		keep := c.bodyDone
		c.bodyDone = true // no Connection: close for the unread body
		w.writeHead(false)
		c.bodyDone = keep
	}
	w.headWritten = true
	w.body = w.body[:0]
	w.hijacked, w.ended = true, true
	c.closeWhenDone = false
	t := newTunnel(c, h)
	c.hij = t
	c.arm() // no timeout until SetIdleTimeout
	return t, nil
}

// start delivers the bytes read before the hijack. Runs on the loop.
func (t *Tunnel) start() gnet.Action { return t.traffic() }

// traffic delivers every buffered byte to the handler.
func (t *Tunnel) traffic() gnet.Action {
	gc := t.gc
	b, _ := gc.Peek(-1)
	if len(b) > 0 {
		t.active()
		t.h.OnData(t, b)
		_, _ = gc.Discard(len(b))
	}
	return gnet.None
}

// SetIdleTimeout gives the tunnel an idle timeout, as Node's
// socket.setTimeout(ms) on an upgraded socket: once nothing has been read
// or written for d, the handler's OnIdleTimeout (TunnelIdleHandler) runs,
// once, and the tunnel stays open; the next read or write re-arms it. A
// handler that does not implement TunnelIdleHandler has the connection
// closed instead. 0 (or less) turns it off, as it is at the hijack. The
// resolution is TickInterval's. Safe from any goroutine while the tunnel
// is open: on the connection's loop it takes effect at once, elsewhere
// shortly after.
func (t *Tunnel) SetIdleTimeout(d time.Duration) error {
	var v int64
	if d > 0 {
		v = max(ms(d), 1)
	}
	return t.c.l.runOn(&setTunnelIdle{t: t, idle: v})
}

// setTunnelIdle is one Tunnel.SetIdleTimeout queued onto the loop.
type setTunnelIdle struct {
	t    *Tunnel
	idle int64
}

func (s *setTunnelIdle) Run(context.Context) error {
	t := s.t
	if t.done {
		return nil
	}
	t.idle, t.fired = s.idle, false
	t.c.lastActive = t.c.l.now()
	if t.c.hij == t {
		t.c.arm()
	}
	return nil
}

// deadline is when the tunnel's idle timeout runs out, in wheel
// milliseconds.
func (t *Tunnel) deadline() int64 {
	if t.idle == 0 || t.fired {
		return never
	}
	return t.c.lastActive + t.idle
}

// active notes a read or a write, which re-arms a timeout that ran out.
// Runs on the loop.
func (t *Tunnel) active() {
	if t.done {
		return
	}
	t.c.lastActive = t.c.l.now()
	if t.fired {
		t.fired = false
		t.c.arm()
	}
}

// idledOut runs the handler's OnIdleTimeout once the timeout has run out,
// or closes the connection. Runs on the loop.
func (t *Tunnel) idledOut() {
	t.fired = true
	h, ok := t.h.(TunnelIdleHandler)
	if !ok {
		_ = t.gc.Close()
		return
	}
	h.OnIdleTimeout(t)
}

func (t *Tunnel) closed(err error) {
	t.done = true
	t.h.OnClose(t, err)
}

// Write sends b to the peer, after the response head. Must be called on the
// event loop.
func (t *Tunnel) Write(b []byte) (int, error) {
	if t.done {
		return 0, ErrResponseEnded
	}
	if !t.live {
		// Still inside the handler (or Deferred.Do): the head is in the
		// connection's output, which goes out when the handler returns.
		t.c.out = append(t.c.out, b...)
		return len(b), nil
	}
	t.active()
	return t.gc.Write(b)
}

// WriteAsync sends b from any goroutine; b must not change until it is sent.
// Safe from any goroutine while the tunnel is open.
func (t *Tunnel) WriteAsync(b []byte) error { return t.gc.AsyncWrite(b, t.wrote) }

// Close closes the connection. Safe from any goroutine while the tunnel is open.
func (t *Tunnel) Close() error { return t.gc.Close() }

package engine

import (
	"context"

	"github.com/panjf2000/gnet/v2"
)

// loop is the engine's state for one gnet event loop: its timing wheel and
// its connections. It is touched only on that loop, except ev and s, which
// are immutable after creation.
type loop struct {
	s     *Server
	ev    gnet.EventLoop
	w     wheel
	conns []*conn // open connections, for shutdown; conn.li is the index
	epfd  int     // the loop's epoll descriptor for pausing reads; 0 unknown, -1 unavailable

	heads headCache // the last response head built on the loop

	probe loopProbe // the stall watchdog's state (stall.go), touched off the loop too
}

var _ gnet.Runnable = (*loop)(nil)

// runOn runs r on l: at once when called on l's goroutine (an inline
// handler), else queued onto the loop.
func (l *loop) runOn(r gnet.Runnable) error {
	if goid() == l.probe.gid {
		return r.Run(context.Background())
	}
	return l.ev.Execute(context.Background(), r)
}

// newLoop returns the state of ev. Must be called on ev.
func newLoop(s *Server, ev gnet.EventLoop) *loop {
	l := &loop{s: s, ev: ev}
	l.probe.ev, l.probe.gid = ev, goid()
	l.w.init(wheelResolution(s.opts.TickInterval).Milliseconds(), s.clock())
	return l
}

// now returns the loop's time in milliseconds as of its last tick.
// Must be called on the loop.
func (l *loop) now() int64 { return l.w.now }

// Run is the loop's tick, queued by the server's ticker: it advances the
// wheel and, during shutdown, closes idle connections. Runs on the loop.
func (l *loop) Run(context.Context) error {
	l.w.advance(l.s.clock())
	if l.s.closing.Load() {
		l.closeIdle()
	}
	return nil
}

func (l *loop) add(c *conn) {
	c.li = len(l.conns)
	l.conns = append(l.conns, c)
}

func (l *loop) remove(c *conn) {
	i := c.li
	if i < 0 || i >= len(l.conns) || l.conns[i] != c {
		return
	}
	last := len(l.conns) - 1
	l.conns[i] = l.conns[last]
	l.conns[i].li = i
	l.conns[last] = nil
	l.conns = l.conns[:last]
	c.li = -1
}

// closeIdle closes the connections that owe no response and hold no bytes
// of a request: neither buffered nor waiting in the socket.
func (l *loop) closeIdle() {
	for _, c := range l.conns {
		if c.closed || c.inWorker || c.closeAfter || c.active || c.hij != nil || c.headStart != 0 || c.blocked || c.sendOff < len(c.send) {
			continue
		}
		if c.gc.InboundBuffered() > 0 || socketPending(c.gc.Fd()) {
			continue
		}
		c.closeAfter = true
		_ = c.gc.Close()
	}
}

// closeAll closes l's connections but those taken over. gnet closes them
// later on the loop, so l.conns does not change under the range.
func (l *loop) closeAll() {
	for _, c := range l.conns {
		if c.closed || c.hij != nil {
			continue
		}
		c.closeAfter = true
		_ = c.gc.Close()
	}
}

// pauseRead stops reading c's socket while c has no use for more bytes, and
// restarts it when it has: the bytes then wait in the kernel, which bounds
// what a connection holds. Reading stops
//   - while output is unsent, or over the bound (blocked): see "The life
//     of a write" in output.go;
//   - while a paused body reader or a full pipe to a worker takes no more
//     of the body;
//   - while a response is owed and the request's body has been read, unless
//     the request has a CloseHandler, or its handler called Request.Done or
//     ClientGone: a peer's FIN then waits unread until the response has
//     gone out, since gnet closes a connection on reading EOF. Those ask to
//     learn at once that the peer went away, so for such a request only a
//     read's worth of buffered bytes (pauseThreshold) stops the reading.
//
// Must be called on the loop.
func (l *loop) pauseRead(c *conn) {
	want := c.blocked || c.sendOff < len(c.send)
	if !want && c.active {
		switch {
		case c.bodyDone && c.req.ch == nil && c.gone.Load()&goneWant == 0, c.pipeFull, !c.inWorker && c.req.streaming && c.req.paused:
			want = true
		case c.bodyDone:
			want = c.gc.InboundBuffered() >= pauseThreshold
		}
	}
	if want != c.readPaused {
		if l.setReading(c.gc, !want) == nil {
			c.readPaused = want
		}
	}
}

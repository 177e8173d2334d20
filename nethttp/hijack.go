package nethttp

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

// Hijack takes the connection over (http.Hijacker). The engine hands over
// connections of Upgrade and CONNECT requests only (such as a WebSocket
// handshake); for others Hijack fails with engine.ErrNotUpgrade. Nothing
// of the response is sent unless the handler called WriteHeader before,
// in which case the head and the body so far go out first.
func (rw *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if rw.hijacked {
		return nil, nil, http.ErrHijacked
	}
	if rw.wroteHeader {
		if err := rw.send(false); err != nil {
			return nil, nil, err
		}
	}
	tc := &tunnelConn{local: rw.ex.ctx.local, remote: rw.ex.remoteAddr}
	tc.cond.L = &tc.mu
	var err error
	if callErr := rw.call(func(w *engine.Response) {
		tc.t, err = w.Takeover(tc)
	}); callErr != nil {
		return nil, nil, callErr
	}
	if err != nil {
		return nil, nil, err
	}
	rw.hijacked = true
	return tc, bufio.NewReadWriter(bufio.NewReader(tc), bufio.NewWriter(tc)), nil
}

// tunnelConn is a hijacked connection as a net.Conn: the engine delivers
// its bytes on the event loop (OnData), Read takes them on the handler's
// goroutine. Writes are copied and queued to the loop.
type tunnelConn struct {
	t             *engine.Tunnel
	local, remote net.Addr

	mu       sync.Mutex
	cond     sync.Cond
	in       []byte // bytes read from the peer, not yet taken; guarded by mu
	eof      bool   // the connection closed; guarded by mu
	closed   bool   // Close was called; guarded by mu
	deadline time.Time
	timer    *time.Timer
}

// OnData runs on the event loop with bytes from the peer.
func (c *tunnelConn) OnData(_ *engine.Tunnel, b []byte) {
	c.mu.Lock()
	c.in = append(c.in, b...)
	c.cond.Broadcast()
	c.mu.Unlock()
}

// OnClose runs on the event loop when the connection closes.
func (c *tunnelConn) OnClose(*engine.Tunnel, error) {
	c.mu.Lock()
	c.eof = true
	c.cond.Broadcast()
	c.mu.Unlock()
}

func (c *tunnelConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.in) == 0 && !c.eof && !c.closed && !c.expiredLocked() {
		c.cond.Wait()
	}
	switch {
	case c.closed:
		return 0, net.ErrClosed
	case len(c.in) > 0:
		n := copy(p, c.in)
		c.in = c.in[:copy(c.in, c.in[n:])]
		return n, nil
	case c.eof:
		return 0, io.EOF
	}
	return 0, os.ErrDeadlineExceeded
}

func (c *tunnelConn) expiredLocked() bool {
	return !c.deadline.IsZero() && !time.Now().Before(c.deadline)
}

func (c *tunnelConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	gone := c.closed || c.eof
	c.mu.Unlock()
	if gone {
		return 0, net.ErrClosed
	}
	if err := c.t.WriteAsync(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *tunnelConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return net.ErrClosed
	}
	c.closed = true
	if c.timer != nil {
		c.timer.Stop()
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	return c.t.Close()
}

func (c *tunnelConn) LocalAddr() net.Addr  { return c.local }
func (c *tunnelConn) RemoteAddr() net.Addr { return c.remote }

func (c *tunnelConn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

// SetReadDeadline bounds Read; writes never wait, so they need no deadline.
func (c *tunnelConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline = t
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if !t.IsZero() {
		c.timer = time.AfterFunc(time.Until(t), func() {
			c.mu.Lock()
			c.cond.Broadcast()
			c.mu.Unlock()
		})
	}
	c.cond.Broadcast()
	return nil
}

func (c *tunnelConn) SetWriteDeadline(time.Time) error { return nil }

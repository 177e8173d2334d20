package engine

import (
	"errors"
	"net"

	"github.com/zerohttp/zerohttp/parse"
)

// ErrRequestTimeout is what a request answered 408 failed with: its head
// or its whole exchange outlived HeadersTimeout or RequestTimeout.
// Options.ErrorReply gets it as a *TimedOut.
var ErrRequestTimeout = errors.New("engine: request timeout")

// TimedOut is the error Options.ErrorReply gets for a 408: the
// connection's addresses. errors.Is matches it with ErrRequestTimeout.
type TimedOut struct {
	Remote, Local net.Addr
}

func (e *TimedOut) Error() string { return ErrRequestTimeout.Error() }

// Unwrap returns ErrRequestTimeout.
func (e *TimedOut) Unwrap() error { return ErrRequestTimeout }

// timedOut returns the error ErrorReply gets for a 408 on c.
func (c *conn) timedOut() error {
	if !c.replyHooked() || c.gc == nil {
		return ErrRequestTimeout
	}
	return &TimedOut{Remote: c.gc.RemoteAddr(), Local: c.gc.LocalAddr()}
}

// RefusedRequest is the error Options.ErrorReply gets for a request whose
// head or body the parser refused: the parse.Code, and where in the bytes
// received it stopped (what Node reports as a parse error's rawPacket and
// bytesParsed). errors.Is matches it with its Code.
type RefusedRequest struct {
	Code parse.Code
	// Packet is the bytes received and not yet consumed by earlier
	// requests when the parser stopped (for a request sent in one write,
	// that write, as Node's rawPacket). It is valid only during the
	// ErrorReply call.
	Packet []byte
	// Offset is where in Packet the parser stopped.
	Offset int
	// Remote and Local are the connection's addresses.
	Remote, Local net.Addr
}

func (e *RefusedRequest) Error() string { return e.Code.Error() }

// Unwrap returns e's Code.
func (e *RefusedRequest) Unwrap() error { return e.Code }

// refusal returns the error ErrorReply gets for code, found off bytes into
// buf; the plain Code when there is no ErrorReply (no allocation).
func (c *conn) refusal(code error, buf []byte, off int) error {
	pc, ok := code.(parse.Code)
	if !ok || !c.replyHooked() {
		return code
	}
	e := &RefusedRequest{Code: pc, Packet: buf, Offset: off}
	if c.gc != nil {
		e.Remote, e.Local = c.gc.RemoteAddr(), c.gc.LocalAddr()
	}
	return e
}

// bodyRefusal is refusal for a body error found off bytes into b, the
// tail of the connection's unconsumed input: the packet is all of that input.
func (c *conn) bodyRefusal(code error, b []byte, off int) error {
	if !c.replyHooked() || c.gc == nil {
		return code
	}
	buf, _ := c.gc.Peek(-1)
	if len(buf) < len(b) {
		return c.refusal(code, b, off)
	}
	return c.refusal(code, buf, len(buf)-len(b)+off)
}

// replyHooked reports whether a hook builds the error replies, and so
// gets errors with details.
func (c *conn) replyHooked() bool { return c.s.opts.ErrorReply != nil || c.s.opts.ErrorTunnel != nil }

// replyErrorTunnel is replyErrorFor under Options.ErrorTunnel: the reply,
// then, if f returns a handler, the connection kept open as a Tunnel
// instead of closed. Only a connection with no request in progress (a
// refused head, or a timeout waiting for one) is kept: a request's
// response would be left half done.
func (c *conn) replyErrorTunnel(f func([]byte, int, error, *Tunnel) ([]byte, TunnelHandler), status int, err error) {
	var t *Tunnel
	if !c.active && !c.inWorker && c.hij == nil {
		t = newTunnel(c, nil)
	}
	var h TunnelHandler
	c.out, h = f(c.out, status, err, t)
	if t == nil || h == nil {
		c.closeAfter = true
		if c.active {
			c.resp.ended, c.resp.headWritten = true, true
		}
		return
	}
	// As Hijack: the bytes left unparsed go to h, and what f wrote goes
	// out before anything written on t.
	t.h = h
	c.hij = t
	c.closeWhenDone = false
	c.arm() // a timeout f set on t, if any
}

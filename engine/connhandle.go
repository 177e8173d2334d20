package engine

import (
	"net"

	"github.com/panjf2000/gnet/v2"
)

// ConnHandle is a server connection as Options.OnOpenConn gives it.
type ConnHandle struct {
	gc gnet.Conn // kept here: the engine's conn is reused once it closes
}

// RemoteAddr returns the peer's address.
func (h ConnHandle) RemoteAddr() net.Addr { return h.gc.RemoteAddr() }

// LocalAddr returns the connection's local address.
func (h ConnHandle) LocalAddr() net.Addr { return h.gc.LocalAddr() }

// Close closes the connection at once: output not yet handed to the
// socket is dropped, and a request in progress gets its CloseHandler's
// OnClose. Safe from any goroutine; once the connection has closed it
// does nothing.
func (h ConnHandle) Close() error { return h.gc.Close() }

// SetValue sets the connection's value, as Request.SetConnValue does, before
// its first request. Call it only from OnOpenConn.
func (h ConnHandle) SetValue(v any) {
	if c, ok := h.gc.Context().(*conn); ok {
		c.value = v
	}
}

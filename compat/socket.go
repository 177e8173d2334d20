package compat

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/zerohttp/zerohttp/engine"
)

// Socket is the part of Node's net.Socket that an 'upgrade' or 'connect'
// listener uses: the connection, taken over from HTTP. Its methods are safe
// from any goroutine; its events run on the connection's event loop.
//
// As in Node, the listener writes the response head itself, such as
// "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n...\r\n\r\n".
// compat reads that head and has the engine send it (the engine adds its
// Date field); with a 101 (or a 2xx answer to CONNECT) the connection is
// then handed over, and everything written after the head goes to the peer
// as is. Any other status ends the exchange as an HTTP response, with
// Connection: close.
//
// Two engine limits show here: the head of an upgrade must be written by
// the listener before it returns (one written later from another goroutine
// stays in the engine's output buffer), and the engine drops a Connection
// field from a 101 (so "Connection: Upgrade" is not sent).
type Socket struct {
	x *exchange
	w *engine.Response // touched in ops while !x.wireEnded
	// Info describes the connection.
	Info SocketInfo

	connect bool      // the request is a CONNECT
	reply   *rawReply // set on a 'clientError' socket: writes go there

	// Guarded by x.mu.
	pre       []byte         // bytes written before the head was complete
	t         *engine.Tunnel // set once the connection is taken over
	httpReply bool           // the head was not an upgrade: the rest goes in an HTTP body
	ended     bool           // End or Destroy was called
	closed    bool           // 'close' was emitted
	onData    []func([]byte)
	onEnd     []func()
	onClose   []func()
}

// OnData registers a 'data' listener; chunk is valid only during the call.
func (s *Socket) OnData(fn func(chunk []byte)) {
	s.x.mu.Lock()
	s.onData = append(s.onData, fn)
	s.x.mu.Unlock()
}

// OnEnd registers an 'end' listener: the peer closed the connection.
func (s *Socket) OnEnd(fn func()) {
	s.x.mu.Lock()
	s.onEnd = append(s.onEnd, fn)
	s.x.mu.Unlock()
}

// OnClose registers a 'close' listener.
func (s *Socket) OnClose(fn func()) {
	s.x.mu.Lock()
	s.onClose = append(s.onClose, fn)
	s.x.mu.Unlock()
}

// Write sends p: first the response head (see Socket), then raw bytes. p
// may be reused once Write returns.
func (s *Socket) Write(p []byte) (int, error) {
	if s.reply != nil {
		return s.reply.write(p)
	}
	b := append([]byte(nil), p...)
	s.x.mu.Lock()
	if s.ended {
		s.x.mu.Unlock()
		return 0, ErrWriteAfterEnd
	}
	t := s.t
	s.x.mu.Unlock()
	if t != nil {
		if err := t.WriteAsync(b); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	s.x.do(func() { s.writeOp(b) })
	return len(p), nil
}

// WriteString is Write for a string.
func (s *Socket) WriteString(str string) (int, error) { return s.Write([]byte(str)) }

// End closes the connection after what was written (Node's socket.end()).
func (s *Socket) End() { s.finish() }

// Destroy closes the connection (Node's socket.destroy()).
func (s *Socket) Destroy() { s.finish() }

func (s *Socket) finish() {
	if s.reply != nil {
		s.reply.end()
		return
	}
	s.x.mu.Lock()
	if s.ended {
		s.x.mu.Unlock()
		return
	}
	s.ended = true
	t := s.t
	s.x.mu.Unlock()
	if t != nil {
		_ = t.Close()
		return
	}
	s.x.do(func() {
		if s.x.wireEnded {
			if s.t != nil {
				_ = s.t.Close()
			}
			return
		}
		// No upgrade happened: end as an HTTP response, closing.
		s.w.SetClose()
		if !s.httpReply {
			s.w.SetStatus(400)
		}
		s.w.End()
		s.x.wireEnded = true
		s.closedLocked()
	})
}

// writeOp collects the head and, once it is whole, applies it. Runs as an op.
func (s *Socket) writeOp(b []byte) {
	x := s.x
	switch {
	case s.t != nil:
		_, _ = s.t.Write(b)
		return
	case x.wireEnded:
		return
	case s.httpReply:
		_, _ = s.w.Write(b)
		return
	}
	s.pre = append(s.pre, b...)
	i := bytes.Index(s.pre, []byte("\r\n\r\n"))
	if i < 0 {
		return
	}
	head, rest := string(s.pre[:i]), s.pre[i+4:]
	s.pre = nil
	status, fields, ok := parseHead(head)
	if !ok {
		status, fields = 500, nil
	}
	w := s.w
	w.SetStatus(status)
	for j := 0; j+1 < len(fields); j += 2 {
		w.Header().AddString(fields[j], fields[j+1])
	}
	upgrade := status == 101 || (s.connect && status/100 == 2)
	if !upgrade {
		s.httpReply = true
		w.SetClose()
		_, _ = w.Write(rest)
		return
	}
	t, err := w.Hijack((*tunnelHandler)(s))
	if err != nil {
		s.httpReply = true
		w.SetClose()
		return
	}
	s.t = t
	x.wireEnded = true
	if len(rest) > 0 {
		_, _ = t.Write(rest)
	}
}

// parseHead reads a status line and its fields, as a listener writes them.
func parseHead(head string) (status int, fields []string, ok bool) {
	lines := strings.Split(head, "\r\n")
	parts := strings.SplitN(lines[0], " ", 3)
	if len(parts) < 2 || !strings.HasPrefix(parts[0], "HTTP/1.") {
		return 0, nil, false
	}
	status, err := strconv.Atoi(parts[1])
	if err != nil || status < 100 || status > 999 {
		return 0, nil, false
	}
	for _, l := range lines[1:] {
		name, value, found := strings.Cut(l, ":")
		if !found || ValidateHeaderName(name) != nil {
			return 0, nil, false
		}
		value = strings.TrimSpace(value)
		if ValidateHeaderValue(value) != nil {
			return 0, nil, false
		}
		fields = append(fields, name, value)
	}
	return status, fields, true
}

// closedLocked queues 'close' once.
func (s *Socket) closedLocked() {
	if s.closed {
		return
	}
	s.closed = true
	fns := s.onClose
	s.x.tickLocked(eventFunc(func() { emit0(fns) }))
}

// tunnelHandler is a Socket as the engine's TunnelHandler.
type tunnelHandler Socket

var _ engine.TunnelHandler = (*tunnelHandler)(nil)

func (h *tunnelHandler) OnData(_ *engine.Tunnel, b []byte) {
	s := (*Socket)(h)
	s.x.mu.Lock()
	fns := s.onData
	s.x.mu.Unlock()
	emit(fns, b)
}

func (h *tunnelHandler) OnClose(_ *engine.Tunnel, _ error) {
	s := (*Socket)(h)
	x := s.x
	x.mu.Lock()
	ends := s.onEnd
	s.ended = true
	x.mu.Unlock()
	emit0(ends)
	x.mu.Lock()
	s.closedLocked()
	x.mu.Unlock()
	x.emitTicks()
}

package engine

import "slices"

// Framing says how the body after a caller-built head (Response.WriteRawHead)
// is delimited.
type Framing uint8

const (
	// FramingNone: the response has no body (HEAD, 1xx, 204, 304).
	FramingNone Framing = iota
	// FramingLength: the head carries a Content-Length.
	FramingLength
	// FramingChunked: the head carries Transfer-Encoding: chunked.
	FramingChunked
	// FramingClose: the body ends when the connection closes.
	FramingClose
)

// AppendDate appends the engine's cached "Date: ...\r\n" field line to dst.
// Safe from any goroutine.
func AppendDate(dst []byte) []byte { return appendDate(dst) }

// KeepsConn reports whether the connection would stay open after this
// response as things stand: the request allows it, the request body has been
// read, the server is not shutting down and SetClose was not called. A caller
// building its own head (WriteRawHead) says "Connection: close" when it is
// false. Must be called where the response's other methods may be.
func (w *Response) KeepsConn() bool {
	c := w.c
	r := &c.req
	bodyUnread := !c.bodyDone && r.bh == nil
	if r.pipe != nil {
		bodyUnread = !r.pipe.ended()
	}
	return !w.closeConn && c.p.KeepAlive() && !c.s.closing.Load() && !bodyUnread
}

// HeadBuffer returns an empty slice with room for at least n bytes in the
// connection's output buffer, where a head given to WriteRawHead right after
// (nothing written to the response between) is not copied again. A head that
// outgrew it, or was built elsewhere, is copied as usual.
func (w *Response) HeadBuffer(n int) []byte {
	c := w.c
	if cap(c.out)-len(c.out) < n {
		c.out = slices.Grow(c.out, n)
	}
	return c.out[len(c.out):len(c.out)]
}

// WriteRawHead writes head, a whole response head that the caller built and
// validated (status line, field lines in its own order, blank line), in
// place of the one the engine would build from Header, SetReason and
// SetSendDate, and delimits the body that follows as framing says: length
// is the Content-Length the head declares for FramingLength. With closeConn
// (the head says "Connection: close") the connection closes after the
// response. The head goes to the socket with the body or at Flush. It does
// nothing once the head is written.
func (w *Response) WriteRawHead(head []byte, framing Framing, length int64, closeConn bool) {
	if w.headWritten || w.ended || w.hijacked {
		return
	}
	c := w.c
	if n := len(c.out); len(head) > 0 && len(head) <= cap(c.out)-n && &c.out[:n+1][n] == &head[0] {
		c.out = c.out[:n+len(head)] // built in HeadBuffer: in place already
	} else {
		c.out = append(c.out, head...)
	}
	w.headWritten = true
	w.length = -1
	switch framing {
	case FramingNone:
		w.noBody = true
	case FramingLength:
		w.length = length
	case FramingChunked:
		w.chunked = true
	case FramingClose:
		closeConn = true
	}
	if closeConn {
		w.closeConn = true
		c.closeWhenDone = true
	}
	if len(w.body) > 0 {
		body := w.body
		w.body = w.body[:0]
		w.sendBody(body)
	}
}

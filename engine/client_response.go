package engine

import (
	"net"
	"sync"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// ClientResponse is a response read by a ClientConn. Get one with
// AcquireClientResponse and return it with ReleaseClientResponse. Every view
// it returns (Reason, Header, Body, Trailer) lives until the response is
// reset, released or passed to another request. It is filled on the
// connection's event loop and belongs to the caller again once Do returns or
// the ResponseHandler runs; it is not safe for concurrent use.
type ClientResponse struct {
	buf []byte // raw head, then the decoded body compacted in place, then trailers

	status       int
	major, minor int
	reason       headers.Span
	header       headers.Table
	trailer      headers.Table
	headLen      int
	bodyEnd      int // body is buf[headLen:bodyEnd]
	keepAlive    bool
	framing      parse.Framing
	tunnel       net.Conn // Upgrade or CONNECT: the raw connection, handed over
	maxBodyBytes int
	stream       ResponseStreamer // nil: the body is gathered in buf
	streamed     int              // body bytes handed to stream
}

var clientResponsePool = sync.Pool{New: func() any { return new(ClientResponse) }}

// AcquireClientResponse returns an empty response from a pool. Safe from any goroutine.
func AcquireClientResponse() *ClientResponse { return clientResponsePool.Get().(*ClientResponse) }

// ReleaseClientResponse resets r and returns it to the pool. r must not be in flight.
func ReleaseClientResponse(r *ClientResponse) {
	r.Reset()
	r.maxBodyBytes = 0 // a limit and a streamer are the caller's, not the pool's
	r.stream = nil
	clientResponsePool.Put(r)
}

// Reset empties r for reuse, keeping its buffers. A tunnel connection is not
// closed: it belongs to whoever took it with Tunnel.
func (r *ClientResponse) Reset() {
	r.buf = r.buf[:0]
	r.status, r.major, r.minor = 0, 0, 0
	r.reason = headers.Span{}
	r.header.Reset(nil)
	r.trailer.Reset(nil)
	r.headLen, r.bodyEnd, r.streamed = 0, 0, 0
	r.keepAlive = false
	r.framing = parse.BodyNone
	r.tunnel = nil
}

// SetMaxBodyBytes bounds the body this response accepts (0: unlimited).
// A longer body fails the request with ErrClientBodyTooLarge.
func (r *ClientResponse) SetMaxBodyBytes(n int) { r.maxBodyBytes = n }

// StatusCode returns the status code.
func (r *ClientResponse) StatusCode() int { return r.status }

// Version returns the HTTP version of the response.
func (r *ClientResponse) Version() (major, minor int) { return r.major, r.minor }

// Reason returns the reason phrase.
func (r *ClientResponse) Reason() []byte { return r.reason.In(r.buf) }

// Header returns the header fields in arrival order, as spans into the response.
func (r *ClientResponse) Header() *headers.Table { return &r.header }

// Body returns the decoded body (dechunked).
func (r *ClientResponse) Body() []byte { return r.buf[r.headLen:r.bodyEnd] }

// Trailer returns the trailer fields of a chunked body.
func (r *ClientResponse) Trailer() *headers.Table { return &r.trailer }

// KeepAlive reports whether the server allowed the connection to be reused.
func (r *ClientResponse) KeepAlive() bool { return r.keepAlive }

// Framing returns how the body was delimited.
func (r *ClientResponse) Framing() parse.Framing { return r.framing }

// Tunnel returns the raw connection after a 101 response or a 2xx response to
// CONNECT, or nil. Its first reads return any bytes that arrived right after
// the head. The caller owns it and must close it.
func (r *ClientResponse) Tunnel() net.Conn { return r.tunnel }

// TunnelHead takes the bytes that arrived right after the head of a
// response whose Tunnel is set: the tunnel's reads then start with what
// follows them (Node's 'upgrade' head argument). It returns nil if there
// were none, or once taken. Call it before reading the tunnel, on the
// goroutine that owns it.
func (r *ClientResponse) TunnelHead() []byte {
	t, ok := r.tunnel.(*clTunnelConn)
	if !ok {
		return nil
	}
	head := t.prefix
	t.prefix = nil
	return head
}

// HeaderValue returns the value of the first field named name, given in
// lower case (compared ASCII case-insensitively), or nil.
func (r *ClientResponse) HeaderValue(name string) []byte {
	v, _ := r.header.Get(name)
	return v
}

package engine

import (
	"bytes"
	"errors"
	"io"
	"net"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// noCopy makes go vet's copylocks check flag copies of the struct that embeds it.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// Request is a request as the handler sees it. It is owned by its connection
// and reused for every request on it: it and every view it returns are valid
// until the handler returns or, when the response outlives the handler (a
// streamed body, Response.Detach), until the response ends. Its methods must
// be called on the connection's event loop, or on the worker running the
// handler, unless a method says otherwise.
type Request struct {
	_ noCopy

	c      *conn
	base   []byte         // the head's bytes; spans index it
	hdr    headers.Table  // spans into base
	trails *headers.Table // a chunked body's trailers: spans into the read that completed them, or owned once detached

	body      []byte // the whole body when buffered; nil when streamed
	streaming bool   // the body is delivered to bh as it arrives, or to pipe
	bh        BodyHandler
	ch        CloseHandler
	paused    bool
	pipe      *bodyPipe    // a streamed body on its way to a worker
	bodyRd    bytes.Reader // BodyReader's reader of a buffered body
}

// BodyHandler receives a streamed request body. Its methods run on the
// connection's event loop, in order.
type BodyHandler interface {
	// OnBody receives the next piece of the body; chunk is valid only during the call.
	OnBody(r *Request, chunk []byte)
	// OnBodyEnd follows the last piece. trailers holds a chunked body's trailer
	// fields (possibly none) and is valid only during the call.
	OnBodyEnd(r *Request, trailers *headers.Table)
}

// CloseHandler learns that a request's connection closed before the request
// was finished: its response not ended, or its body not read to the end.
type CloseHandler interface {
	// OnClose runs on the connection's event loop. r is valid during the call
	// only; a Deferred for the request does nothing afterwards. err is the
	// error the connection closed with, or nil for a clean close by the peer.
	OnClose(r *Request, err error)
}

// SetCloseHandler registers h for the current request (nil removes it). Must
// be called on the connection's event loop, typically by the handler. It is
// not called while the handler itself runs on a worker (Options.Workers):
// such a handler uses Done or ClientGone.
func (r *Request) SetCloseHandler(h CloseHandler) { r.ch = h }

// Method returns the request method, parse.MethodOther for one the engine does not name.
func (r *Request) Method() parse.Method { return r.c.p.Method() }

// MethodBytes returns the method as sent.
func (r *Request) MethodBytes() []byte { return r.c.p.MethodSpan().In(r.base) }

// Target returns the request-target as sent: path and query.
func (r *Request) Target() []byte { return r.c.p.Target().In(r.base) }

// Path returns the request-target up to the first '?'.
func (r *Request) Path() []byte {
	t := r.Target()
	if i := bytes.IndexByte(t, '?'); i >= 0 {
		return t[:i]
	}
	return t
}

// Query returns the request-target after the first '?', or nil if there is none.
func (r *Request) Query() []byte {
	t := r.Target()
	if i := bytes.IndexByte(t, '?'); i >= 0 {
		return t[i+1:]
	}
	return nil
}

// Header returns the request's header fields in arrival order. The table
// must not be modified.
func (r *Request) Header() *headers.Table { return &r.hdr }

// Host returns the Host field's value, or nil if there was none.
func (r *Request) Host() []byte {
	host, ok := r.c.p.Host()
	if !ok {
		return nil
	}
	return host.In(r.base)
}

// Version returns the HTTP version, such as (1, 1).
func (r *Request) Version() (major, minor int) { return r.c.p.Version() }

// KeepAlive reports whether the client asked to keep the connection open.
func (r *Request) KeepAlive() bool { return r.c.p.KeepAlive() }

// Expect100 reports whether the client sent "Expect: 100-continue".
func (r *Request) Expect100() bool { return r.c.p.Expect100() }

// Upgrade reports whether the request asks to switch protocols; with
// CONNECT, the handler may take the connection with Response.Hijack.
func (r *Request) Upgrade() bool { return r.c.p.Upgrade() || r.c.p.Method() == parse.MethodCONNECT }

// ContentLength returns the body's declared length, 0 for none, or -1 for a chunked body.
func (r *Request) ContentLength() int64 {
	switch r.c.p.Framing() {
	case parse.BodyLength:
		return r.c.p.ContentLength()
	case parse.BodyChunked:
		return -1
	}
	return 0
}

// Body returns the whole body, empty when there is none. The engine reads
// a body whole before it calls the handler, up to Options.MaxBufferedBody,
// and refuses a larger one with 413, so Body is complete for every request
// a handler gets. The exception is a body being streamed (Streaming reports
// true: Options.StreamBodies or CheckContinue): Body then returns nil and
// the bytes come through SetBodyHandler or, on a worker, BodyReader.
func (r *Request) Body() []byte { return r.body }

// Trailers returns the trailer fields of a buffered chunked body, or of one
// read to its end through BodyReader; they are valid until the handler
// returns. For a body still being streamed to a worker it returns nil.
func (r *Request) Trailers() *headers.Table {
	if r.pipe != nil {
		return r.pipe.trailerTable()
	}
	return r.trails
}

// BodyReader returns the body as an io.Reader; it is never nil. A
// buffered body (the default: see Body) is read from memory, inline or on a
// worker. A streamed one (Streaming) is read on a worker (Options.Workers)
// as it arrives, with back-pressure: at most Options.MaxBufferedBody bytes
// wait for the reader, and past that the connection stops being read. Read
// returns io.EOF after the last byte, or ErrBodyAborted if the body fails
// (the connection closed, a malformed chunk, over MaxBodyBytes); the
// connection then closes after the response. A handler that answers without
// reading a streamed body to the end also closes the connection.
//
// On the event loop, reading a streamed body would block the loop: Read
// then fails with ErrBodyStreamed at once. Use SetBodyHandler there.
func (r *Request) BodyReader() io.Reader {
	if r.pipe != nil {
		return r.pipe
	}
	if r.streaming {
		return streamedOnLoop{}
	}
	r.bodyRd.Reset(r.body)
	return &r.bodyRd
}

// ErrBodyStreamed is the error of BodyReader's Read for a streamed body on
// the event loop (Options.StreamBodies or CheckContinue with inline
// handlers), where reading would block the loop: read the body with
// Request.SetBodyHandler, or run the handler on a worker (Options.Workers).
var ErrBodyStreamed = errors.New("engine: request body is streamed on the event loop: read it with Request.SetBodyHandler, or set Options.Workers")

// streamedOnLoop is BodyReader's reader of a streamed body on the event loop.
// An empty struct in an interface does not allocate.
type streamedOnLoop struct{}

func (streamedOnLoop) Read([]byte) (int, error) { return 0, ErrBodyStreamed }

// Streaming reports whether the body is streamed rather than buffered,
// which happens only with Options.StreamBodies (a body over MaxBufferedBody)
// or CheckContinue (a request with Expect: 100-continue): the handler must
// then read it, with SetBodyHandler on the event loop or BodyReader on a
// worker, or the engine discards it and closes the connection after the
// response.
func (r *Request) Streaming() bool { return r.streaming }

// SetBodyHandler asks for a streamed body to be delivered to bh. The
// response then stays open after the handler returns, until Response.End.
// Bytes the engine has already buffered arrive first. On a worker, use
// BodyReader instead; this does nothing there.
func (r *Request) SetBodyHandler(bh BodyHandler) {
	if r.streaming && r.pipe == nil {
		r.bh = bh
	}
}

// Pause stops delivering a streamed body and, once the connection's buffer is
// full, stops reading from the socket. Must be called on the event loop.
func (r *Request) Pause() { r.paused = true }

// Resume undoes Pause. Safe from any goroutine.
func (r *Request) Resume() { r.c.resume() }

// RemoteAddr returns the client's address.
func (r *Request) RemoteAddr() net.Addr { return r.c.gc.RemoteAddr() }

// LocalAddr returns the address the request arrived on.
func (r *Request) LocalAddr() net.Addr { return r.c.gc.LocalAddr() }

// Conn returns a handle on the request's connection, which outlives the
// request (see ConnHandle).
func (r *Request) Conn() ConnHandle { return r.c.handle() }

// ConnValue returns what SetConnValue stored for the request's connection,
// or nil on a connection where it was not called.
func (r *Request) ConnValue() any { return r.c.value }

// SetConnValue keeps v with the request's connection until it closes, for
// state a handler builds once per connection rather than once per request
// (package nethttp keeps its reusable request objects there). The engine
// drops it when the connection closes. Like every Request method it must
// be called on the connection's event loop or the handler's worker.
func (r *Request) SetConnValue(v any) { r.c.value = v }

// set starts r on a parsed head; b starts at the head's first byte. The
// request line's and framing results are read from the connection's parser,
// which keeps them until the next head: copying them here cost more than
// every later read of them.
func (r *Request) set(b []byte) {
	r.base = b
	r.body = nil
	r.streaming = false
	r.bh, r.ch = nil, nil
	r.paused = false
	r.pipe = nil
	r.trails.Reset(nil)
}

// rebase points r's views at b, a copy of the head at the same offsets.
func (r *Request) rebase(b []byte) {
	r.base = b
	r.hdr.SetBase(b)
}

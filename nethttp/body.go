package nethttp

import (
	"io"
	"net/http"
	"net/textproto"
	"sync"
	"time"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
)

// pipeLimit is how many body bytes wait for the handler before the engine
// stops reading the connection (engine.Request.Pause).
const pipeLimit = 64 << 10

// requestBody is a request's Body. A body the engine buffered whole is
// copied in at once; a streamed one arrives from the event loop through
// OnBody and OnBodyEnd (it is an engine.BodyHandler).
type requestBody struct {
	rw *responseWriter
	er *engine.Request // for Pause (loop) and Resume

	mu       sync.Mutex
	cond     sync.Cond
	buf      []byte // bytes not yet read; guarded by mu
	eof      bool   // the whole body arrived; guarded by mu
	err      error  // the body failed (connection closed); guarded by mu
	paused   bool   // the engine was asked to pause; guarded by mu
	closed   bool   // Close was called; guarded by mu
	trailer  http.Header
	sawEOF   bool // Read returned io.EOF: the body was read to its end
	expect   bool // 100 Continue is owed on the first Read
	askedFor bool // the first Read happened

	timer       *time.Timer // fires at the read deadline; guarded by mu
	deadlineSeq uint64      // numbers the deadlines set; guarded by mu
	timedOut    bool        // the read deadline has passed; guarded by mu
}

// newBody returns the Body for r's request. Called on the event loop.
func newBody(rw *responseWriter, r *engine.Request) io.ReadCloser {
	if r.ContentLength() == 0 {
		return http.NoBody
	}
	b := &requestBody{rw: rw, er: r, expect: r.Expect100()}
	b.cond.L = &b.mu
	rw.body = b
	if r.Streaming() {
		r.SetBodyHandler(b)
		return b
	}
	b.buf = append([]byte(nil), r.Body()...)
	b.eof = true
	b.setTrailer(r.Trailers())
	return b
}

// setTrailer copies the trailer fields t holds. Must hold mu or own b.
func (b *requestBody) setTrailer(t *headers.Table) {
	if t == nil || t.Len() == 0 {
		return
	}
	b.trailer = make(http.Header, t.Len())
	copyHeader(b.trailer, t, nil)
}

// OnBody runs on the event loop with the next piece of a streamed body.
func (b *requestBody) OnBody(r *engine.Request, chunk []byte) {
	b.mu.Lock()
	if !b.closed && b.err == nil {
		b.buf = append(b.buf, chunk...)
		if len(b.buf) >= pipeLimit && !b.paused {
			b.paused = true
			r.Pause()
		}
		b.cond.Broadcast()
	}
	b.mu.Unlock()
}

// OnBodyEnd runs on the event loop after the last piece.
func (b *requestBody) OnBodyEnd(r *engine.Request, trailers *headers.Table) {
	b.mu.Lock()
	b.eof = true
	b.setTrailer(trailers)
	b.cond.Broadcast()
	b.mu.Unlock()
}

// fail ends a body that will not arrive whole. Called on the event loop.
func (b *requestBody) fail(err error) {
	b.mu.Lock()
	if !b.eof && b.err == nil {
		b.err = err
		b.cond.Broadcast()
	}
	b.mu.Unlock()
}

// Read reads the body, waiting for it to arrive; at its end it fills the
// request's Trailer, as net/http does.
func (b *requestBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	if !b.askedFor {
		b.askedFor = true
		if b.expect {
			b.rw.sendContinue()
		}
	}
	for len(b.buf) == 0 && !b.eof && b.err == nil && !b.timedOut {
		b.cond.Wait()
	}
	if len(b.buf) > 0 {
		n := copy(p, b.buf)
		b.buf = b.buf[:copy(b.buf, b.buf[n:])]
		if b.paused && len(b.buf) < pipeLimit/2 {
			b.paused = false
			b.er.Resume()
		}
		return n, nil
	}
	if b.err != nil {
		return 0, b.err
	}
	if !b.eof {
		return 0, errReadTimeout
	}
	if !b.sawEOF {
		b.sawEOF = true
		req := b.rw.ex.req
		for k, v := range b.trailer {
			if req.Trailer == nil {
				req.Trailer = make(http.Header)
			}
			req.Trailer[textproto.CanonicalMIMEHeaderKey(k)] = v
		}
	}
	return 0, io.EOF
}

// Close stops reading: later Reads fail and bytes still arriving are dropped.
func (b *requestBody) Close() error {
	b.mu.Lock()
	b.closed = true
	b.buf = nil
	if b.paused {
		b.paused = false
		b.er.Resume()
	}
	b.mu.Unlock()
	return nil
}

// complete reports whether the whole body has arrived from the connection.
func (b *requestBody) complete() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.eof
}

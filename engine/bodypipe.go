package engine

import (
	"errors"
	"io"
	"sync"

	"github.com/panjf2000/gnet/v2"

	"github.com/zerohttp/zerohttp/headers"
)

// ErrBodyAborted is what a streamed body's reader returns when the request
// failed before its body ended: the connection closed, or the body was
// malformed or over Options.MaxBodyBytes.
var ErrBodyAborted = errors.New("engine: request body aborted")

// bodyPipe carries a streamed request body from the event loop to the worker
// running the handler (Options.Workers), which reads it with
// Request.BodyReader. It holds at most limit bytes: when it is full the loop
// stops decoding, the bytes wait in the connection's buffer, and past
// pauseThreshold the socket stops being read, until the reader makes room
// and wakes the loop. So a slow reader costs a bounded amount of memory.
type bodyPipe struct {
	mu      sync.Mutex
	cond    sync.Cond // on mu; its L is set when the pipe is made
	buf     []byte    // unread bytes are buf[off:]
	off     int
	limit   int
	done    bool  // the body ended: EOF once buf is drained
	err     error // the body failed
	stalled bool  // the loop stopped feeding for want of room; the reader wakes it
	gc      gnet.Conn

	trailers headers.Table // a chunked body's trailers, owned; set before done
}

// reset prepares p for a body on gc, holding at most limit bytes (at least one).
func (p *bodyPipe) reset(gc gnet.Conn, limit int) {
	p.buf, p.off = p.buf[:0], 0
	p.limit = max(limit, 1)
	p.done, p.err, p.stalled = false, nil, false
	p.gc = gc
	p.trailers.Reset(nil)
}

// room returns how many bytes the loop may feed. When it is 0 the pipe
// remembers that the loop is waiting. Called on the loop.
func (p *bodyPipe) room() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.limit - (len(p.buf) - p.off)
	if n <= 0 {
		p.stalled = true
		return 0
	}
	return n
}

// feed appends body bytes. Called on the loop.
func (p *bodyPipe) feed(b []byte) {
	if len(b) == 0 {
		return
	}
	p.mu.Lock()
	if p.off > 0 { // move the unread bytes down, so that buf stays within limit
		p.buf = p.buf[:copy(p.buf, p.buf[p.off:])]
		p.off = 0
	}
	p.buf = append(p.buf, b...)
	p.mu.Unlock()
	p.cond.Signal()
}

// end marks the body complete, with its trailers. Called on the loop.
func (p *bodyPipe) end(trailers *headers.Table) {
	p.mu.Lock()
	copyFields(&p.trailers, trailers)
	p.done = true
	p.mu.Unlock()
	p.cond.Signal()
}

// fail ends the body with err, unless it has ended. Called on the loop.
func (p *bodyPipe) fail(err error) {
	p.mu.Lock()
	if !p.done && p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
	p.cond.Signal()
}

// Read reads body bytes, blocking until some arrive, and returns io.EOF
// after the last. Called by the worker.
func (p *bodyPipe) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	p.mu.Lock()
	for p.off == len(p.buf) && !p.done && p.err == nil {
		p.cond.Wait()
	}
	if p.off == len(p.buf) {
		err := p.err
		if err == nil {
			err = io.EOF
		}
		p.mu.Unlock()
		return 0, err
	}
	n := copy(b, p.buf[p.off:])
	p.off += n
	// Wake a waiting loop once half the pipe is free, not for every read.
	wake := p.stalled && len(p.buf)-p.off <= p.limit/2
	if wake {
		p.stalled = false
	}
	p.mu.Unlock()
	if wake {
		_ = p.gc.Wake(nil)
	}
	return n, nil
}

// ended reports whether the whole body has arrived. Called by the worker.
func (p *bodyPipe) ended() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// trailerTable returns the trailers once the body has ended, else nil.
func (p *bodyPipe) trailerTable() *headers.Table {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done {
		return nil
	}
	return &p.trailers
}

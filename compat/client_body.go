package compat

import (
	"io"
	"sync"
)

// clientBody is a request body being written: Write queues each piece, and
// the engine's writing goroutine reads them, one chunk per Read when it
// fits the engine's buffer, as Node sends one chunk per write.
type clientBody struct {
	mu     sync.Mutex
	ready  sync.Cond // signalled when a piece is queued or the body ends
	q      []piece   // owned copies, oldest first
	closed bool      // End: Read returns err once q is empty
	eof    bool      // Read has returned io.EOF: the body is all sent
	err    error     // io.EOF, or why the request was destroyed
	queued int       // bytes in q
	// needDrain is set when queued reached writableHighWaterMark; drained
	// runs once Read has taken everything after that (Node's 'drain').
	needDrain bool
	drained   func()
	// atEOF, if set, runs once on the reading goroutine before Read
	// reports io.EOF.
	atEOF func()
	// taken, if set, runs on the reading goroutine after each Read that
	// took bytes: the connection is active.
	taken func()
	// noBody is set when the head went out saying the request has no body
	// (a GET's, sent before any Write); guarded by the request's mutex.
	noBody bool
}

// writableHighWaterMark is Node's default for a writable stream: a write
// that leaves this many bytes or more unsent returns false.
const writableHighWaterMark = 16 << 10

// piece is a written chunk and its write callback (may be nil).
type piece struct {
	b  []byte
	cb func(error)
}

func newClientBody() *clientBody {
	b := &clientBody{}
	b.ready.L = &b.mu
	return b
}

// push queues a copy of p and s. It reports whether fewer than
// writableHighWaterMark bytes wait to be sent (Node's write's result).
// cb, if not nil, is called once the piece is handed to the connection,
// or with ErrStreamDestroyed if the body is cut first.
func (b *clientBody) push(p []byte, s string, cb func(error)) bool {
	if len(p)+len(s) == 0 {
		if cb != nil {
			go cb(nil)
		}
		return b.belowMark()
	}
	c := make([]byte, 0, len(p)+len(s))
	c = append(append(c, p...), s...)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.q = append(b.q, piece{c, cb})
		b.queued += len(c)
		b.ready.Signal()
	} else if cb != nil {
		go cb(ErrStreamDestroyed)
	}
	if b.queued >= writableHighWaterMark {
		b.needDrain = true
	}
	return !b.needDrain
}

// sent reports whether the whole body has been handed to the engine: the
// body has ended and Read has taken its last piece. (Under a Content-Length
// the engine asks for the io.EOF only after writing that piece, and a
// server may answer before.)
func (b *clientBody) sent() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.eof || b.closed && b.err == io.EOF && len(b.q) == 0
}

// empty reports whether nothing has been written to the body yet.
func (b *clientBody) empty() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.queued == 0 && !b.eof
}

// belowMark reports whether no 'drain' is awaited.
func (b *clientBody) belowMark() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.needDrain
}

// close ends the body: with io.EOF after the queued pieces, or with
// another error at once.
func (b *clientBody) close(err error) {
	b.mu.Lock()
	var cut []piece
	if !b.closed {
		b.closed, b.err = true, err
		if err != io.EOF {
			cut, b.q = b.q, nil
		}
		b.ready.Broadcast()
	}
	b.mu.Unlock()
	for _, p := range cut {
		if p.cb != nil {
			go p.cb(ErrStreamDestroyed)
		}
	}
}

// Read returns the next queued piece, or as much of it as fits p, waiting
// for one if none is queued.
// A piece's callback runs on the reading goroutine once it is taken in
// full, as the engine writes what it read before it reads again.
func (b *clientBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	var done func(error)
	var n int
	defer func() {
		b.mu.Unlock()
		if n > 0 && b.taken != nil {
			b.taken()
		}
		if done != nil {
			done(nil)
		}
	}()
	for len(b.q) == 0 && !b.closed {
		b.ready.Wait()
	}
	if len(b.q) == 0 {
		if b.err == io.EOF && b.atEOF != nil {
			f := b.atEOF
			b.atEOF = nil
			b.mu.Unlock()
			f()
			b.mu.Lock()
		}
		b.eof = b.err == io.EOF
		return 0, b.err
	}
	n = copy(p, b.q[0].b)
	if n == len(b.q[0].b) {
		done = b.q[0].cb
		b.q[0] = piece{}
		b.q = b.q[1:]
	} else {
		b.q[0].b = b.q[0].b[n:]
	}
	b.queued -= n
	if b.queued == 0 && b.needDrain && !b.closed {
		// The engine writes what it read before it reads again, so the
		// bytes are on their way; Node emits 'drain' once its buffer is
		// empty likewise.
		b.needDrain = false
		if b.drained != nil {
			go b.drained()
		}
	}
	return n, nil
}

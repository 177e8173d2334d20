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
	q      [][]byte  // owned copies, oldest first
	closed bool      // End: Read returns err once q is empty
	err    error     // io.EOF, or why the request was destroyed
	queued int       // bytes in q
	// needDrain is set when queued reached writableHighWaterMark; drained
	// runs once Read has taken everything after that (Node's 'drain').
	needDrain bool
	drained   func()
}

// writableHighWaterMark is Node's default for a writable stream: a write
// that leaves this many bytes or more unsent returns false.
const writableHighWaterMark = 16 << 10

func newClientBody() *clientBody {
	b := &clientBody{}
	b.ready.L = &b.mu
	return b
}

// push queues a copy of p and s. It reports whether fewer than
// writableHighWaterMark bytes wait to be sent (Node's write's result).
func (b *clientBody) push(p []byte, s string) bool {
	if len(p)+len(s) == 0 {
		return b.belowMark()
	}
	piece := make([]byte, 0, len(p)+len(s))
	piece = append(append(piece, p...), s...)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.q = append(b.q, piece)
		b.queued += len(piece)
		b.ready.Signal()
	}
	if b.queued >= writableHighWaterMark {
		b.needDrain = true
	}
	return !b.needDrain
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
	if !b.closed {
		b.closed, b.err = true, err
		if err != io.EOF {
			b.q = nil
		}
		b.ready.Broadcast()
	}
	b.mu.Unlock()
}

// Read returns the next queued piece, or as much of it as fits p, waiting
// for one if none is queued.
func (b *clientBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.q) == 0 && !b.closed {
		b.ready.Wait()
	}
	if len(b.q) == 0 {
		return 0, b.err
	}
	n := copy(p, b.q[0])
	if n == len(b.q[0]) {
		b.q[0] = nil
		b.q = b.q[1:]
	} else {
		b.q[0] = b.q[0][n:]
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

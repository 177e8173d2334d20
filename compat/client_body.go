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
}

func newClientBody() *clientBody {
	b := &clientBody{}
	b.ready.L = &b.mu
	return b
}

// push queues a copy of p and s.
func (b *clientBody) push(p []byte, s string) {
	if len(p)+len(s) == 0 {
		return
	}
	piece := make([]byte, 0, len(p)+len(s))
	piece = append(append(piece, p...), s...)
	b.mu.Lock()
	if !b.closed {
		b.q = append(b.q, piece)
		b.ready.Signal()
	}
	b.mu.Unlock()
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
	return n, nil
}

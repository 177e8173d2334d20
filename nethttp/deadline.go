package nethttp

import (
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

// The errors of a body Read and a response Write past their deadlines,
// timeouts as net/http's are (errors.Is os.ErrDeadlineExceeded).
var (
	errReadTimeout  error = &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	errWriteTimeout error = &net.OpError{Op: "write", Net: "tcp", Err: os.ErrDeadlineExceeded}
)

// SetReadDeadline bounds the reads of the request body
// (http.ResponseController): a Read that would wait past t fails with a
// timeout, and the connection closes after the response, its body not
// read. Bytes that have arrived are still read. The zero time removes the
// deadline. It applies to this request only.
func (rw *responseWriter) SetReadDeadline(t time.Time) error {
	if b := rw.body; b != nil {
		b.setDeadline(t)
	}
	return nil
}

// setDeadline sets the body's read deadline.
func (b *requestBody) setDeadline(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	b.deadlineSeq++
	b.timedOut = false
	if t.IsZero() {
		return
	}
	d := time.Until(t)
	if d <= 0 {
		b.timedOut = true
		b.cond.Broadcast()
		return
	}
	seq := b.deadlineSeq
	b.timer = time.AfterFunc(d, func() {
		b.mu.Lock()
		if b.deadlineSeq == seq {
			b.timedOut = true
			b.cond.Broadcast()
		}
		b.mu.Unlock()
	})
}

// SetWriteDeadline bounds the handler's writes (http.ResponseController):
// once t passes before ServeHTTP returns, the connection is closed, so the
// client sees the response cut short, and a Write waiting for the client
// to take output, or handing output over after t, fails with a timeout. The
// zero time removes the deadline. It applies to this request only; what
// ServeHTTP leaves to send goes out under the engine's timeouts.
func (rw *responseWriter) SetWriteDeadline(t time.Time) error {
	wd := rw.wdl
	if wd == nil {
		if t.IsZero() {
			return nil
		}
		wd = &writeDeadline{conn: rw.ex.conn}
		rw.wdl = wd
	}
	wd.set(t)
	return nil
}

// writeDeadline is a response's write deadline, made by its first
// SetWriteDeadline.
type writeDeadline struct {
	conn    engine.ConnHandle
	expired atomic.Bool // the deadline passed while the handler ran

	mu    sync.Mutex
	timer *time.Timer // guarded by mu
	seq   uint64      // numbers the deadlines set; guarded by mu
	ended bool        // ServeHTTP returned; guarded by mu
}

func (wd *writeDeadline) set(t time.Time) {
	wd.mu.Lock()
	if wd.timer != nil {
		wd.timer.Stop()
		wd.timer = nil
	}
	wd.seq++
	if wd.ended || t.IsZero() || wd.expired.Load() {
		wd.mu.Unlock()
		return // a connection closed for a deadline stays closed
	}
	seq := wd.seq
	wd.timer = time.AfterFunc(max(time.Until(t), 0), func() { wd.fire(seq) })
	wd.mu.Unlock()
}

func (wd *writeDeadline) fire(seq uint64) {
	wd.mu.Lock()
	if wd.ended || wd.seq != seq {
		wd.mu.Unlock()
		return
	}
	wd.expired.Store(true)
	wd.mu.Unlock()
	wd.conn.Close()
}

// end stops the deadline once ServeHTTP has returned.
func (wd *writeDeadline) end() {
	wd.mu.Lock()
	wd.ended = true
	if wd.timer != nil {
		wd.timer.Stop()
		wd.timer = nil
	}
	wd.mu.Unlock()
}

// deadlinePassed reports whether the write deadline closed the connection.
func (rw *responseWriter) deadlinePassed() bool {
	return rw.wdl != nil && rw.wdl.expired.Load()
}

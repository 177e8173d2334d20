package engine

import (
	"sync"
	"syscall"
)

// The life of a write, on the server side:
//
//  1. A response's head and body are appended to c.out as the handler (or
//     the engine, for errors) produces them. A body the handler wrote whole
//     stays in Response.body until the head is built.
//  2. flushOut hands c.out to the socket: at the end of every read, when a
//     streamed response has collected flushThreshold bytes, on Flush, and
//     before a large body. With nothing unsent, it writes c.out directly
//     (one write(2) per read in the usual case).
//  3. What the socket does not take becomes c.send[c.sendOff:], without a
//     copy: the buffers of c.out and c.send are swapped, and reused while
//     output is unsent (trimOut lets large ones go once it is all sent). A large body
//     written whole is swapped in the same way from Response.body, so it
//     costs its size once while it drains. Later output is appended to
//     c.send behind it.
//  4. The socket is registered with the server's drain watch
//     (drain_linux.go), which wakes the connection when it is writable;
//     serve then writes c.send again.
//  5. While the unsent bytes are over Options.MaxUnsentOutput, the
//     connection serves no further request and its socket is not read, so
//     requests wait in the kernel (loop.pauseRead); Response.Full reports
//     true, and a worker writing a streamed body waits in handOff. All
//     resume when the unsent bytes fall to half the bound (lowWater).
//     A caller's buffer sent by reference (Response.WriteNoCopy: send, or
//     next behind it) holds the next request until the socket has taken
//     it all, so that no output is ever appended to it (a copy).
//  6. While any byte is unsent, the socket is not read either: a peer that
//     has shut down its sending side (FIN) would otherwise be read to EOF,
//     and gnet closes a connection at EOF, dropping what it owes.
//
// A worker does not touch the socket: its flushes hand c.out to the loop
// (handOff), which takes it (takeHandoff) and writes it as in step 2.

// maxKeptBuf is the largest buffer a connection keeps once it has drained,
// or puts back in the pool with it: a burst's buffers go back to the heap.
const maxKeptBuf = 64 << 10

// unsent returns how many bytes the socket has not taken. Loop only.
func (c *conn) unsent() int { return len(c.send) - c.sendOff + len(c.next) }

// drainedTo reports whether the next request may be served: at most n
// bytes unsent, and no caller's buffer among them (WriteNoCopy), as output
// queued behind one would copy its rest. A lent body is no memory of the
// connection's, so waiting for the socket to take it all holds nothing.
func (c *conn) drainedTo(n int) bool { return c.unsent() <= n && !c.lent }

// write writes p to the socket without blocking and returns how much it
// took. A hard error drops all output and closes the connection after the
// current event (closeAfter).
func (c *conn) write(p []byte) int {
	if c.fd < 0 {
		n, _ := c.gc.Write(p) // a socketless test connection takes everything
		return n
	}
	n, err := syscall.Write(c.fd, p)
	switch err {
	case nil:
		return n
	case syscall.EAGAIN:
		return 0
	}
	c.dropOutput()
	c.closeAfter = true
	return 0
}

// dropOutput forgets every unsent byte, for a connection that cannot be written.
func (c *conn) dropOutput() {
	c.out = c.out[:0]
	c.send, c.sendOff = c.send[:0], 0
	if c.lent {
		c.send, c.lent = nil, false
	}
	c.next = nil
}

// flushOut hands the owed output to the socket (steps 2 and 3 above), or,
// on a worker, to the loop.
func (c *conn) flushOut() {
	if c.inWorker {
		c.handOff()
		return
	}
	if len(c.out) == 0 {
		return
	}
	if c.closed {
		c.out = c.out[:0]
		return
	}
	if c.sendOff < len(c.send) {
		// Behind bytes the socket has not taken: queue, then try them all.
		if c.next != nil {
			// out came after a queued caller's buffer: it joins send
			// first, copied (a write after WriteNoCopy, which is rare).
			c.send, c.next = append(c.send, c.next...), nil
		}
		if c.sendOff >= len(c.send)-c.sendOff && !c.lent {
			// Most of send is written: move the rest down rather than grow.
			c.send = c.send[:copy(c.send, c.send[c.sendOff:])]
			c.sendOff = 0
		}
		// A lent send's capacity is its length: append copies it.
		c.send = append(c.send, c.out...)
		c.lent = false
		c.out = c.out[:0]
		c.writeSend()
		return
	}
	n := c.write(c.out)
	if n == len(c.out) {
		c.out = c.out[:0] // a large one is let go at the end of the read (trimOut)
		return
	}
	c.send, c.out = c.out, c.send[:0]
	c.sendOff = n
	c.s.drains.watch(c)
}

// writeSend writes the unsent bytes, as many as the socket takes, and asks
// the drain watch for a wake if some remain.
func (c *conn) writeSend() {
	if c.sendOff == len(c.send) {
		return
	}
	n := c.write(c.send[c.sendOff:])
	if n > 0 {
		c.lastActive = c.l.now()
	}
	c.sendOff += n
	if c.sendOff < len(c.send) {
		c.s.drains.watch(c)
		return
	}
	if c.lent {
		c.send, c.lent = dropLarge(c.send), false // the caller's: never appended to
	} else {
		c.send = c.send[:0] // a large one is let go at the end of the read (trimOut)
	}
	c.sendOff = 0
	if c.next != nil {
		// The queued caller's buffer goes out next, as send.
		if len(c.out) == 0 && cap(c.send) > cap(c.out) {
			c.out = c.send
		}
		c.send, c.next, c.lent = c.next, nil, true
		c.writeSend()
	}
}

// trimOut lets go of the output buffers grown past maxKeptBuf at the end of
// a read (serve), once everything is sent and no request bytes wait, in
// gnet's buffer or in the socket. A connection whose pipelined requests
// keep coming reuses them read after read instead: dropping them whenever
// they drained, 10 connections pipelining 100,000 requests each allocated
// ~200 MB in 10 s (a read's ~250 KiB of responses grew a buffer from
// nothing every time), and the garbage took the peak RSS 25 MiB over the
// start. So a connection keeps at most about MaxUnsentOutput plus a read's
// responses in each of out and send while its peer keeps sending, and
// maxKeptBuf once it pauses. Loop only; the ioctl runs only with a large
// buffer held.
func (c *conn) trimOut() {
	if c.sendOff != len(c.send) || c.gc.InboundBuffered() > 0 || socketPending(c.fd) {
		return
	}
	c.send, c.sendOff, c.lent = dropLarge(c.send), 0, false
	if !c.inWorker && len(c.out) == 0 {
		c.out = dropLarge(c.out)
	}
}

// workerOut carries a worker's output to the loop, which alone writes the
// socket. Its fields are guarded by mu.
type workerOut struct {
	mu      sync.Mutex
	cond    sync.Cond // on mu: a worker waiting for room
	buf     []byte    // handed over, not yet taken by the loop
	unsent  int       // the loop's unsent bytes as of its last write
	waiting bool      // a worker waits in handOff
	closed  bool      // the connection closed: output is dropped
}

// reset prepares o for a new connection.
func (o *workerOut) reset() {
	if o.cond.L == nil {
		o.cond.L = &o.mu
	}
	o.buf = dropLarge(o.buf)
	o.unsent, o.waiting, o.closed = 0, false, false
}

// handOff gives c.out to the loop, after waiting while the connection's
// unsent output is over the bound. Called on the worker that owns c.out.
func (c *conn) handOff() {
	if len(c.out) == 0 {
		return
	}
	o := &c.wo
	limit := c.s.opts.MaxUnsentOutput
	o.mu.Lock()
	for !o.closed && o.unsent+len(o.buf) > limit {
		o.waiting = true
		o.cond.Wait()
	}
	if o.closed {
		o.mu.Unlock()
		c.out = c.out[:0]
		c.dropOut = true
		return
	}
	if len(o.buf) == 0 {
		o.buf, c.out = c.out, o.buf[:0]
	} else {
		o.buf = append(o.buf, c.out...)
		c.out = c.out[:0]
	}
	o.mu.Unlock()
	_ = c.gc.Wake(nil)
}

// takeHandoff moves what a worker handed over behind the unsent bytes,
// writes, and lets a waiting worker go on once the output has drained to
// the low-water mark. Called on the loop while a worker owns c.out.
func (c *conn) takeHandoff() {
	o := &c.wo
	o.mu.Lock()
	if len(o.buf) > 0 && !c.closed {
		if c.sendOff == len(c.send) {
			c.send, o.buf = o.buf, c.send[:0]
			c.sendOff = 0
		} else {
			c.send = append(c.send, o.buf...)
			o.buf = o.buf[:0]
		}
		// Count what moved at once: a worker reading a stale o.unsent
		// beside an empty o.buf would hand over past the bound.
		o.unsent = c.unsent()
	}
	o.mu.Unlock()
	c.writeSend()
	c.publishUnsent()
}

// publishUnsent tells the worker how much is unsent, and wakes it if it
// waits and the output is down to the low-water mark. Loop only.
func (c *conn) publishUnsent() {
	o := &c.wo
	o.mu.Lock()
	o.unsent = c.unsent()
	if o.waiting && o.unsent+len(o.buf) <= c.s.lowWater {
		o.waiting = false
		o.cond.Broadcast()
	}
	o.mu.Unlock()
}

// closeWorkerOut drops what a worker has handed over and releases a worker
// waiting for room. Called on the loop when the connection closes.
func (c *conn) closeWorkerOut() {
	o := &c.wo
	o.mu.Lock()
	o.closed = true
	o.buf = o.buf[:0]
	o.cond.Broadcast()
	o.mu.Unlock()
}

// pending returns the bytes of output not yet taken by the socket, for
// Response.Full: on a worker, what it handed over and what the loop last
// reported unsent, plus its own buffer.
func (c *conn) pending() int {
	if c.inWorker {
		o := &c.wo
		o.mu.Lock()
		n := o.unsent + len(o.buf)
		o.mu.Unlock()
		return n + len(c.out)
	}
	return c.unsent() + len(c.out)
}

// drained calls the drain handler of a response that was Full, once its
// output is down to the low-water mark. Called on the loop by process, so
// that a panic in the handler is recovered like one in a body callback.
func (c *conn) drained() {
	if c.unsent()+len(c.out) > c.s.lowWater {
		return
	}
	c.needDrain = false
	if h := c.resp.dh; h != nil && c.active && !c.resp.ended {
		h.OnDrain(&c.resp)
	}
}

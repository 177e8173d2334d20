package engine

import (
	"sync/atomic"

	"github.com/zerohttp/zerohttp/parse"
)

// The server-wide bound on buffered request bodies (Options.MaxBufferedInput).
// MaxBufferedBody bounds one connection; a flood multiplies it: 17,500
// connections that each sent 64 KiB of a 1 MiB body and reset, faster than
// CPU-starved loops closed them, held 1.7 GB (the soak in benchmarks/README).
//
// What is counted is the capacity of the connections' body buffers (conn.bodyBuf)
// once it passes inputFree: a body that came in pieces and is gathered for the
// handler, or a whole body copied for a request that outlives its read. A
// buffer is counted when it grows (one atomic add per growth, which doubles
// it, so a few per body) and uncounted when it goes: at the request's end
// (a counted buffer is not kept for the next request) or the connection's.
// A body that arrives whole in one read is a view into the loop's read
// buffer and is not counted; neither is anything on the usual keep-alive path.
// The bytes of a head not yet complete past inputFree, which the connection
// leaves unread in gnet's buffer until the rest comes, are counted the same
// way when a read ends with them (holdHead), and uncounted when the next
// read is processed (and counted again if the head is still incomplete) or
// the connection goes.
//
// A growth that would take the total past the bound is refused: the request
// gets 503 with Connection: close and its buffer goes at once. Waiting
// instead (stop reading the connection until the total falls) was rejected
// for two reasons. It can deadlock: when every connection holding the budget
// needs more of it to finish its body, none finishes and none frees any.
// And it would not bound memory: the bytes that ask for the growth have
// already been read, and a connection that does not take them leaves them in
// gnet's inbound buffer, where they are held all the same. Refusing never
// waits on another connection, so it cannot deadlock, and a refused client
// may retry, as after any 503.

// inputFree is the capacity a body buffer may have uncounted, and that a
// connection keeps from one request to the next: small bodies in pieces (a
// chunked upload of a few fields) cost no atomic operation, and at most
// inputFree per connection, which MaxConns bounds, is left out of the total.
const inputFree = 4 << 10

// inputBudget is a server's count of buffered request body bytes.
type inputBudget struct {
	max      int64 // immutable after NewServer; <= 0 means no bound
	held     atomic.Int64
	refusals atomic.Uint64
	log      logLimiter
}

// maxBufferedInputFor returns the bound for the options o: MaxBufferedInput
// when positive, none when negative, and for 0 the default:
// DefaultMaxBufferedInput, or 16 buffered bodies if that is more.
func maxBufferedInputFor(o *Options) int64 {
	switch {
	case o.MaxBufferedInput > 0:
		return o.MaxBufferedInput
	case o.MaxBufferedInput < 0:
		return 0
	}
	return max(DefaultMaxBufferedInput, 16*int64(o.MaxBufferedBody))
}

// gather appends data to c's body buffer. Unless force is set (a whole
// body that must be kept), it reports false, leaving the buffer as it was,
// when the buffer would grow past the server's bound. Loop only (or the
// worker owning c).
func (c *conn) gather(data []byte, force bool) bool {
	n := len(c.bodyBuf) + len(data)
	if n <= cap(c.bodyBuf) {
		c.bodyBuf = append(c.bodyBuf, data...)
		return true
	}
	// Double, as append would, but choose the capacity here so that the
	// count is exact: up to inputFree uncounted while it suffices, never
	// doubled past a buffered body's bound or its Content-Length (a 256 KiB
	// body in 64 KiB reads took 512 KiB).
	limit := max(c.s.opts.MaxBufferedBody, inputFree)
	if c.p.Framing() == parse.BodyLength {
		limit = int(min(int64(limit), c.p.ContentLength()))
	}
	size := max(n, min(2*cap(c.bodyBuf), limit))
	if n <= inputFree {
		size = min(size, inputFree)
	}
	if size > inputFree || c.inHeld > 0 {
		if !c.s.input.take(int64(size-c.inHeld), force) {
			return false
		}
		c.inHeld = size
	}
	nb := make([]byte, n, size)
	copy(nb[copy(nb, c.bodyBuf):], data)
	c.bodyBuf = nb
	return true
}

// take counts n more bytes, unless that would pass the bound and force is
// not set (false). Safe from any goroutine.
func (b *inputBudget) take(n int64, force bool) bool {
	if force || b.max <= 0 {
		b.held.Add(n)
		return true
	}
	// Compare and swap, not add and undo: the count never shows more than
	// the bound, even for a moment (BufferedInput is read from anywhere).
	for {
		old := b.held.Load()
		if old+n > b.max {
			return false
		}
		if b.held.CompareAndSwap(old, old+n) {
			return true
		}
	}
}

// dropBody lets go of a counted body buffer. Loop only.
func (c *conn) dropBody() {
	c.s.input.held.Add(-int64(c.inHeld))
	noteDropped(c.inHeld)
	c.bodyBuf, c.inHeld = nil, 0
}

// refuseInput answers the current request, or the head being read, 503 for
// want of room in the server's bound, and lets go of its body buffer.
// Loop only.
func (c *conn) refuseInput(head bool) {
	b := &c.s.input
	b.refusals.Add(1)
	b.log.printf("engine: request bytes buffered by all connections reached %d bytes (Options.MaxBufferedInput); requests that need more get 503", b.max)
	if head {
		c.replyErrorFor(503, nil) // no request is active: the 503 follows those answered
	} else {
		c.bodyError(503)
	}
	if c.inHeld > 0 {
		c.dropBody()
	}
}

// holdHead counts rest (over inputFree), the bytes of a head not yet
// complete that c keeps unread (in gnet's inbound buffer) until the rest
// comes: a flood of connections each sending most of a head
// (Parse.MaxHeadBytes, 16 KiB by default) multiplies them as it does bodies.
// It reports false when they would take the total past the bound: the head
// is refused with 503 and its bytes may go. Loop only.
func (c *conn) holdHead(rest int) bool {
	if !c.s.input.take(int64(rest-c.inHead), false) {
		c.dropHead()
		c.refuseInput(true)
		return false
	}
	c.inHead = rest
	return true
}

// dropHead uncounts the bytes of a head that completed or went. Loop only.
func (c *conn) dropHead() {
	c.s.input.held.Add(-int64(c.inHead))
	c.inHead = 0
}

// BufferedInput returns the bytes of request bodies and incomplete heads
// the server's connections hold, counted against Options.MaxBufferedInput.
// Safe from any goroutine.
func (s *Server) BufferedInput() int64 { return s.input.held.Load() }

// InputRefusals returns how many requests got 503 because their head or
// body would have taken the bytes buffered past Options.MaxBufferedInput.
// Safe from any goroutine.
func (s *Server) InputRefusals() uint64 { return s.input.refusals.Load() }

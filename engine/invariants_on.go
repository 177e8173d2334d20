//go:build invariants

package engine

import (
	"fmt"

	"github.com/zerohttp/zerohttp/parse"
)

// scribble overwrites read-buffer bytes the connection is done with, before
// gnet reuses them, so that a view kept past its documented lifetime (a
// handler holding Request.Target or Body after it returned, or an engine path
// that forgot to detach) reads garbage in tests instead of working by luck.
func scribble(b []byte) {
	for i := range b {
		b[i] = 0xEE
	}
}

// checkHeld panics if c, at the end of an event, holds more request bytes
// than its server's options allow, whatever the peer sent:
//
//   - the copy of the current head: at most Parse.MaxHeadBytes;
//   - a body buffered whole (not streamed): at most MaxBufferedBody, unless
//     it is being refused (413, the connection closing);
//   - unread input while waiting for a head, or while reading a body it
//     buffers: at most Parse.MaxHeadBytes (a head, a chunk-size line or a
//     trailer section not yet complete);
//   - a body buffer's capacity past 4 KiB counted exactly in the server's
//     total (Options.MaxBufferedInput).
//
// So what a peer's bytes alone make a connection hold is bounded by
// 2·MaxHeadBytes + MaxBufferedBody, beside the output MaxUnsentOutput
// bounds. A connection that owes a response, is over its output bound, is
// closing, is on a worker or hijacked is not checked: its reading is
// paused, and what it read before stays. FuzzEngineConn runs under this
// tag (make fuzz) with small limits so that its inputs can cross them.
func checkHeld(c *conn) {
	if c.closed || c.inWorker || c.hij != nil || c.gc == nil {
		return
	}
	maxHead := c.s.pcfg.MaxHeadBytes
	if maxHead <= 0 {
		maxHead = parse.DefaultMaxHeadBytes
	}
	r := &c.req
	fail := func(what string, n, bound int) {
		panic(fmt.Sprintf("engine invariant: connection holds %s of %d bytes, over its bound of %d (active %v, body done %v, streaming %v, blocked %v)",
			what, n, bound, c.active, c.bodyDone, r.streaming, c.blocked))
	}
	if len(c.head) > maxHead {
		fail("a head copy", len(c.head), maxHead)
	}
	// Options.MaxBufferedInput counts a body buffer past inputFree exactly.
	if c.inHeld > 0 && c.inHeld != cap(c.bodyBuf) || c.inHeld == 0 && cap(c.bodyBuf) > inputFree {
		panic(fmt.Sprintf("engine invariant: a body buffer of capacity %d is counted as %d", cap(c.bodyBuf), c.inHeld))
	}
	if c.closeAfter || c.blocked {
		return
	}
	if !r.streaming && len(c.bodyBuf) > c.s.opts.MaxBufferedBody {
		fail("a buffered body", len(c.bodyBuf), c.s.opts.MaxBufferedBody)
	}
	waiting := !c.active || (!c.bodyDone && !r.streaming)
	if in := c.gc.InboundBuffered(); waiting && in > maxHead {
		fail("unread input", in, maxHead)
	}
}

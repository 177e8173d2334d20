package engine

import (
	"errors"
	"io"
	"os"
	"strconv"
	"time"
	"unsafe"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"
)

// The write path of a client connection. Writers hold ClientConn.wmu; each
// syscall on the descriptor holds fdMu for reading.

// maxInlineBody is the largest body copied next to the head so that both go
// out in one write.
const maxInlineBody = 16 << 10

// writeRequestLocked writes the head and body of a queued call; wmu is held.
func (cc *ClientConn) writeRequestLocked(call *clientCall, req *ClientRequest, mayBlock bool) error {
	out := req.out
	chunked := req.chunked()
	inline := !call.waiting && req.bodyStream == nil && len(req.body) <= maxInlineBody
	if inline {
		if chunked {
			if len(req.body) > 0 {
				out = strconv.AppendInt(out, int64(len(req.body)), 16)
				out = append(out, "\r\n"...)
				out = append(out, req.body...)
				out = append(out, "\r\n"...)
			}
			var err error
			if out, err = req.appendTrailerSection(out); err != nil {
				return err
			}
		} else {
			out = append(out, req.body...)
		}
		req.out = out
		return cc.writeLocked(out, mayBlock)
	}
	if err := cc.writeLocked(out, mayBlock); err != nil {
		return err
	}
	if call.waiting {
		wait := cc.opts.ContinueTimeout
		if call.deadline != 0 {
			wait = min(wait, time.Duration(call.deadline-time.Now().UnixNano()))
		}
		t := time.NewTimer(wait)
		select {
		case <-call.cont:
		case <-t.C:
		case <-call.ctxDone: // nil unless DoContext
		}
		t.Stop()
		if call.stopped() {
			return errCallStopped
		}
		cc.mu.Lock()
		cut := call.bodyCut
		call.waiting = false
		cc.mu.Unlock()
		if cut {
			return nil
		}
	}
	if req.bodyStream != nil {
		return cc.writeStream(req, chunked)
	}
	if chunked {
		hdr := strconv.AppendInt(req.out[:0], int64(len(req.body)), 16)
		hdr = append(hdr, "\r\n"...)
		if len(req.body) > 0 {
			if err := cc.writeLocked(hdr, true); err != nil {
				return err
			}
			if err := cc.writeLocked(req.body, true); err != nil {
				return err
			}
			hdr = append(hdr[:0], "\r\n"...)
		} else {
			hdr = hdr[:0]
		}
		hdr, err := req.appendTrailerSection(hdr)
		if err != nil {
			return err
		}
		req.out = hdr
		return cc.writeLocked(hdr, true)
	}
	return cc.writeLocked(req.body, mayBlock || call.req.expect100)
}

// writeStream copies a streaming body to the socket, chunked or as is.
func (cc *ClientConn) writeStream(req *ClientRequest, chunked bool) error {
	buf := make([]byte, 32<<10)
	var sent int64
	for {
		off := 0
		if chunked {
			off = 18 // room for the chunk-size line
		}
		n, rerr := req.bodyStream.Read(buf[off : len(buf)-2])
		if n > 0 {
			sent += int64(n)
			if !chunked && sent > req.streamLen {
				return errStreamLength // the excess would pass for the next request
			}
			if chunked {
				var sz [18]byte
				line := append(strconv.AppendInt(sz[:0], int64(n), 16), "\r\n"...)
				start := off - len(line)
				copy(buf[start:], line)
				end := off + n
				buf[end], buf[end+1] = '\r', '\n'
				if err := cc.writeLocked(buf[start:end+2], true); err != nil {
					return err
				}
			} else if err := cc.writeLocked(buf[:n], true); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if chunked {
		out, err := req.appendTrailerSection(req.out[:0])
		if err != nil {
			return err
		}
		req.out = out
		return cc.writeLocked(out, true)
	}
	if sent != req.streamLen {
		return errStreamLength
	}
	return nil
}

// errStreamLength fails a request whose body stream yields more or fewer
// bytes than its head declared.
var errStreamLength = errors.New("engine: request body stream length differs from its declared size")

// writeLocked writes b directly to the socket. When the socket is full it
// waits for it (mayBlock) or hands the rest to the event loop; while the loop
// holds our bytes, later writes go through it too, to keep their order.
// In the hand-off case b must stay unchanged until the loop has written it,
// which holds for a request's own buffers while it is in flight.
func (cc *ClientConn) writeLocked(b []byte, mayBlock bool) error {
	if cc.asyncN.Load() > 0 || cc.outBuf.Load() {
		return cc.writeViaLoop(b, mayBlock)
	}
	deadline := int64(0)
	for len(b) > 0 {
		cc.fdMu.RLock()
		if cc.fdClosed {
			cc.fdMu.RUnlock()
			return ErrClientConnClosed
		}
		n, err := clRawWrite(cc.wfd, b)
		cc.fdMu.RUnlock()
		if n > 0 {
			b = b[n:]
		}
		switch err {
		case nil:
		case unix.EINTR:
		case unix.EAGAIN:
			if !mayBlock {
				return cc.writeViaLoop(b, false)
			}
			if deadline == 0 {
				deadline = time.Now().Add(cc.opts.WriteTimeout).UnixNano()
			} else if time.Now().UnixNano() > deadline {
				return os.ErrDeadlineExceeded
			}
			if c := cc.wcall; c != nil && c.stopped() {
				return errCallStopped
			}
			if err := cc.pollWritable(); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return nil
}

// clRawWrite writes to a non-blocking socket without the runtime's syscall
// bookkeeping (entersyscall/exitsyscall): the call never blocks, and skipping
// the bookkeeping saves a few percent of the client's CPU per request.
func clRawWrite(fd int, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// pollWritable waits up to 100ms for the socket to accept more bytes.
func (cc *ClientConn) pollWritable() error {
	cc.fdMu.RLock()
	if cc.fdClosed {
		cc.fdMu.RUnlock()
		return ErrClientConnClosed
	}
	fd := int32(cc.wfd)
	cc.fdMu.RUnlock()
	// A closed and reused descriptor can only make this return early; the
	// next write re-checks fdClosed under the lock.
	pfd := []unix.PollFd{{Fd: fd, Events: unix.POLLOUT}}
	_, err := unix.Poll(pfd, 100)
	if err == unix.EINTR {
		err = nil
	}
	return err
}

// writeViaLoop hands b to the event loop. With mayBlock it waits until the
// loop has taken the bytes (copied them into its buffer or the socket).
func (cc *ClientConn) writeViaLoop(b []byte, mayBlock bool) error {
	cc.asyncN.Add(1)
	if !mayBlock {
		if err := cc.gc.AsyncWrite(b, cc.asyncCB); err != nil {
			cc.asyncN.Add(-1)
			return err
		}
		return nil
	}
	ch := make(chan error, 1)
	err := cc.gc.AsyncWrite(b, func(c gnet.Conn, err error) error {
		cc.asyncWritten(c, err)
		ch <- err
		return nil
	})
	if err != nil {
		cc.asyncN.Add(-1)
		return err
	}
	return <-ch
}

// asyncWritten runs on the event loop after an AsyncWrite.
func (cc *ClientConn) asyncWritten(c gnet.Conn, _ error) error {
	if c != nil && c.OutboundBuffered() > 0 {
		cc.outBuf.Store(true)
	}
	cc.asyncN.Add(-1)
	return nil
}

package engine

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/zerohttp/zerohttp/parse"
)

// ErrRequestDeadline is the error of a request whose deadline (DoDeadline)
// passed before its response had arrived. It is a net.Error whose Timeout
// reports true, and errors.Is matches it with os.ErrDeadlineExceeded and
// context.DeadlineExceeded.
var ErrRequestDeadline error = requestDeadlineError{}

type requestDeadlineError struct{}

func (requestDeadlineError) Error() string   { return "engine: request deadline exceeded" }
func (requestDeadlineError) Timeout() bool   { return true }
func (requestDeadlineError) Temporary() bool { return true }
func (requestDeadlineError) Is(target error) bool {
	return target == os.ErrDeadlineExceeded || target == context.DeadlineExceeded
}

// MalformedResponseError is the error of a request whose response broke
// HTTP/1.1: its head or body did not parse. The connection is closed. Err is
// the parse.Code (errors.As with a *parse.Code gives it) or another protocol
// error, such as ErrClientUnexpectedData.
type MalformedResponseError struct {
	Err error
}

func (e *MalformedResponseError) Error() string {
	return "engine: malformed response: " + e.Err.Error()
}

func (e *MalformedResponseError) Unwrap() error { return e.Err }

// isProtocolError reports whether err says the server broke the protocol,
// rather than the connection failing.
func isProtocolError(err error) bool {
	var code parse.Code
	return errors.As(err, &code) || err == ErrClientUnexpectedData
}

// DoContext is Do bounded by ctx, which covers the whole exchange: writing
// the request and reading the response's head and body. If ctx ends first,
// the connection is closed (other requests queued on it fail with a
// *ClientConnError) and DoContext returns ctx.Err(). A context that cannot
// end costs nothing over Do.
func (cc *ClientConn) DoContext(ctx context.Context, req *ClientRequest, resp *ClientResponse) error {
	done := ctx.Done()
	if done == nil {
		return cc.Do(req, resp)
	}
	if onEventLoop() {
		return ErrOnEventLoop
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var deadline int64
	if d, ok := ctx.Deadline(); ok {
		deadline = d.UnixNano()
	}
	return cc.doUntil(req, resp, done, nil, deadline, ctx.Err)
}

// DoDeadline is Do bounded by a deadline covering the whole exchange, as
// DoContext; when it passes first it returns ErrRequestDeadline. A zero
// deadline means none.
func (cc *ClientConn) DoDeadline(req *ClientRequest, resp *ClientResponse, deadline time.Time) error {
	if deadline.IsZero() {
		return cc.Do(req, resp)
	}
	if onEventLoop() {
		return ErrOnEventLoop
	}
	d := time.Until(deadline)
	if d <= 0 {
		return ErrRequestDeadline
	}
	t := acquireTimer(d)
	err := cc.doUntil(req, resp, nil, t.C, deadline.UnixNano(), deadlineErr)
	releaseTimer(t)
	return err
}

func deadlineErr() error { return ErrRequestDeadline }

// errCallStopped is what a writer returns when its call's context ended or
// its deadline passed; the waiting caller turns it into the cause.
var errCallStopped = errors.New("engine: request stopped by its context or deadline")

// doUntil is Do that gives up when ctxDone or tick is ready, or (for the
// writer, which polls) once the deadline (unix ns, 0 none) has passed;
// cause gives the error to return then.
func (cc *ClientConn) doUntil(req *ClientRequest, resp *ClientResponse, ctxDone <-chan struct{}, tick <-chan time.Time, deadline int64, cause func() error) error {
	call := clientCallPool.Get().(*clientCall)
	call.h = call
	call.ctxDone, call.deadline = ctxDone, deadline
	err := cc.send(call, req, resp, true)
	if err == nil {
		err = cc.waitCall(call, ctxDone, tick, cause)
	}
	call.h, call.err = nil, nil
	call.ctxDone, call.deadline = nil, 0
	clientCallPool.Put(call)
	return err
}

// waitCall waits for a sent call's outcome, or for ctxDone or tick: then it
// closes the connection, which fails the call, and returns cause().
func (cc *ClientConn) waitCall(call *clientCall, ctxDone <-chan struct{}, tick <-chan time.Time, cause func() error) error {
	select {
	case <-call.done:
		if call.err != nil && errors.Is(call.err, errCallStopped) {
			return cause()
		}
		return call.err
	case <-ctxDone:
	case <-tick:
	}
	select {
	case <-call.done: // it came in just in time
		if call.err == nil {
			return nil
		}
		return cause()
	default:
	}
	err := cause()
	cc.cut(err)
	<-call.done
	return err
}

// stopped reports whether the call's context has ended or its deadline passed.
func (c *clientCall) stopped() bool {
	if c.ctxDone != nil {
		select {
		case <-c.ctxDone:
			return true
		default:
		}
	}
	return c.deadline != 0 && time.Now().UnixNano() > c.deadline
}

// timerPool holds stopped timers for DoDeadline, so that a deadline costs
// no allocation. Since Go 1.23 a stopped or reset timer delivers no stale
// tick.
var timerPool sync.Pool

func acquireTimer(d time.Duration) *time.Timer {
	if t, ok := timerPool.Get().(*time.Timer); ok {
		t.Reset(d)
		return t
	}
	return time.NewTimer(d)
}

func releaseTimer(t *time.Timer) {
	t.Stop()
	timerPool.Put(t)
}

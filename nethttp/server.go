package nethttp

import (
	"log"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

// NewServer returns an engine server that serves h through Handler. It sets
// o.CheckContinue (o may be nil), so that "100 Continue" goes out when the
// handler first reads the body, as with net/http, rather than as soon as the
// head arrives, and o.StreamBodies, so that a body larger than
// o.MaxBufferedBody streams to http.Request.Body as with net/http.
func NewServer(h http.Handler, o *engine.Options) *engine.Server {
	var opts engine.Options
	if o != nil {
		opts = *o
	}
	opts.CheckContinue = true
	opts.StreamBodies = true
	return engine.NewServer(Handler(h), &opts)
}

// Handler returns an engine.Handler that serves every request with h, on a
// goroutine of its own. It must run inline on the event loop (the engine's
// default, Options.Workers 0).
//
// The loop yields to the handler's goroutine (syncYields), then waits for
// it with a timer, up to syncWait in all: a handler
// that finishes within it has its response written as an inline handler's
// would be, with no hand-over back to the loop, and the next request of a
// pipelined batch is served at once. One that takes longer, streams its
// body, or reads a streamed request body, is left to finish on its own: the
// response is then detached (Deferred) and the loop goes on with other
// connections.
func Handler(h http.Handler) engine.Handler {
	srv := &http.Server{Handler: h} // the requests' http.ServerContextKey
	return func(w *engine.Response, r *engine.Request) {
		if string(r.Target()) == "*" && string(r.MethodBytes()) == http.MethodOptions {
			// net/http's server answers "OPTIONS *" itself, before any
			// handler (ServeMux would say 400).
			w.SetStatus(http.StatusOK)
			return
		}
		ex, _ := r.ConnValue().(*serverConn)
		if ex == nil {
			ex = newExchange(r, srv)
			r.SetConnValue(ex)
		}
		ex.serve(h, w, r)
	}
}

// syncWait bounds how long the event loop waits for a handler. It is far
// above what a handler that does not block takes (a few microseconds), and
// small against a loop's turn under load; a handler that outlives it makes
// its connection's next requests go straight to their goroutine (skipAfterSlow).
const syncWait = 100 * time.Microsecond

// syncYields is how many times the loop yields its P before it waits for
// a handler with a timer. The handler's goroutine is next to run on that
// P (goWork readied it there), so a handler that does not block is done
// by the first yield, and the timer's arming and the select, which cost
// about a tenth of a keep-alive request's instructions, are skipped.
const syncYields = 2

// timedWaits counts the loop's waits for a handler that outlived its
// yields (TestQuickHandlerNotTimed).
var timedWaits atomic.Int64

// skipAfterSlow is how many requests of a connection are not waited for
// after one outlived syncWait, unless one of them finishes within it.
const skipAfterSlow = 16

// mode says who may use a serverConn's engine response.
type mode uint8

const (
	// modeSync: the loop waits inside the engine's handler call, so the
	// handler's goroutine uses w and r directly, holding mu. Leaves to
	// modeAsync (the loop gave up waiting, or the handler needs the loop)
	// or modeDone.
	modeSync mode = iota
	// modeAsync: the response is detached; the handler's goroutine reaches
	// it through d. Terminal for the request.
	modeAsync
	// modeDone: the response ended while the loop waited. Terminal.
	modeDone
)

// serverConn is the bridge's state for one connection: the request, context
// and writer handed to handlers, reused for each request (the engine serves
// a connection's requests one at a time), and the hand-over between the
// event loop and the handler's goroutine. Kept with the engine's connection
// (Request.SetConnValue).
type serverConn struct {
	remote     string            // RemoteAddr as net/http formats it; immutable
	remoteAddr net.Addr          // immutable
	conn       engine.ConnHandle // immutable; closed by a passed write deadline
	h          http.Handler
	run        func() // ex.serveHTTP, bound once

	req   *http.Request // handed to the handler; reset from blank for each request
	blank http.Request  // a zero request whose context is ctx
	url   url.URL
	hdr   http.Header
	vals  []string // backing for hdr's values
	ctx   requestContext
	rw    responseWriter

	mu   sync.Mutex
	mode mode             // guarded by mu
	w    *engine.Response // in modeSync; guarded by mu
	r    *engine.Request  // in modeSync; guarded by mu
	d    *engine.Deferred // in modeAsync; set before, read after, the handover

	waits bool          // guarded by mu: the loop waits on wake for the word that the goroutine left modeSync
	wake  chan struct{} // capacity 1: that word, sent only when waits
	timer *time.Timer   // the loop's wait; used on the loop only

	skip    int       // requests not to wait for; loop only
	started time.Time // when a request not waited for went to its goroutine
	quick   bool      // that request finished within syncWait; read by the loop at the next request
}

func newExchange(r *engine.Request, srv *http.Server) *serverConn {
	ex := &serverConn{
		remote:     r.RemoteAddr().String(),
		remoteAddr: r.RemoteAddr(),
		conn:       r.Conn(),
		hdr:        make(http.Header),
		wake:       make(chan struct{}, 1),
		timer:      time.NewTimer(time.Hour),
	}
	ex.timer.Stop()
	ex.ctx.local, ex.ctx.srv = r.LocalAddr(), srv
	ex.blank = *(&http.Request{}).WithContext(&ex.ctx)
	ex.req = new(http.Request)
	ex.run = ex.serveHTTP
	rw := &ex.rw
	rw.ex = ex
	rw.hdr = make(http.Header)
	rw.done = make(chan struct{}, 1)
	rw.applyFn = rw.apply
	return ex
}

// serve serves one request. Called on the event loop.
func (ex *serverConn) serve(h http.Handler, w *engine.Response, r *engine.Request) {
	if err := ex.fillRequest(r); err != nil {
		// net/http: a request-target that is not a URI is a 400.
		w.SetStatus(http.StatusBadRequest)
		w.SetClose()
		return
	}
	ex.h = h
	ex.ctx.reset()
	rw := &ex.rw
	rw.reset(ex.req.Method == http.MethodHead)
	ex.req.Body = newBody(rw, r)
	if ex.quick {
		ex.skip, ex.quick = 0, false
	}
	if ex.skip > 0 || r.Streaming() || r.Upgrade() {
		// Not waited for: such a handler needs the loop (a streamed body,
		// a tunnel) or took long last time.
		if ex.skip > 0 {
			ex.skip--
		}
		ex.mode = modeAsync
		ex.d = w.Detach()
		r.SetCloseHandler(rw)
		ex.started = time.Now()
		goWork(ex.run)
		return
	}
	ex.mode, ex.w, ex.r = modeSync, w, r
	goWork(ex.run)
	for i := 0; ; i++ {
		if i < syncYields {
			runtime.Gosched()
		}
		ex.mu.Lock()
		if ex.mode != modeSync {
			// The goroutine has ended or detached the response, with no
			// word on wake, as the loop did not wait on it.
			ex.mu.Unlock()
			return
		}
		if i == syncYields {
			ex.waits = true
			ex.mu.Unlock()
			break
		}
		ex.mu.Unlock()
	}
	timedWaits.Add(1)
	ex.timer.Reset(syncWait)
	select {
	case <-ex.wake:
		ex.timer.Stop()
		ex.waits = false // the goroutine is done with mu
		return
	case <-ex.timer.C:
	}
	ex.mu.Lock()
	if ex.mode == modeSync {
		ex.detachLocked()
		ex.waits = false
		ex.skip = skipAfterSlow
		ex.mu.Unlock()
		return
	}
	ex.mu.Unlock()
	<-ex.wake // the goroutine has just left modeSync; its word follows
	ex.waits = false
}

// detachLocked moves the request to modeAsync. Called with mu held in
// modeSync, by the loop or by the handler's goroutine while the loop waits:
// either way inside the engine's handler call.
func (ex *serverConn) detachLocked() {
	ex.d = ex.w.Detach()
	ex.r.SetCloseHandler(&ex.rw)
	ex.mode, ex.w, ex.r = modeAsync, nil, nil
}

// leaveLocked is the handler goroutine's detachLocked: it then releases mu
// and tells the loop if it waits on wake; the loop returns.
func (ex *serverConn) leaveLocked() {
	ex.detachLocked()
	ex.unlockAndTell()
}

// endLocked records, from the handler's goroutine in modeSync, that the
// response has ended, releases mu and tells the loop if it waits on wake.
// The serverConn is the loop's from then on.
func (ex *serverConn) endLocked() {
	ex.mode, ex.w, ex.r = modeDone, nil, nil
	ex.unlockAndTell()
}

// unlockAndTell releases mu and, if the loop waits on wake, sends its
// word. A loop that is still yielding sees the mode under mu instead, which
// costs no channel operation.
func (ex *serverConn) unlockAndTell() {
	tell := ex.waits
	ex.mu.Unlock()
	if tell {
		ex.wake <- struct{}{}
	}
}

// leaveSync moves the request to modeAsync if the loop waits for it.
func (ex *serverConn) leaveSync() {
	ex.mu.Lock()
	if ex.mode == modeSync {
		ex.leaveLocked()
		return
	}
	ex.mu.Unlock()
}

// serveHTTP runs the handler on its goroutine and ends the response; a
// panic closes the connection, as net/http does. Its last act hands the
// serverConn back to the loop.
func (ex *serverConn) serveHTTP() {
	rw := &ex.rw
	panicked := ex.callHandler()
	if rw.wdl != nil {
		rw.wdl.end()
	}
	ex.ctx.cancel() // as net/http: before the response is finished
	if !ex.started.IsZero() {
		ex.quick = time.Since(ex.started) < syncWait
		ex.started = time.Time{}
	}
	if panicked {
		rw.post(abort, true)
		return
	}
	rw.finish()
}

func abort(w *engine.Response) { w.Abort() }

// callHandler calls ServeHTTP and reports whether it panicked.
func (ex *serverConn) callHandler() (panicked bool) {
	defer func() {
		if !panicked {
			return
		}
		if v := recover(); v != http.ErrAbortHandler {
			buf := make([]byte, 64<<10)
			buf = buf[:runtime.Stack(buf, false)]
			log.Printf("http: panic serving %v: %v\n%s", ex.remote, v, buf)
		}
	}()
	panicked = true
	ex.h.ServeHTTP(&ex.rw, ex.req)
	return false
}

package engine

import (
	"context"
	"errors"
	"log"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// Handler serves one request. It runs on the connection's event loop (or on
// a worker, see Options.Workers), so an inline handler must not block. The
// response ends when it returns, unless it called Response.Detach or
// Request.SetBodyHandler.
type Handler func(w *Response, r *Request)

// Errors returned by Server methods.
var (
	ErrServerStarted = errors.New("engine: server already started")
	ErrServerClosed  = errors.New("engine: server closed")
	ErrBadAddress    = errors.New("engine: address must be tcp://, tcp4://, tcp6:// or unix://")
)

// timeouts holds the Options timeouts in wheel milliseconds; never disables one.
type timeouts struct {
	headers, request, keepAlive, idle int64
}

// Server is an HTTP/1.1 server on gnet event loops. Its methods are safe from any goroutine.
type Server struct {
	// Immutable after NewServer.
	h    Handler
	opts Options
	pcfg parse.Config
	// tickEvery is TickInterval in nanoseconds, as SetTickInterval changes it.
	tickEvery atomic.Int64
	// to is the current timeouts, replaced whole by SetTimeouts; a
	// connection reads it each time it sets its timer.
	to         atomic.Pointer[timeouts]
	serverLine []byte // "Server: ...\r\n", or empty
	start      time.Time

	started atomic.Bool
	closing atomic.Bool
	nconns  atomic.Int64
	pool    *workerPool // nil for inline handlers; set before the loops start
	drains  drainWatch  // wakes connections whose socket has room again
	// lowWater is where blocked output resumes: half of MaxUnsentOutput.
	// Immutable after NewServer.
	lowWater int

	// Set by Start before it returns; see listen.go.
	cli  *gnet.Client   // the event loops
	lns  []net.Listener // the listening sockets
	addr net.Addr

	handovers      sync.WaitGroup // the acceptors and the connections on their way to a loop
	handoverFailed atomic.Bool    // a handover ran out of descriptors: the acceptor backs off
	unlisten       chan struct{}  // closed when the listening sockets close
	unlistenOnce   sync.Once
	acceptErrs     atomic.Uint64
	acceptLog      logLimiter
	panicLog       logLimiter
	panics         atomic.Uint64
	stallWatch     stallWatch
	gate           connGate    // Options.MaxConns; see connlimit.go
	input          inputBudget // Options.MaxBufferedInput; see inputbudget.go

	ready    chan struct{} // closed when Start returns: the fields it sets are visible
	stopOnce sync.Once
	done     chan struct{} // closed once the loops have stopped

	loopsMu sync.Mutex              // serializes additions to loops
	loops   atomic.Pointer[[]*loop] // copy-on-write list of the loops seen
}

// events is the Server as gnet's event handler, so that the handler's
// methods stay out of Server's API.
type events Server

var _ gnet.EventHandler = (*events)(nil)

// NewServer returns a server that serves h with the options o (nil for the defaults).
func NewServer(h Handler, o *Options) *Server {
	s := &Server{h: h, start: time.Now(), ready: make(chan struct{}), unlisten: make(chan struct{}), done: make(chan struct{})}
	if o != nil {
		s.opts = *o
	}
	s.opts = s.opts.withDefaults()
	s.pcfg = s.opts.Parse
	s.lowWater = s.opts.MaxUnsentOutput / 2
	s.input.max = maxBufferedInputFor(&s.opts)
	s.to.Store(s.opts.timeouts())
	s.tickEvery.Store(int64(s.opts.TickInterval))
	if s.opts.ServerName != "" && headers.ValidateValue(s.opts.ServerName) == nil {
		s.serverLine = []byte("Server: " + s.opts.ServerName + "\r\n")
	}
	s.acceptLog.what = "accept errors"
	s.gate.log.what = "waits at MaxConns"
	s.panicLog.what = "handler panics"
	s.input.log.what = "requests refused for Options.MaxBufferedInput"
	s.stallWatch = stallWatch{threshold: s.opts.StallThreshold, who: "event loop", hint: "run blocking handlers with Options.Workers"}
	s.stallWatch.log.what = "event-loop stalls"
	empty := []*loop{}
	s.loops.Store(&empty)
	return s
}

// SetTimeouts replaces the server's HeadersTimeout, RequestTimeout,
// KeepAliveTimeout and IdleTimeout, read as in Options (0 is the default;
// a negative value, or an IdleTimeout of 0, disables one). A connection
// uses them from its next change of state on (a request's first byte, its
// head, its response's end); one already waiting for a later deadline
// checks again when that comes, under the new timeouts. Sub-millisecond
// parts are dropped; the resolution is TickInterval (see SetTickInterval).
// Safe from any goroutine.
func (s *Server) SetTimeouts(headers, request, keepAlive, idle time.Duration) {
	o := Options{HeadersTimeout: headers, RequestTimeout: request, KeepAliveTimeout: keepAlive, IdleTimeout: idle}
	o = o.withDefaults()
	s.to.Store(o.timeouts())
}

// maxWheelResolution bounds a wheel slot's time, so that SetTickInterval
// can make the timeouts finer than TickInterval up to it: the ticks, not
// the slots, cost the loops CPU.
const maxWheelResolution = 100 * time.Millisecond

// wheelResolution is the time of a wheel slot for a TickInterval of tick.
func wheelResolution(tick time.Duration) time.Duration {
	return min(tick, maxWheelResolution)
}

// SetTickInterval changes TickInterval from the next tick on, down to 100
// ms or the TickInterval the server was made with, if less (a wheel slot's
// time). Faster ticks make the timeouts more exact and cost the loops
// some CPU (see Options.TickInterval). Safe from any goroutine.
func (s *Server) SetTickInterval(d time.Duration) {
	s.tickEvery.Store(int64(max(d, wheelResolution(s.opts.TickInterval))))
}

// clock returns the server's time in milliseconds, never 0.
func (s *Server) clock() int64 { return time.Since(s.start).Milliseconds() + 1 }

// Start listens on addr and serves in the background. addr is
// "tcp://host:port" (also tcp4, tcp6; a bare "host:port" means tcp) or
// "unix:///path". Port 0 picks a free port; Addr reports it. Start returns
// once the server is listening. A failed accept (out of descriptors or
// memory) never stops the server: it is logged, counted (AcceptErrors) and
// retried after a pause growing to 250 ms, while the open connections are
// served.
func (s *Server) Start(addr string) error {
	if !s.started.CompareAndSwap(false, true) {
		return ErrServerStarted
	}
	err := s.listenAndRun(addr)
	if err != nil {
		s.stopOnce.Do(func() { close(s.done) })
	}
	close(s.ready)
	return err
}

// listenAndRun opens the listeners, starts the loops and then the acceptors.
func (s *Server) listenAndRun(addr string) error {
	lns, err := s.listen(addr)
	if err != nil {
		return err
	}
	s.gate.max = maxConnsFor(s.opts.MaxConns)
	opts := []gnet.Option{
		gnet.WithMulticore(true),
		gnet.WithNumEventLoop(s.numLoops()),
		gnet.WithTicker(true),
		gnet.WithLogger(gnetLogger{}),
		// Go sets TCP_NODELAY on every accepted connection already.
		gnet.WithTCPNoDelay(gnet.TCPDelay),
	}
	cli, err := gnet.NewClient((*events)(s), opts...)
	if err == nil {
		err = cli.Start()
	}
	if err != nil {
		closeAll(lns)
		return err
	}
	if s.opts.Workers > 0 {
		s.pool = newWorkerPool(s.opts.Workers, s.opts.WorkerQueue)
	}
	s.cli, s.lns, s.addr = cli, lns, lns[0].Addr()
	dates.refresh(time.Now())
	if s.opts.StallThreshold > 0 {
		go s.watchStalls()
	}
	for _, ln := range lns {
		s.handovers.Add(1)
		go s.acceptLoop(ln)
	}
	return nil
}

// numLoops is the number of event loops: Options.NumLoops, or one per CPU.
func (s *Server) numLoops() int {
	if s.opts.NumLoops > 0 {
		return s.opts.NumLoops
	}
	return runtime.NumCPU()
}

// ListenAndServe is Start followed by waiting until the server stops.
func (s *Server) ListenAndServe(addr string) error {
	if err := s.Start(addr); err != nil {
		return err
	}
	<-s.done
	return nil
}

// Addr returns the address the server listens on, once Start has returned.
func (s *Server) Addr() net.Addr { return s.addr }

// NumConns returns the number of open connections.
func (s *Server) NumConns() int { return int(s.nconns.Load()) }

// AcceptErrors returns how many accepts have failed (such as for want of
// descriptors) since Start; the server retries them, see Start.
func (s *Server) AcceptErrors() uint64 { return s.acceptErrs.Load() }

// HandlerPanics returns how many panics of handlers and body callbacks the
// server has recovered since Start. Only the first of each 10 s window is
// logged with its stack; the rest are summed in one line. Safe from any
// goroutine.
func (s *Server) HandlerPanics() uint64 { return s.panics.Load() }

// Shutdown stops the server gracefully: it closes the listening sockets (new
// connections are refused), stops keeping connections alive, closes idle
// ones, lets in-flight requests finish (each gets Connection: close), and
// then stops the event loops. If ctx ends first, Shutdown closes every
// connection and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	if !s.started.Load() {
		return ErrServerClosed
	}
	s.closing.Store(true)
	<-s.ready
	s.stopListening()
	s.kick()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	var err error
wait:
	for s.nconns.Load() > 0 {
		select {
		case <-ctx.Done():
			err = ctx.Err()
			break wait
		case <-s.done:
			return nil
		case <-t.C:
			s.kick()
		}
	}
	s.stop()
	return err
}

// Close stops the server at once, closing every connection.
func (s *Server) Close() error {
	if !s.started.Load() {
		return ErrServerClosed
	}
	s.closing.Store(true)
	<-s.ready
	s.stop()
	return nil
}

// stop closes the listening sockets and stops the event loops, which close
// the connections left; it returns once they have. Safe from any goroutine
// but the loops'.
func (s *Server) stop() {
	s.stopOnce.Do(func() {
		s.stopListening()
		if err := s.cli.Stop(); err != nil {
			log.Printf("engine: stopping the event loops: %v", err)
		}
		forgetLoopGoroutines(s)
		if s.pool != nil {
			s.pool.stop()
		}
		s.drains.stop()
		close(s.done)
	})
	<-s.done
}

// CloseIdleConnections closes every connection that owes no response and
// holds no bytes of a request, as Node's server.closeIdleConnections does.
// The server keeps running. Safe from any goroutine; the closing happens on
// each event loop shortly after the call.
func (s *Server) CloseIdleConnections() {
	s.onEachLoop((*loop).closeIdle)
}

// CloseAllConnections closes every connection at once, whatever it is
// doing, as Node's server.closeAllConnections does, except those taken
// over (Hijack, Takeover), which Node no longer counts as its own. The
// server keeps running. Safe from any goroutine; the closing happens on
// each event loop shortly after the call.
func (s *Server) CloseAllConnections() {
	s.onEachLoop((*loop).closeAll)
}

// onEachLoop runs fn on each event loop, soon, if the server has started.
func (s *Server) onEachLoop(fn func(*loop)) {
	if !s.started.Load() {
		return
	}
	for _, l := range *s.loops.Load() {
		_ = l.ev.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
			fn(l)
			return nil
		}))
	}
}

// kick runs a tick on every loop now, so that idle connections close promptly.
func (s *Server) kick() {
	for _, l := range *s.loops.Load() {
		_ = l.ev.Execute(context.Background(), l)
	}
}

// loopOf returns the engine's state for gnet's event loop ev, creating it on
// first use. Must be called on ev.
func (s *Server) loopOf(ev gnet.EventLoop) *loop {
	for _, l := range *s.loops.Load() {
		if l.ev == ev {
			return l
		}
	}
	s.loopsMu.Lock()
	defer s.loopsMu.Unlock()
	old := *s.loops.Load()
	for _, l := range old {
		if l.ev == ev {
			return l
		}
	}
	l := newLoop(s, ev)
	noteLoopGoroutine(s)
	next := append(append(make([]*loop, 0, len(old)+1), old...), l)
	s.loops.Store(&next)
	return l
}

// OnBoot is called by gnet before the loops start.
func (e *events) OnBoot(gnet.Engine) gnet.Action { return gnet.None }

// OnOpen sets up a connection's state. Called on the connection's loop.
func (e *events) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	s := (*Server)(e)
	s.nconns.Add(1)
	l := s.loopOf(gc.EventLoop())
	c := newConn(s, l, gc)
	l.add(c)
	gc.SetContext(c)
	c.arm()
	if f := s.opts.OnOpen; f != nil {
		f(gc.RemoteAddr(), gc.LocalAddr())
	}
	if f := s.opts.OnOpenConn; f != nil {
		c.onShut = f(c.handle())
	}
	return nil, gnet.None
}

// OnClose releases a connection's state. Called on the connection's loop.
func (e *events) OnClose(gc gnet.Conn, err error) gnet.Action {
	s := (*Server)(e)
	s.nconns.Add(-1)
	s.wakeAcceptors()
	if c, ok := gc.Context().(*conn); ok {
		gc.SetContext(nil)
		shut := c.onShut
		c.onClose(err)
		if shut != nil {
			shut()
		}
	}
	return gnet.None
}

// OnTraffic serves the bytes that arrived. Called on the connection's loop.
func (e *events) OnTraffic(gc gnet.Conn) gnet.Action {
	c, ok := gc.Context().(*conn)
	if !ok {
		return gnet.Close
	}
	return c.onTraffic()
}

// OnTick refreshes the Date cache, ticks every loop and forces a collection
// after a burst if one is due (reclaim.go). gnet calls it on its
// ticker goroutine; the loops' work is queued onto each loop. The next tick
// comes after TickInterval or just after the next whole second, whichever
// is sooner, so the Date line changes within a millisecond of the clock.
func (e *events) OnTick() (time.Duration, gnet.Action) {
	s := (*Server)(e)
	now := time.Now()
	dates.refresh(now)
	s.kick()
	reclaimTick(now, s.opts.ReclaimInterval)
	return min(time.Duration(s.tickEvery.Load()), untilNextSecond(now)), gnet.None
}

// untilNextSecond returns the time from now to 1 ms past the next whole second.
func untilNextSecond(now time.Time) time.Duration {
	return now.Truncate(time.Second).Add(time.Second + time.Millisecond).Sub(now)
}

// OnShutdown is called by gnet when the engine stops.
func (e *events) OnShutdown(gnet.Engine) {}

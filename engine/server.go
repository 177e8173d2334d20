package engine

import (
	"context"
	"errors"
	"log"
	"net"
	"strconv"
	"strings"
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
	h          Handler
	opts       Options
	pcfg       parse.Config
	to         timeouts
	serverLine []byte // "Server: ...\r\n", or empty
	start      time.Time

	started atomic.Bool
	closing atomic.Bool
	nconns  atomic.Int64
	pool    *workerPool // nil for inline handlers; set before the engine starts

	eng  gnet.Engine // set by OnBoot, before running is closed
	addr net.Addr    // set before the engine starts
	// running is closed by the first OnTick. gnet starts its ticker after
	// every loop and listener is set up, so Start returns only then, and
	// what it set up is visible to the goroutine that called Start.
	running     chan struct{}
	runningOnce sync.Once
	done        chan struct{} // closed when gnet.Run returns
	runErr      error         // gnet.Run's result; read after done

	stopAccepting sync.Once // Shutdown closes the listening sockets once
	// listenMu orders closing the listening sockets before gnet's own close
	// of them in Stop: once gnet has closed a descriptor its number may be
	// reused, and a dup3 onto it would replace an unrelated file.
	listenMu sync.Mutex
	stopping bool // guarded by listenMu: eng.Stop has been or is being called

	loopsMu sync.Mutex              // serializes additions to loops
	loops   atomic.Pointer[[]*loop] // copy-on-write list of the loops seen
}

// events is the Server as gnet's event handler, so that the handler's
// methods stay out of Server's API.
type events Server

var _ gnet.EventHandler = (*events)(nil)

// NewServer returns a server that serves h with the options o (nil for the defaults).
func NewServer(h Handler, o *Options) *Server {
	s := &Server{h: h, start: time.Now(), running: make(chan struct{}), done: make(chan struct{})}
	if o != nil {
		s.opts = *o
	}
	s.opts = s.opts.withDefaults()
	s.pcfg = s.opts.Parse
	s.to = timeouts{ms(s.opts.HeadersTimeout), ms(s.opts.RequestTimeout), ms(s.opts.KeepAliveTimeout), never}
	if s.opts.IdleTimeout > 0 {
		s.to.idle = ms(s.opts.IdleTimeout)
	}
	if s.opts.ServerName != "" && headers.ValidateValue(s.opts.ServerName) == nil {
		s.serverLine = []byte("Server: " + s.opts.ServerName + "\r\n")
	}
	empty := []*loop{}
	s.loops.Store(&empty)
	return s
}

// clock returns the server's time in milliseconds, never 0.
func (s *Server) clock() int64 { return time.Since(s.start).Milliseconds() + 1 }

// Start listens on addr and serves in the background. addr is
// "tcp://host:port" (also tcp4, tcp6; a bare "host:port" means tcp) or
// "unix:///path". Port 0 picks a free port; Addr reports it. Start returns
// once the server is listening.
func (s *Server) Start(addr string) error {
	if !s.started.CompareAndSwap(false, true) {
		return ErrServerStarted
	}
	proto, err := s.resolve(addr)
	if err != nil {
		return err
	}
	if s.opts.Workers > 0 {
		s.pool = newWorkerPool(s.opts.Workers, s.opts.WorkerQueue)
	}
	opts := []gnet.Option{
		gnet.WithMulticore(true),
		gnet.WithReusePort(s.opts.ReusePort),
		gnet.WithTicker(true),
		gnet.WithLogger(gnetLogger{}),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
	}
	if s.opts.NumLoops > 0 {
		opts = append(opts, gnet.WithNumEventLoop(s.opts.NumLoops))
	}
	if s.opts.TCPKeepAlive > 0 {
		opts = append(opts, gnet.WithTCPKeepAlive(s.opts.TCPKeepAlive))
	}
	dates.refresh(time.Now())
	go func() {
		s.runErr = gnet.Run((*events)(s), proto, opts...)
		forgetLoopGoroutines(s)
		if s.pool != nil {
			s.pool.stop()
		}
		close(s.done)
	}()
	select {
	case <-s.running:
		return nil
	case <-s.done:
		if s.runErr == nil {
			return ErrServerClosed
		}
		return s.runErr
	}
}

// ListenAndServe is Start followed by waiting until the server stops.
func (s *Server) ListenAndServe(addr string) error {
	if err := s.Start(addr); err != nil {
		return err
	}
	<-s.done
	return s.runErr
}

// resolve turns addr into gnet's protocol address, choosing a port for port 0
// (with SO_REUSEPORT every loop binds its own socket, so they must agree on one).
func (s *Server) resolve(addr string) (string, error) {
	network, host := "tcp", addr
	if i := strings.Index(addr, "://"); i >= 0 {
		network, host = addr[:i], addr[i+3:]
	}
	switch network {
	case "unix":
		s.addr = &net.UnixAddr{Name: host, Net: "unix"}
		return "unix://" + host, nil
	case "tcp", "tcp4", "tcp6":
	default:
		return "", ErrBadAddress
	}
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		return "", err
	}
	if port == "0" || port == "" {
		ln, err := net.Listen(network, host)
		if err != nil {
			return "", err
		}
		port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
	}
	host = net.JoinHostPort(h, port)
	ta, err := net.ResolveTCPAddr(network, host)
	if err != nil {
		return "", err
	}
	s.addr = ta
	return network + "://" + host, nil
}

// Addr returns the address the server listens on, once Start has returned.
func (s *Server) Addr() net.Addr { return s.addr }

// NumConns returns the number of open connections.
func (s *Server) NumConns() int { return int(s.nconns.Load()) }

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
	s.stopAccepting.Do(func() {
		s.listenMu.Lock()
		defer s.listenMu.Unlock()
		select {
		case <-s.done: // the engine has stopped and closed its listeners
		default:
			if s.stopping {
				return // Close got there first
			}
			if err := stopAccepting(s.eng); err != nil {
				// Connections accepted from now on are closed by the idle sweep.
				log.Printf("engine: shutdown: %v", err)
			}
		}
	})
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
			return s.runErr
		case <-t.C:
			s.kick()
		}
	}
	return errors.Join(err, s.stop())
}

// Close stops the server at once, closing every connection.
func (s *Server) Close() error {
	if !s.started.Load() {
		return ErrServerClosed
	}
	s.closing.Store(true)
	return s.stop()
}

func (s *Server) stop() error {
	select {
	case <-s.running:
	case <-s.done:
		return s.runErr
	}
	s.listenMu.Lock()
	s.stopping = true
	s.listenMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.eng.Stop(ctx)
	<-s.done
	if errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return s.runErr
}

// CloseIdleConnections closes every connection that owes no response and
// holds no bytes of a request, as Node's server.closeIdleConnections does.
// The server keeps running. Safe from any goroutine; the closing happens on
// each event loop shortly after the call.
func (s *Server) CloseIdleConnections() {
	if !s.started.Load() {
		return
	}
	for _, l := range *s.loops.Load() {
		_ = l.ev.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
			l.closeIdle()
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

// OnBoot records the engine. Called by gnet once the listeners are up.
func (e *events) OnBoot(eng gnet.Engine) gnet.Action {
	s := (*Server)(e)
	s.eng = eng
	return gnet.None
}

// OnOpen sets up a connection's state. Called on the connection's loop.
func (e *events) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	s := (*Server)(e)
	n := s.nconns.Add(1)
	l := s.loopOf(gc.EventLoop())
	c := newConn(s, l, gc)
	l.add(c)
	gc.SetContext(c)
	if s.opts.MaxConns > 0 && n > int64(s.opts.MaxConns) {
		c.closeAfter = true
		c.out = appendStatusLine(c.out, 503)
		c.out = appendDate(c.out)
		c.out = append(c.out, "Content-Length: 0\r\nConnection: close\r\n\r\n"...)
		out := c.out
		c.out = nil
		return out, gnet.Close
	}
	c.arm()
	return nil, gnet.None
}

// OnClose releases a connection's state. Called on the connection's loop.
func (e *events) OnClose(gc gnet.Conn, err error) gnet.Action {
	s := (*Server)(e)
	s.nconns.Add(-1)
	if c, ok := gc.Context().(*conn); ok {
		gc.SetContext(nil)
		c.onClose(err)
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

// OnTick refreshes the Date cache and ticks every loop. gnet calls it on its
// ticker goroutine; the loops' work is queued onto each loop. The next tick
// comes after TickInterval or just after the next whole second, whichever
// is sooner, so the Date line changes within a millisecond of the clock.
func (e *events) OnTick() (time.Duration, gnet.Action) {
	s := (*Server)(e)
	s.runningOnce.Do(func() { close(s.running) })
	now := time.Now()
	dates.refresh(now)
	s.kick()
	return min(s.opts.TickInterval, untilNextSecond(now)), gnet.None
}

// untilNextSecond returns the time from now to 1 ms past the next whole second.
func untilNextSecond(now time.Time) time.Duration {
	return now.Truncate(time.Second).Add(time.Second + time.Millisecond).Sub(now)
}

// OnShutdown is called by gnet when the engine stops.
func (e *events) OnShutdown(gnet.Engine) {}

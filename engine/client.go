package engine

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/zerohttp/zerohttp/parse"
)

// The life of a client request:
//
//  1. The caller fills a ClientRequest and calls ClientConn.Do (blocking) or
//     ClientConn.Send (with a ResponseHandler). Both queue a call on the
//     connection first, so the event loop knows which request the next
//     response bytes answer, and then write the serialized head (and body)
//     straight to the socket from the caller's goroutine: no hop through the
//     event loop and no allocation. A write that would block waits for the
//     socket (Do, or Send of a streaming body) or is handed to the event loop
//     with AsyncWrite (Send), and later writes follow it there to keep order.
//  2. The event loop reads response bytes in OnTraffic and appends them to the
//     front call's ClientResponse buffer. The strict parse.Parser reads the
//     head (1xx heads are reported and dropped), replacing each obs-fold with
//     SP in that buffer (RFC 9112 §5.2); parse.Body decodes the body
//     and the decoded bytes are compacted in place after the head.
//  3. When the body ends, bytes after it belong to the next pipelined call;
//     the call is popped and its handler runs on the event loop (Do's handler
//     wakes the blocked caller). A response that forbids reuse, or any parse
//     error, closes the connection.
//  4. OnClose completes a read-until-close body, then fails every call still
//     queued with a *ClientConnError that says whether any response byte had
//     arrived, so an agent can retry a request that was never answered; a
//     response that broke the protocol fails its own request with a
//     *MalformedResponseError holding the parse.Code instead.
//
// DoContext and DoDeadline bound the whole exchange: when the context ends
// or the deadline passes first, the connection is closed, which fails the
// call. Blocking calls refuse to run on an event loop (ErrOnEventLoop).

// Client errors.
var (
	ErrClientClosed         = errors.New("engine: client closed")
	ErrClientConnClosed     = errors.New("engine: client connection closed")
	ErrClientHeadTimeout    = errors.New("engine: timeout awaiting response head")
	ErrClientIdleTimeout    = errors.New("engine: client connection idle timeout")
	ErrClientConnectTimeout = errors.New("engine: connect timeout")
	ErrClientUnexpectedData = errors.New("engine: unexpected data from server with no request in flight")
	ErrClientBodyTooLarge   = errors.New("engine: response body too large")
)

// ClientOptions configure a Client. The zero value is usable.
type ClientOptions struct {
	// NumEventLoops is the number of gnet event loops (0: GOMAXPROCS).
	NumEventLoops int
	// LockOSThread locks each event loop to an OS thread.
	LockOSThread bool
	// ReadBufferCap is the per-loop read buffer size (0: gnet's default).
	ReadBufferCap int
	// Parser limits and strictness for responses; the zero Config is strict.
	Parser parse.Config
	// TimerResolution is the longest time between two checks of the
	// connections' timeouts (0: 50ms). A shorter head or idle timeout makes
	// the checks more frequent: every eighth of the shortest one set so far,
	// and at most once a millisecond, so a timeout fires within about 12%
	// of its length.
	TimerResolution time.Duration
	// StallThreshold is how long an event loop may stay in one callback (a
	// response handler that blocks, say) before it is logged, with the
	// loop's stack, and counted in Client.LoopStalls (default 1 s; a
	// negative value turns the watchdog off). The sweeper probes the loops
	// every half threshold; nothing is paid per request (see stall.go).
	StallThreshold time.Duration
}

// Client runs the event loops that client connections live on, and the timer
// that enforces their timeouts. A Client is safe for concurrent use; create
// one per process (or per pool) and Close it when done.
type Client struct {
	opts ClientOptions
	gc   *gnet.Client
	h    clientHandler

	mu     sync.Mutex
	conns  map[*ClientConn]struct{} // guarded by mu
	closed bool                     // guarded by mu

	stop       chan struct{}
	stopped    sync.WaitGroup
	swept      []*ClientConn // sweeper-only scratch
	nowNano    atomic.Int64  // coarse clock, refreshed by the sweeper
	minTimeout atomic.Int64  // ns: the shortest head or idle timeout set so far; 0 none
	retime     chan struct{} // a new minTimeout: the sweeper reschedules

	stallWatch stallWatch                   // threshold 0: off
	probesMu   sync.Mutex                   // serializes additions to probes
	probes     atomic.Pointer[[]*loopProbe] // copy-on-write list of the loops seen

	yieldAfterTraffic bool // GOMAXPROCS was 1 at NewClient; immutable
}

// NewClient starts a Client's event loops.
func NewClient(opts *ClientOptions) (*Client, error) {
	c := &Client{conns: make(map[*ClientConn]struct{}), stop: make(chan struct{}), retime: make(chan struct{}, 1)}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.TimerResolution <= 0 {
		c.opts.TimerResolution = 50 * time.Millisecond
	}
	switch th := c.opts.StallThreshold; {
	case th == 0:
		c.stallWatch.threshold = DefaultStallThreshold
	case th > 0:
		c.stallWatch.threshold = max(th, 10*time.Millisecond)
	}
	c.stallWatch.who, c.stallWatch.hint = "client event loop", "do blocking work off the loop, not in a response handler"
	c.stallWatch.log.what = "client event-loop stalls"
	c.probes.Store(new([]*loopProbe))
	n := c.opts.NumEventLoops
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	c.h.cli = c
	c.yieldAfterTraffic = runtime.GOMAXPROCS(0) == 1
	gopts := []gnet.Option{
		gnet.WithMulticore(n > 1),
		gnet.WithNumEventLoop(n),
		gnet.WithLockOSThread(c.opts.LockOSThread),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogger(gnetLogger{}),
	}
	if c.opts.ReadBufferCap > 0 {
		gopts = append(gopts, gnet.WithReadBufferCap(c.opts.ReadBufferCap))
	}
	gc, err := gnet.NewClient(&c.h, gopts...)
	if err != nil {
		return nil, err
	}
	if err := gc.Start(); err != nil {
		return nil, err
	}
	c.gc = gc
	c.nowNano.Store(time.Now().UnixNano())
	c.stopped.Add(1)
	go c.sweep()
	return c, nil
}

// Close closes every connection (failing their requests with
// ErrClientClosed) and stops the event loops. Safe from any goroutine except
// an event loop of this Client.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	conns := make([]*ClientConn, 0, len(c.conns))
	for cc := range c.conns {
		conns = append(conns, cc)
	}
	c.mu.Unlock()
	close(c.stop)
	c.stopped.Wait()
	for _, cc := range conns {
		cc.abort(ErrClientClosed)
	}
	// Give the loops a moment to deliver OnClose before stopping them; gnet
	// closes whatever is left without running our handler's logic twice.
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		n := len(c.conns)
		c.mu.Unlock()
		if n == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	err := c.gc.Stop()
	forgetLoopGoroutines(c)
	return err
}

func (c *Client) add(cc *ClientConn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.conns[cc] = struct{}{}
	return true
}

func (c *Client) remove(cc *ClientConn) {
	c.mu.Lock()
	delete(c.conns, cc)
	c.mu.Unlock()
}

// now returns a clock that is at most TimerResolution old. Used for timeouts
// so the request path does not read the wall clock.
func (c *Client) now() int64 { return c.nowNano.Load() }

// noteTimeout records a head or idle timeout d set on a connection, so
// that the sweeper checks often enough for it. Cheap when d is not a new
// minimum: agents set idle timeouts per request.
func (c *Client) noteTimeout(d time.Duration) {
	for {
		cur := c.minTimeout.Load()
		if d <= 0 || (cur != 0 && int64(d) >= cur) {
			return
		}
		if c.minTimeout.CompareAndSwap(cur, int64(d)) {
			if d/8 < c.opts.TimerResolution {
				select { // the pass already scheduled may be too late for d
				case c.retime <- struct{}{}:
				default:
				}
			}
			return
		}
	}
}

// sweepPeriod is the time to the sweeper's next pass: TimerResolution, or
// an eighth of the shortest timeout set so far if that is less (not under
// a millisecond).
func (c *Client) sweepPeriod() time.Duration {
	p := c.opts.TimerResolution
	if m := time.Duration(c.minTimeout.Load()); m > 0 && m/8 < p {
		p = max(m/8, time.Millisecond)
	}
	return p
}

// sweep enforces head and idle timeouts by scanning the connections every
// sweepPeriod. Connection counts on a client are modest, and one goroutine
// scanning atomics costs less than a timer per request.
func (c *Client) sweep() {
	defer c.stopped.Done()
	t := time.NewTimer(c.sweepPeriod())
	defer t.Stop()
	var probed int64 // when the stall watchdog last ran, in ns
	for {
		select {
		case <-c.stop:
			return
		case <-c.retime:
			t.Reset(c.sweepPeriod())
		case now := <-t.C:
			t.Reset(c.sweepPeriod())
			n := now.UnixNano()
			c.nowNano.Store(n)
			c.mu.Lock()
			c.swept = c.swept[:0]
			for cc := range c.conns {
				c.swept = append(c.swept, cc)
			}
			c.mu.Unlock()
			for _, cc := range c.swept {
				cc.checkTimeouts(n)
			}
			clear(c.swept)
			if th := c.stallWatch.threshold; th > 0 && time.Duration(n-probed) >= th/2 {
				probed = n
				c.stallWatch.check(n/int64(time.Millisecond), *c.probes.Load())
			}
		}
	}
}

// noteLoop adds ev to the loops the stall watchdog probes, if it is new.
// Must be called on ev, once per connection: a scan of the loops, no more.
func (c *Client) noteLoop(ev gnet.EventLoop) {
	if c.stallWatch.threshold <= 0 {
		return
	}
	for _, p := range *c.probes.Load() {
		if p.ev == ev {
			return
		}
	}
	c.probesMu.Lock()
	defer c.probesMu.Unlock()
	old := *c.probes.Load()
	for _, p := range old {
		if p.ev == ev {
			return
		}
	}
	next := append(append(make([]*loopProbe, 0, len(old)+1), old...), &loopProbe{ev: ev, gid: goid()})
	c.probes.Store(&next)
}

// LoopStalls returns how many times an event loop of the client has stayed
// in one callback for longer than ClientOptions.StallThreshold. Safe from
// any goroutine.
func (c *Client) LoopStalls() uint64 { return c.stallWatch.stalls.Load() }

// clientHandler is the gnet.EventHandler of a Client. Events for a connection
// arrive on its event loop in this order: OnOpen, then OnTraffic any number
// of times, then OnClose once.
type clientHandler struct {
	gnet.BuiltinEventEngine
	cli   *Client
	reads atomic.Uint32 // reads since the start, for yieldEvery (loops may share h)
}

// yieldEvery is how many reads a client loop serves between yields when
// GOMAXPROCS is 1 (see OnTraffic).
const yieldEvery = 4

func (h *clientHandler) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	noteLoopGoroutine(h.cli)
	h.cli.noteLoop(c.EventLoop())
	if cc, ok := c.Context().(*ClientConn); ok {
		cc.gc = c
	}
	return nil, gnet.None
}

func (h *clientHandler) OnTraffic(c gnet.Conn) gnet.Action {
	cc, ok := c.Context().(*ClientConn)
	if !ok {
		return gnet.Close
	}
	data, _ := c.Next(-1)
	act := cc.onData(data)
	if h.cli.yieldAfterTraffic {
		// With one P, a goroutine blocked in Do that this read woke cannot
		// run until the loop gives the P up, which gnet does only when an
		// epoll_wait comes back empty; a loop that keeps finding events
		// starves the callers, and its blocking epoll_wait keeps the P until
		// sysmon retakes it (20 µs to 10 ms). So the loop yields, but every
		// yieldEvery reads rather than after each: the woken callers then
		// write their next requests in a burst, which costs the server fewer
		// wake-ups and both sides fewer context switches. Measured
		// (clientbench, 64 conns, medians of 5-6 alternating 2 s runs):
		// yielding every read 146k req per client CPU-s, every 4 163k,
		// every 8 156-161k, every 16 144k; fasthttp 130-133k.
		if h.reads.Add(1)%yieldEvery == 0 {
			runtime.Gosched()
		}
	}
	return act
}

func (h *clientHandler) OnClose(c gnet.Conn, err error) gnet.Action {
	if cc, ok := c.Context().(*ClientConn); ok {
		cc.onClose(err)
	}
	return gnet.None
}

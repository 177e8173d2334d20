package agentpool

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

// Agent errors.
var (
	ErrAgentDestroyed = errors.New("agentpool: agent destroyed")
	// ErrReusedConnFailed is joined to the error of a request that failed on a
	// reused connection before any response byte and was not retried because
	// its method is not idempotent (or it was already retried).
	ErrReusedConnFailed = errors.New("agentpool: reused connection closed before the response; request not retried")
)

// Scheduling is the order in which free sockets are reused.
type Scheduling uint8

const (
	// LIFO reuses the most recently freed socket (Node's default since v15.6).
	LIFO Scheduling = iota
	// FIFO reuses the least recently freed socket.
	FIFO
)

// Options are Node's http.Agent options, with Node's defaults for zero values,
// plus the engine settings the agent's connections use.
type Options struct {
	// KeepAlive keeps sockets open after their response to reuse them (default false).
	KeepAlive bool
	// KeepAliveMsecs is the TCP keep-alive initial delay when KeepAlive is set (0: 1000).
	KeepAliveMsecs int
	// MaxSockets bounds sockets per origin, free ones included (0: unlimited).
	MaxSockets int
	// MaxTotalSockets bounds sockets over all origins (0: unlimited).
	MaxTotalSockets int
	// MaxFreeSockets bounds free sockets per origin (0: 256).
	MaxFreeSockets int
	// Scheduling picks which free socket to reuse (default LIFO).
	Scheduling Scheduling
	// Timeout closes a free socket idle this long (0: none, beyond the
	// server's hint). Unlike Node it does not time out sockets in use; see
	// HeadTimeout for that.
	Timeout time.Duration
	// NodeKeepAliveHint reads the server's "Keep-Alive: timeout=N" as
	// Node's agent does: only a field that starts with it, and it only
	// shortens a Timeout (to N-1 s); an agent without one keeps a free
	// socket past the hint. A hint of 1 s or less forbids reuse either
	// way. Without it, any timeout=N in the field bounds a free socket's
	// life to N-1 s.
	NodeKeepAliveHint bool
	// NoRetry fails a request whose reused connection closed before any
	// response, as Node's agent does (its caller may retry), where by
	// default an idempotent one is sent once more on a new connection.
	NoRetry bool

	// Client runs the connections; nil makes a private one that Destroy closes.
	Client *engine.Client
	// ConnectTimeout, HeadTimeout and Lookup are passed to each dial.
	ConnectTimeout time.Duration
	HeadTimeout    time.Duration
	Lookup         func(ctx context.Context, host string, family int) (string, error)
}

// Agent pools client connections per origin with Node's http.Agent semantics.
type Agent struct {
	opts   Options
	cli    *engine.Client
	ownCli bool

	mu      sync.Mutex
	origins map[string]*origin // guarded by mu
	// last is the previous request's origin, guarded by mu: most agents send
	// to one origin at a time, and matching it by its address fields skips
	// formatting the name and hashing it (~1% of a client's CPU in perf).
	last      *origin
	total     int  // guarded by mu: sockets of every origin, dialing and free included
	queued    int  // guarded by mu: requests waiting in any queue
	destroyed bool // guarded by mu
}

// NewAgent returns an agent with opts (nil for Node's defaults).
func NewAgent(opts *Options) (*Agent, error) {
	a := &Agent{origins: make(map[string]*origin)}
	if opts != nil {
		a.opts = *opts
	}
	if a.opts.KeepAliveMsecs <= 0 {
		a.opts.KeepAliveMsecs = 1000
	}
	if a.opts.MaxFreeSockets <= 0 {
		a.opts.MaxFreeSockets = 256
	}
	a.cli = a.opts.Client
	if a.cli == nil {
		cli, err := engine.NewClient(nil)
		if err != nil {
			return nil, err
		}
		a.cli, a.ownCli = cli, true
	}
	return a, nil
}

// NewKeepAliveAgent is NewAgent with KeepAlive set, the default that Go
// code expects (http.Transport keeps connections alive); opts may be nil.
func NewKeepAliveAgent(opts *Options) (*Agent, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o.KeepAlive = true
	return NewAgent(&o)
}

// Options returns the agent's options with defaults applied.
func (a *Agent) Options() Options { return a.opts }

// Do sends req through the agent and waits for its response in resp. It
// blocks the caller; on an event loop it returns engine.ErrOnEventLoop.
func (a *Agent) Do(req *engine.ClientRequest, resp *engine.ClientResponse) error {
	if engine.OnEventLoop() {
		return engine.ErrOnEventLoop
	}
	p := pendingPool.Get().(*pending)
	p.h = p
	a.submit(p, req, resp)
	<-p.done
	err := p.err
	p.reset()
	pendingPool.Put(p)
	return err
}

// Request sends req through the agent; h (not nil) receives the response
// exactly once, on an event loop or a dialing goroutine, and must not block.
// req and resp belong to the agent until then. Safe from any goroutine,
// including event loops.
func (a *Agent) Request(req *engine.ClientRequest, resp *engine.ClientResponse, h engine.ResponseHandler) {
	p := pendingPool.Get().(*pending)
	p.h = h
	a.submit(p, req, resp)
}

// Canceler is a ResponseHandler passed to Request that may give up on its
// request while it waits for a socket or a dial: just before the request
// would be written to a connection, the agent calls RequestCancelled, and if
// it returns an error the request is not sent and the handler receives that
// error (the connection stays free for the next request). It is called on
// the goroutine that dispatches the request (a caller, a dial or an event
// loop) and must not block.
type Canceler interface {
	RequestCancelled() error
}

// Queuer is a ResponseHandler passed to Request that learns when its
// request waits in the agent's queue for a socket (Node's agent.requests),
// as a Node request destroyed there ends only once the agent would hand
// it a socket. RequestQueued is called with the agent's lock held: it must
// not block or call the agent. The request leaves the queue when it is
// next given to the handler's Canceler, if it is one.
type Queuer interface {
	RequestQueued()
}

// SocketUser is a ResponseHandler passed to Request that follows its
// connection as Node's ClientRequest follows its socket: it learns whether
// the connection was reused, and may keep it after its response until it
// has emitted what Node emits before the agent's 'free'.
type SocketUser interface {
	// SocketAssigned is called just before the request is written on cc,
	// on the dispatching goroutine; reused reports whether cc came from
	// the free list when the request was submitted (Node's reusedSocket:
	// false for a new connection and for one handed over from a previous
	// request while this one waited in the queue).
	SocketAssigned(cc *engine.ClientConn, reused bool)
	// HoldSocket is called on the event loop, before HandleResponse, when
	// the response has ended leaving cc fit for reuse. Returning true keeps
	// cc busy (in Sockets, not given to queued requests) until the handler
	// calls Agent.Release(cc): Node frees a socket a tick after the
	// response's 'end', once the request's 'close' has been emitted.
	HoldSocket(cc *engine.ClientConn) bool
}

// DialWatcher is a ResponseHandler passed to Request that learns when the
// agent starts a new connection for its request, as Node's agent gives a
// request its socket while the socket connects. SocketDialing is called
// on the dialing goroutine before the dial; it returns whether the
// request took the connection, and cancel (safe from any goroutine, until
// the handler has its response) gives the dial up, as Node destroys a
// connecting socket; called before the dial has begun (from SocketDialing
// itself) it does nothing, and the connection closes once made, as
// Node's connect is under way by the time it emits 'socket'. If its Canceler gives the request up
// before it is written, the connection, once dialed, closes if the
// request took it, as Node destroys a socket with its request; else it
// goes to the next queued request, or closes: Node's agent frees a
// socket whose request was destroyed before getting it, and closes it
// when no request waits, as none keeps it alive.
type DialWatcher interface {
	SocketDialing(cancel func()) bool
}

// Release gives back a connection held by a SocketUser after its response:
// it carries the next queued request, joins the free list or closes, as
// after any response. A connection not held is left alone. Safe from any
// goroutine.
func (a *Agent) Release(cc *engine.ClientConn) {
	ac, ok := cc.Context().(*agentConn)
	if !ok {
		return
	}
	a.mu.Lock()
	held := ac.held
	ac.held = false
	a.mu.Unlock()
	if !held {
		return
	}
	if next := a.connIdle(ac, cc, true); next != nil {
		a.dispatch(ac, next)
	}
}

// Snapshot maps origin names (see GetName) to counts. It is a copy: later
// changes to the agent do not show in it.
type Snapshot map[string]int

// Sockets returns, per origin name, the sockets in use or being connected
// (Node's agent.sockets). It is a snapshot.
func (a *Agent) Sockets() Snapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := Snapshot{}
	for name, o := range a.origins {
		if n := o.n - len(o.free); n > 0 {
			s[name] = n
		}
	}
	return s
}

// FreeSockets returns, per origin name, the idle keep-alive sockets (Node's agent.freeSockets).
func (a *Agent) FreeSockets() Snapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := Snapshot{}
	for name, o := range a.origins {
		if len(o.free) > 0 {
			s[name] = len(o.free)
		}
	}
	return s
}

// Requests returns, per origin name, the requests waiting for a socket (Node's agent.requests).
func (a *Agent) Requests() Snapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := Snapshot{}
	for name, o := range a.origins {
		if o.queue.len() > 0 {
			s[name] = o.queue.len()
		}
	}
	return s
}

// TotalSockets returns the number of sockets of every origin (Node's totalSocketCount).
func (a *Agent) TotalSockets() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.total
}

// CloseIdleConnections closes the free sockets of every origin; sockets in
// use are left alone (http.Transport's CloseIdleConnections).
func (a *Agent) CloseIdleConnections() {
	a.mu.Lock()
	var idle []*agentConn
	for _, o := range a.origins {
		idle = append(idle, o.free...)
	}
	a.mu.Unlock()
	// OnClose uncounts each; a request that takes one first is routed again.
	for _, ac := range idle {
		ac.cc.Close()
	}
}

// Destroy closes every socket and fails the queued requests with
// ErrAgentDestroyed; later requests fail with it too. Requests in flight fail
// as their connections close. A private Client is closed.
func (a *Agent) Destroy() {
	a.mu.Lock()
	if a.destroyed {
		a.mu.Unlock()
		return
	}
	a.destroyed = true
	var conns []*agentConn
	var waiting []*pending
	for _, o := range a.origins {
		conns = append(conns, o.all()...)
		for o.queue.len() > 0 {
			waiting = append(waiting, o.queue.pop())
		}
	}
	a.queued = 0
	a.mu.Unlock()
	for _, p := range waiting {
		p.finish(nil, ErrAgentDestroyed)
	}
	for _, ac := range conns {
		if ac.cc != nil {
			ac.cc.Close()
		}
	}
	if a.ownCli {
		a.cli.Close()
	}
}

package agentpool

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
)

// connState is where an agent's connection is in its life.
type connState uint8

const (
	connDialing connState = iota // counted, not yet connected; leaves to connBusy or connClosed
	connBusy                     // carrying a request; leaves to connFree, connBusy or connClosed
	connFree                     // in its origin's free list; leaves to connBusy or connClosed
	connClosed                   // terminal: uncounted
)

// agentConn is the agent's record of one connection; it is the
// engine.ClientConn's Context.
type agentConn struct {
	o      *origin
	cc     *engine.ClientConn
	state  connState // guarded by Agent.mu
	busyAt int       // index in o.busy while there; guarded by Agent.mu
	held   bool      // kept busy after its response by a SocketUser; guarded by Agent.mu
	// hint is the last response's Keep-Alive timeout as Node reads it (-1:
	// none), under Options.NodeKeepAliveHint; guarded by Agent.mu.
	hint time.Duration
	// inflight is the request on the connection. It is set before Send and
	// read by HandleResponse; the engine's queue lock orders the two.
	inflight *pending
}

// HandleResponse receives the outcome of the request in flight on ac.
func (ac *agentConn) HandleResponse(cc *engine.ClientConn, _ *engine.ClientRequest, resp *engine.ClientResponse, err error) {
	p := ac.inflight
	ac.inflight = nil
	p.a.responseDone(ac, p, cc, resp, err)
}

// origin holds one name's sockets and queue. Guarded by Agent.mu.
type origin struct {
	name  string
	dial  engine.DialOptions
	n     int          // sockets: dialing, busy and free
	free  []*agentConn // free sockets, oldest first
	busy  []*agentConn // dialing and busy sockets, in no order (see addBusy)
	queue queue
}

// serves reports whether req has the address fields o was made from. The
// origin name is a function of them, so a match means the same origin; a
// request whose name matches by other fields (a port beside a socket path,
// say) just misses and takes the map.
func (o *origin) serves(req *engine.ClientRequest) bool {
	d := &o.dial
	return req.Port() == d.Port && req.Family == d.Family && req.SocketPath == d.SocketPath &&
		req.LocalAddress == d.LocalAddress && string(req.Host()) == d.Host
}

func (o *origin) all() []*agentConn {
	s := make([]*agentConn, 0, len(o.busy)+len(o.free))
	s = append(s, o.busy...)
	return append(s, o.free...)
}

// addBusy and removeBusy keep o.busy a set by each socket's index in it: a
// map insert and delete per request cost ~0.7% of a client's CPU.
func (o *origin) addBusy(ac *agentConn) {
	ac.busyAt = len(o.busy)
	o.busy = append(o.busy, ac)
}

func (o *origin) removeBusy(ac *agentConn) {
	i, last := ac.busyAt, len(o.busy)-1
	if i < 0 || i > last || o.busy[i] != ac {
		return
	}
	o.busy[i] = o.busy[last]
	o.busy[i].busyAt = i
	o.busy[last] = nil
	o.busy = o.busy[:last]
	ac.busyAt = -1
}

// pending is a request on its way through the agent. Pooled.
type pending struct {
	a       *Agent
	req     *engine.ClientRequest
	resp    *engine.ClientResponse
	h       engine.ResponseHandler
	done    chan struct{}
	err     error
	retried bool // already retried once on a new connection
	fresh   bool // must go on a new connection
	reused  bool // routed to a free connection (Node's reusedSocket)

	// For Do and DoContext (h == p): stage is where the request is (see
	// stageWaiting), cc the connection it was last sent on, and stop is set
	// once its context ended, so that it is not retried.
	stage atomic.Int32
	cc    atomic.Pointer[engine.ClientConn]
	stop  atomic.Bool
}

// Stages of a Do or DoContext request.
const (
	stageWaiting   int32 = iota // queued or dialing; leaves to stageSent, stageAbandoned or stageFinished
	stageSent                   // handed to a connection; leaves to stageFinished
	stageAbandoned              // its caller left before it was sent: the agent recycles it
	stageFinished               // terminal: its outcome went to the caller
)

var pendingPool = sync.Pool{New: func() any { return &pending{done: make(chan struct{}, 1)} }}

func (p *pending) reset() {
	p.a, p.req, p.resp, p.h, p.err = nil, nil, nil, nil, nil
	p.retried, p.fresh, p.reused = false, false, false
	p.stage.Store(stageWaiting)
	p.cc.Store(nil)
	p.stop.Store(false)
}

// HandleResponse makes a pending its own handler for Do.
func (p *pending) HandleResponse(_ *engine.ClientConn, _ *engine.ClientRequest, _ *engine.ClientResponse, err error) {
	p.err = err
	p.done <- struct{}{}
}

// finish delivers the outcome to the request's handler, once.
func (p *pending) finish(cc *engine.ClientConn, err error) {
	req, resp, h := p.req, p.resp, p.h
	if h == engine.ResponseHandler(p) {
		if p.stage.Swap(stageFinished) == stageAbandoned {
			p.reset()
			pendingPool.Put(p)
			return
		}
		h.HandleResponse(cc, req, resp, err) // Do recycles p
		return
	}
	p.reset()
	pendingPool.Put(p)
	h.HandleResponse(cc, req, resp, err)
}

// submit routes p: a free socket, a new socket, or the queue (Node's addRequest).
func (a *Agent) submit(p *pending, req *engine.ClientRequest, resp *engine.ClientResponse) {
	p.a, p.req, p.resp = a, req, resp
	if !a.opts.KeepAlive {
		req.SetConnectionClose(true)
	}
	a.route(p)
}

func (a *Agent) route(p *pending) {
	a.mu.Lock()
	if a.destroyed {
		a.mu.Unlock()
		p.finish(nil, ErrAgentDestroyed)
		return
	}
	o := a.last
	if o == nil || !o.serves(p.req) {
		var buf [128]byte
		key := appendName(buf[:0], p.req)
		o = a.origins[string(key)] // no allocation: map index by converted bytes
		if o == nil {
			o = a.newOriginLocked(string(key), p.req)
		}
		a.last = o
	}
	p.reused = false
	if !p.fresh {
		if ac := a.takeFreeLocked(o); ac != nil {
			a.mu.Unlock()
			p.reused = true
			a.dispatch(ac, p)
			return
		}
	}
	if a.roomLocked(o) {
		ac := a.newConnLocked(o)
		a.mu.Unlock()
		a.dialFor(ac, p)
		return
	}
	if p.fresh {
		o.queue.pushFront(p)
	} else {
		o.queue.push(p)
	}
	a.queued++
	if q, ok := p.h.(Queuer); ok {
		q.RequestQueued()
	}
	victim := a.freeVictimLocked(o)
	if victim == nil && p.fresh && len(o.free) > 0 {
		// A retried request must not wait for a free socket to expire.
		victim = o.free[0]
		copy(o.free, o.free[1:])
		o.free[len(o.free)-1] = nil
		o.free = o.free[:len(o.free)-1]
		victim.state = connBusy // closing: OnClose uncounts it
		o.addBusy(victim)
	}
	a.mu.Unlock()
	if victim != nil {
		// Its OnClose frees a slot and serves the queue.
		victim.cc.Close()
	}
}

// freeVictimLocked returns the oldest free socket of another origin when the
// agent is at maxTotalSockets, so that an idle socket does not hold a slot
// that a queued request needs (it would otherwise wait for the socket to expire).
func (a *Agent) freeVictimLocked(o *origin) *agentConn {
	if a.opts.MaxTotalSockets <= 0 || a.total < a.opts.MaxTotalSockets ||
		(a.opts.MaxSockets > 0 && o.n >= a.opts.MaxSockets) {
		return nil
	}
	for _, other := range a.origins {
		if other != o && len(other.free) > 0 {
			ac := other.free[0]
			copy(other.free, other.free[1:])
			other.free[len(other.free)-1] = nil
			other.free = other.free[:len(other.free)-1]
			ac.state = connBusy // closing: OnClose uncounts it
			other.addBusy(ac)
			return ac
		}
	}
	return nil
}

func (a *Agent) newOriginLocked(name string, req *engine.ClientRequest) *origin {
	o := &origin{name: name}
	o.dial = engine.DialOptions{
		Host:           string(req.Host()),
		Port:           req.Port(),
		SocketPath:     req.SocketPath,
		LocalAddress:   req.LocalAddress,
		Family:         req.Family,
		ConnectTimeout: a.opts.ConnectTimeout,
		HeadTimeout:    a.opts.HeadTimeout,
		OnClose:        a.onConnClose,
	}
	if a.opts.Lookup != nil {
		o.dial.Lookup = a.opts.Lookup
	}
	if a.opts.KeepAlive {
		o.dial.KeepAlivePeriod = time.Duration(a.opts.KeepAliveMsecs) * time.Millisecond
	}
	a.origins[name] = o
	return o
}

// roomLocked reports whether o may open another socket.
func (a *Agent) roomLocked(o *origin) bool {
	return (a.opts.MaxSockets <= 0 || o.n < a.opts.MaxSockets) &&
		(a.opts.MaxTotalSockets <= 0 || a.total < a.opts.MaxTotalSockets)
}

func (a *Agent) newConnLocked(o *origin) *agentConn {
	ac := &agentConn{o: o, state: connDialing}
	o.n++
	a.total++
	o.addBusy(ac)
	return ac
}

// takeFreeLocked pops a free socket by the scheduling order, skipping any
// that closed (their OnClose removes them too; this is belt and braces).
func (a *Agent) takeFreeLocked(o *origin) *agentConn {
	for len(o.free) > 0 {
		var ac *agentConn
		if a.opts.Scheduling == FIFO {
			ac = o.free[0]
			copy(o.free, o.free[1:])
		} else {
			ac = o.free[len(o.free)-1]
		}
		o.free[len(o.free)-1] = nil
		o.free = o.free[:len(o.free)-1]
		if ac.cc.Closed() {
			ac.state = connClosed
			o.n--
			a.total--
			continue
		}
		ac.state = connBusy
		o.addBusy(ac)
		ac.cc.SetIdleTimeout(0)
		return ac
	}
	return nil
}

// dialFor connects a new socket for p (Node's createSocket).
func (a *Agent) dialFor(ac *agentConn, p *pending) {
	opts := ac.o.dial // read-only after the origin was made
	opts.Context = ac
	w, _ := p.h.(DialWatcher)
	go func() {
		ctx, owned := context.Background(), false
		if w != nil {
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			defer cancel()
			var started atomic.Bool
			owned = w.SocketDialing(func() {
				if started.Load() {
					cancel()
				}
			})
			started.Store(true)
		}
		cc, err := a.cli.Dial(ctx, &opts)
		a.dialed(ac, p, w != nil, owned, cc, err)
	}()
}

// dialed runs on the dialing goroutine with the outcome of dialFor;
// watched reports whether p's handler is a DialWatcher, owned whether it
// took the connection.
func (a *Agent) dialed(ac *agentConn, p *pending, watched, owned bool, cc *engine.ClientConn, err error) {
	if err != nil {
		a.mu.Lock()
		a.dropLocked(ac)
		next := a.serveQueuesLocked(ac.o)
		a.mu.Unlock()
		p.finish(nil, err)
		a.dialAll(next)
		return
	}
	a.mu.Lock()
	ac.cc = cc
	if ac.state == connClosed { // closed before we got here
		next := a.serveQueuesLocked(ac.o)
		a.mu.Unlock()
		a.redo(p, nil, errors.New("agentpool: connection closed as it opened"))
		a.dialAll(next)
		return
	}
	ac.state = connBusy
	a.mu.Unlock()
	if watched {
		if c, ok := p.h.(Canceler); ok {
			if err := c.RequestCancelled(); err != nil {
				// Given up with the connection its own, it closes, as
				// Node destroys a socket with its request; given up
				// before taking it, it goes to the next queued request
				// or closes, as Node's 'free' does with a socket no
				// request keeps alive.
				var next *pending
				if owned {
					a.connIdle(ac, cc, false)
				} else {
					next = a.connToQueue(ac, cc)
				}
				p.finish(nil, err)
				if next != nil {
					a.dispatch(ac, next)
				}
				return
			}
		}
	}
	a.dispatch(ac, p)
}

// dispatch sends p on ac, which the caller has marked busy.
func (a *Agent) dispatch(ac *agentConn, p *pending) {
	if p.h == engine.ResponseHandler(p) {
		// The connection is stored first: a caller that finds the request
		// sent finds where to cancel it.
		p.cc.Store(ac.cc)
		if !p.stage.CompareAndSwap(stageWaiting, stageSent) && p.stage.Load() == stageAbandoned {
			p.reset()
			pendingPool.Put(p)
			if next := a.connIdle(ac, ac.cc, true); next != nil {
				a.dispatch(ac, next)
			}
			return
		}
	}
	if c, ok := p.h.(Canceler); ok {
		if err := c.RequestCancelled(); err != nil {
			p.finish(nil, err)
			if next := a.connIdle(ac, ac.cc, true); next != nil {
				a.dispatch(ac, next)
			}
			return
		}
	}
	if u, ok := p.h.(SocketUser); ok {
		u.SocketAssigned(ac.cc, p.reused)
		// What SocketAssigned ran (Node's 'socket' listeners) may have
		// given the request up: nothing is written and, as Node destroys
		// the socket with its request, the connection closes.
		if c, ok := p.h.(Canceler); ok {
			if err := c.RequestCancelled(); err != nil {
				a.connIdle(ac, ac.cc, false)
				p.finish(nil, err)
				return
			}
		}
	}
	ac.inflight = p
	err := ac.cc.Send(p.req, p.resp, ac)
	if err == nil {
		return
	}
	ac.inflight = nil
	if errors.Is(err, engine.ErrClientConnClosed) {
		// Nothing was sent: the connection closed while free. OnClose
		// uncounts it; route the request again.
		a.route(p)
		return
	}
	// The request itself is invalid; the connection is untouched.
	next := a.connIdle(ac, ac.cc, true)
	p.finish(nil, err)
	if next != nil {
		a.dispatch(ac, next)
	}
}

// dropLocked uncounts ac.
func (a *Agent) dropLocked(ac *agentConn) {
	o := ac.o
	switch ac.state {
	case connClosed:
		return
	case connFree:
		for i, f := range o.free {
			if f == ac {
				copy(o.free[i:], o.free[i+1:])
				o.free[len(o.free)-1] = nil
				o.free = o.free[:len(o.free)-1]
				break
			}
		}
	default:
		o.removeBusy(ac)
	}
	ac.state = connClosed
	o.n--
	a.total--
}

// serveQueuesLocked opens sockets for queued requests now that there is room:
// first for o, then for other origins (Node's removeSocket).
func (a *Agent) serveQueuesLocked(o *origin) []dialJob {
	if a.queued == 0 || a.destroyed {
		return nil
	}
	var jobs []dialJob
	for o.queue.len() > 0 && a.roomLocked(o) {
		jobs = append(jobs, dialJob{a.newConnLocked(o), o.queue.pop()})
		a.queued--
	}
	for _, other := range a.origins {
		for other.queue.len() > 0 && a.roomLocked(other) {
			jobs = append(jobs, dialJob{a.newConnLocked(other), other.queue.pop()})
			a.queued--
		}
	}
	return jobs
}

type dialJob struct {
	ac *agentConn
	p  *pending
}

// dialAll dials for queued requests, except those whose caller has given
// up meanwhile: they end at once, and their room goes to the next in line.
func (a *Agent) dialAll(jobs []dialJob) {
	for len(jobs) > 0 {
		j := jobs[0]
		jobs = jobs[1:]
		if err := j.p.gaveUp(); err != nil {
			a.mu.Lock()
			a.dropLocked(j.ac)
			jobs = append(jobs, a.serveQueuesLocked(j.ac.o)...)
			a.mu.Unlock()
			j.p.finish(nil, err)
			continue
		}
		a.dialFor(j.ac, j.p)
	}
}

// errGaveUp ends a DoContext request abandoned before it was sent; its
// caller has gone and never sees it.
var errGaveUp = errors.New("agentpool: request abandoned")

// gaveUp returns why p's caller no longer wants it sent, or nil: a
// DoContext caller that left, or a Canceler that says so.
func (p *pending) gaveUp() error {
	if p.h == engine.ResponseHandler(p) {
		if p.stage.Load() == stageAbandoned {
			return errGaveUp
		}
		return nil
	}
	if c, ok := p.h.(Canceler); ok {
		return c.RequestCancelled()
	}
	return nil
}

// onConnClose is every agent connection's DialOptions.OnClose: it runs on the
// event loop before the connection's queued requests fail, so a closed free
// socket leaves the free list before any request can take it.
func (a *Agent) onConnClose(cc *engine.ClientConn, _ error) {
	ac, ok := cc.Context().(*agentConn)
	if !ok {
		return
	}
	a.mu.Lock()
	a.dropLocked(ac)
	next := a.serveQueuesLocked(ac.o)
	a.mu.Unlock()
	a.dialAll(next)
}

// redo retries p on a new connection once if it may be retried, else fails it.
func (a *Agent) redo(p *pending, cc *engine.ClientConn, err error) {
	if !p.retried && !a.opts.NoRetry && p.req.Idempotent() && !p.stop.Load() {
		p.retried, p.fresh = true, true
		a.route(p)
		return
	}
	p.finish(cc, errors.Join(ErrReusedConnFailed, err))
}

// responseDone runs on the connection's event loop when a request through
// the agent completes or fails (Node's 'free' and socket 'close' handling).
func (a *Agent) responseDone(ac *agentConn, p *pending, cc *engine.ClientConn, resp *engine.ClientResponse, err error) {
	if err != nil {
		var ce *engine.ClientConnError
		if errors.As(err, &ce) && ce.NoResponse && ce.Reused {
			a.redo(p, cc, err)
			return
		}
		p.finish(cc, err)
		return
	}
	keep := a.opts.KeepAlive && resp.KeepAlive() && !p.req.ConnectionClose() && resp.Tunnel() == nil
	if keep {
		var u SocketUser
		if p.h != engine.ResponseHandler(p) {
			u, _ = p.h.(SocketUser)
		}
		if node := a.opts.NodeKeepAliveHint; node || u != nil {
			a.mu.Lock()
			if node {
				ac.hint = nodeKeepAliveHint(resp)
			}
			ac.held = u != nil // before the handler can Release it
			a.mu.Unlock()
		}
		if u != nil {
			if u.HoldSocket(cc) {
				p.finish(cc, nil)
				return
			}
			a.mu.Lock()
			ac.held = false
			a.mu.Unlock()
		}
	}
	next := a.connIdle(ac, cc, keep)
	p.finish(cc, nil)
	if next != nil {
		a.dispatch(ac, next)
	}
}

// connToQueue gives a connection to its origin's next queued request
// (returned), or closes it.
func (a *Agent) connToQueue(ac *agentConn, cc *engine.ClientConn) (next *pending) {
	a.mu.Lock()
	if q := &ac.o.queue; ac.state == connBusy && !a.destroyed && q.len() > 0 && !q.front().fresh {
		next = q.pop()
		a.queued--
	}
	a.mu.Unlock()
	if next == nil {
		cc.Close()
	}
	return next
}

// connIdle decides what a connection does after a request: carry the next
// queued request (returned), join the free list, or close.
func (a *Agent) connIdle(ac *agentConn, cc *engine.ClientConn, keep bool) (next *pending) {
	a.mu.Lock()
	switch {
	case ac.state != connBusy || !keep || a.destroyed:
		// The connection closes (or closed): OnClose uncounts it.
		keep = false
	case ac.o.queue.len() > 0 && ac.o.queue.front().fresh:
		// A retried request waits for a new connection: close this one to
		// make room; OnClose dials for the queue.
		keep = false
	case ac.o.queue.len() > 0:
		next = ac.o.queue.pop()
		a.queued--
	case len(ac.o.free) >= a.opts.MaxFreeSockets || (a.queued > 0 && a.opts.MaxTotalSockets > 0):
		// No room to keep it, or other origins wait for a socket slot.
		keep = false
	default:
		timeout, ok := a.freeTimeout(ac, cc)
		if !ok {
			keep = false
			break
		}
		ac.state = connFree
		ac.o.removeBusy(ac)
		ac.o.free = append(ac.o.free, ac)
		cc.SetIdleTimeout(timeout)
	}
	a.mu.Unlock()
	if !keep {
		cc.Close()
	}
	return next
}

// freeTimeout returns how long a free socket may idle (Node's
// keepSocketAlive): the agent's timeout, shortened to a second before the
// server's Keep-Alive hint; a hint of one second or less forbids reuse.
// Under NodeKeepAliveHint the hint is Node's reading of the last response
// (ac.hint), which does not give a timeout to an agent without one.
func (a *Agent) freeTimeout(ac *agentConn, cc *engine.ClientConn) (time.Duration, bool) {
	t := a.opts.Timeout
	hint, ok := cc.KeepAliveHint()
	if a.opts.NodeKeepAliveHint {
		hint, ok = ac.hint, ac.hint >= 0
	}
	if ok {
		h := hint - time.Second
		if h <= 0 {
			return 0, false
		}
		if t == 0 && !a.opts.NodeKeepAliveHint || h < t {
			t = h
		}
	}
	return t, true
}

// nodeKeepAliveHint returns the timeout of resp's Keep-Alive field as
// Node's keepSocketAlive reads it (/^timeout=(\d+)/), or -1: a field that
// does not start with "timeout=" and digits gives none.
func nodeKeepAliveHint(resp *engine.ClientResponse) time.Duration {
	const prefix = "timeout="
	v, ok := resp.Header().GetID(headers.KeepAlive)
	if !ok || len(v) <= len(prefix) || string(v[:len(prefix)]) != prefix {
		return -1
	}
	n, j := int64(0), len(prefix)
	for ; j < len(v) && v[j] >= '0' && v[j] <= '9' && n < 1<<31; j++ {
		n = n*10 + int64(v[j]-'0')
	}
	if j == len(prefix) {
		return -1
	}
	return time.Duration(n) * time.Second
}

// GetName returns the origin name of req (Node's agent.getName).
func (a *Agent) GetName(req *engine.ClientRequest) string { return GetName(req) }

// String describes the agent's counts, for debugging.
func (a *Agent) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return "agentpool.Agent{sockets: " + strconv.Itoa(a.total) + ", queued: " + strconv.Itoa(a.queued) + "}"
}

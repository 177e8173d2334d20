package compat

import (
	"sync"
	"time"

	"github.com/zerohttp/zerohttp/agentpool"
	"github.com/zerohttp/zerohttp/engine"
)

// AgentOptions are the options of Node's new http.Agent(options), with
// Node's defaults for zero values.
type AgentOptions struct {
	// KeepAlive keeps sockets open after their response for reuse (Node's keepAlive).
	KeepAlive bool
	// KeepAliveMsecs is the TCP keep-alive initial delay with KeepAlive (0: 1000 ms).
	KeepAliveMsecs int
	// MaxSockets bounds the sockets per origin (0: Infinity).
	MaxSockets int
	// MaxTotalSockets bounds the sockets over all origins (0: Infinity).
	MaxTotalSockets int
	// MaxFreeSockets bounds the free sockets per origin (0: 256).
	MaxFreeSockets int
	// Scheduling is "lifo" (the default) or "fifo": which free socket is reused.
	Scheduling string
	// Timeout closes a free socket idle this long (0: none).
	Timeout time.Duration
}

// Agent is Node's http.Agent: it pools connections per origin
// (host:port:localAddress). Its methods are safe from any goroutine.
type Agent struct {
	a *agentpool.Agent

	mu     sync.Mutex
	onFree []func(SocketInfo) // guarded by mu

	// sentHook, when set (by tests, before any request), runs on the
	// writing goroutine after each request's RequestSent.
	sentHook func(*ClientRequest)
}

// NewAgent is Node's new http.Agent(options); opts may be nil.
func NewAgent(opts *AgentOptions) (*Agent, error) {
	var o agentpool.Options
	if opts != nil {
		o = agentpool.Options{
			KeepAlive:       opts.KeepAlive,
			KeepAliveMsecs:  opts.KeepAliveMsecs,
			MaxSockets:      opts.MaxSockets,
			MaxTotalSockets: opts.MaxTotalSockets,
			MaxFreeSockets:  opts.MaxFreeSockets,
			Timeout:         opts.Timeout,
		}
		if opts.Scheduling == "fifo" {
			o.Scheduling = agentpool.FIFO
		}
	}
	o.Client = sharedClient()
	o.NodeKeepAliveHint = true
	o.NoRetry = true // Node leaves a retry on a new socket to the caller
	a, err := agentpool.NewAgent(&o)
	if err != nil {
		return nil, err
	}
	return &Agent{a: a}, nil
}

var (
	clientOnce sync.Once
	client     *engine.Client
	clientErr  error

	globalOnce  sync.Once
	globalAgent *Agent
	noAgentOnce sync.Once
	noAgent     *Agent
)

// sharedClient returns the engine client every compat agent runs its
// connections on, started on first use and never stopped.
func sharedClient() *engine.Client {
	clientOnce.Do(func() { client, clientErr = engine.NewClient(nil) })
	if clientErr != nil {
		panic("compat: starting the engine client: " + clientErr.Error())
	}
	return client
}

// GlobalAgent returns Node's http.globalAgent: the agent requests use by
// default. As in Node v20, it keeps sockets alive, reuses the last freed
// first (lifo) and closes a socket idle for 5 s.
func GlobalAgent() *Agent {
	globalOnce.Do(func() {
		var err error
		globalAgent, err = NewAgent(&AgentOptions{KeepAlive: true, Timeout: 5 * time.Second})
		if err != nil {
			panic("compat: " + err.Error())
		}
	})
	return globalAgent
}

// oneShotAgent serves requests made with RequestOptions.NoAgent (Node's
// agent: false): every request gets a connection of its own, closed after
// its response.
func oneShotAgent() *Agent {
	noAgentOnce.Do(func() {
		var err error
		noAgent, err = NewAgent(nil)
		if err != nil {
			panic("compat: " + err.Error())
		}
	})
	return noAgent
}

// OnFree registers a 'free' listener: a kept-alive socket's request has
// emitted 'close' and the agent has taken the socket back, for its next
// queued request or its free sockets (or closed it, past maxFreeSockets
// or the server's Keep-Alive hint), as Node's agent has by the time its
// listeners run.
func (a *Agent) OnFree(fn func(SocketInfo)) {
	a.mu.Lock()
	a.onFree = append(a.onFree, fn)
	a.mu.Unlock()
}

// free gives cc back to the pool and emits 'free'.
func (a *Agent) free(cc *engine.ClientConn) {
	a.a.Release(cc)
	a.mu.Lock()
	fns := a.onFree
	a.mu.Unlock()
	if len(fns) > 0 {
		emit(fns, connSocketInfo(cc))
	}
}

// Destroy closes the agent's sockets (Node's agent.destroy()); requests
// through it fail afterwards.
func (a *Agent) Destroy() { a.a.Destroy() }

// GetName returns the origin name the agent pools a request with opts
// under (Node's agent.getName(options)): "host:port:localAddress", then
// ":4" or ":6" for a family, then ":socketPath" for a unix socket.
func (a *Agent) GetName(opts *RequestOptions) string {
	req := engine.AcquireClientRequest()
	defer engine.ReleaseClientRequest(req)
	host := opts.Hostname
	if host == "" {
		host = opts.Host
	}
	req.SetHost(host)
	req.SetPort(opts.Port)
	req.SocketPath, req.LocalAddress, req.Family = opts.SocketPath, opts.LocalAddress, opts.Family
	return agentpool.GetName(req)
}

// Sockets returns the number of sockets in use per origin name (Node's agent.sockets, counted).
func (a *Agent) Sockets() map[string]int { return a.a.Sockets() }

// FreeSockets returns the number of free sockets per origin name (Node's agent.freeSockets, counted).
func (a *Agent) FreeSockets() map[string]int { return a.a.FreeSockets() }

// Requests returns the number of queued requests per origin name (Node's agent.requests, counted).
func (a *Agent) Requests() map[string]int { return a.a.Requests() }

// timeout is the agent's Timeout, which Node sets on its sockets.
func (a *Agent) timeout() time.Duration { return a.a.Options().Timeout }

// KeepAlive reports whether the agent keeps sockets alive.
func (a *Agent) KeepAlive() bool { return a.a.Options().KeepAlive }

// Options returns the agent's options with Node's defaults filled in, as
// Node's agent.keepAlive, keepAliveMsecs, maxSockets, maxFreeSockets,
// maxTotalSockets, scheduling and options.timeout give them; 0 stands for
// Node's Infinity in MaxSockets and MaxTotalSockets.
func (a *Agent) Options() AgentOptions {
	o := a.a.Options()
	ao := AgentOptions{
		KeepAlive:       o.KeepAlive,
		KeepAliveMsecs:  o.KeepAliveMsecs,
		MaxSockets:      o.MaxSockets,
		MaxTotalSockets: o.MaxTotalSockets,
		MaxFreeSockets:  o.MaxFreeSockets,
		Scheduling:      "lifo",
		Timeout:         o.Timeout,
	}
	if ao.KeepAliveMsecs <= 0 {
		ao.KeepAliveMsecs = 1000
	}
	if ao.MaxFreeSockets <= 0 {
		ao.MaxFreeSockets = 256
	}
	if o.Scheduling == agentpool.FIFO {
		ao.Scheduling = "fifo"
	}
	return ao
}

// Package agentpool is Node's http.Agent over engine client connections: it
// keeps per-origin pools of keep-alive connections, bounds them with Node's
// options (keepAlive, keepAliveMsecs, maxSockets, maxTotalSockets,
// maxFreeSockets, scheduling, timeout), and queues requests that arrive while
// an origin or the whole agent is at its limit, serving them in arrival order.
//
// # Origins
//
// A request's origin is its name as Node's agent.getName computes it:
// "host:port:localAddress", then ":family" for family 4 or 6, then
// ":socketPath" for unix sockets. Each name has its own sockets, free sockets
// and queue; Sockets, FreeSockets and Requests return snapshots of their counts.
//
// # Safe reuse
//
// A free connection is watched by its event loop while it sits idle: when the
// server closes it, it leaves the free list before any request can take it.
// It is also closed by the agent a second before the timeout the server
// announced with "Keep-Alive: timeout=N" (as Node does), and after Options.Timeout
// of idleness. Closing races remain (the server may close just as a request is
// written), so a request that fails on a reused connection before any byte of
// its response arrived is retried once on a new connection if its method is
// idempotent; otherwise it fails with ErrReusedConnFailed.
//
// # Go callers
//
// NewAgent keeps Node's defaults (no keep-alive) for compat; Go code wants
// NewKeepAliveAgent, or Default, the package's shared keep-alive agent.
// DoContext bounds a request by a context over the wait for a socket, the
// dial and the exchange; Get(ctx, dst, "http://host:port/path") is a
// one-line GET. A Request handler that is a Canceler can drop its request
// before it is sent; one that is a SocketUser learns whether its connection
// was reused and may hold it after the response until it calls Release. nethttp.Transport puts an http.Client on an agent.
//
// # What it does not do
//
// It does not follow redirects, speak TLS or HTTP/2, or build requests: it
// routes engine.ClientRequest values to engine.ClientConn connections. Views
// in a response live as engine.ClientResponse documents.
//
// # Concurrency
//
// An Agent is safe for concurrent use. Response handlers passed to Request
// run on an event loop and must not block; Do and DoContext block their
// caller, and return engine.ErrOnEventLoop on an event loop.
package agentpool

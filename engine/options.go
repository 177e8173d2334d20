package engine

import (
	"net"
	"time"

	"github.com/zerohttp/zerohttp/parse"
)

// Default limits and timeouts. The timeouts match Node's http.Server.
const (
	DefaultHeadersTimeout   = 60 * time.Second
	DefaultRequestTimeout   = 300 * time.Second
	DefaultKeepAliveTimeout = 5 * time.Second
	DefaultTickInterval     = time.Second
	DefaultMaxBodyBytes     = 64 << 20
	// DefaultMaxBufferedBody is the largest request body read whole before
	// the handler runs (fasthttp's default request body limit too).
	DefaultMaxBufferedBody = 4 << 20
	// DefaultStreamedBodyBuffer replaces it with Options.StreamBodies: the
	// body bytes buffered before a body streams, and held for a worker.
	DefaultStreamedBodyBuffer = 64 << 10
	DefaultMaxUnsentOutput    = 256 << 10
	// DefaultMaxBufferedInput is the default server-wide bound on buffered
	// request bodies (Options.MaxBufferedInput), raised to 16 times
	// MaxBufferedBody when that is more.
	DefaultMaxBufferedInput = 64 << 20
)

// Options configures a Server. The zero Options means the defaults listed on
// each field. A negative timeout disables that timeout.
type Options struct {
	// NumLoops is the number of event loops; 0 means one per CPU (GOMAXPROCS).
	NumLoops int
	// ReusePort opens one listening socket per event loop with SO_REUSEPORT,
	// each with its own acceptor, so that the kernel spreads new connections
	// over parallel accepts. Where SO_REUSEPORT is missing, Start logs that
	// and uses one socket.
	ReusePort bool

	// Parse bounds request heads: head bytes and field count (431), target
	// length (414), and strictness.
	Parse parse.Config
	// MaxBodyBytes bounds a request body (413); 0 means DefaultMaxBodyBytes,
	// a negative value means no limit.
	MaxBodyBytes int64
	// MaxBufferedBody is the largest request body the engine reads whole
	// before it calls the handler, which then gets all of it from
	// Request.Body and Request.BodyReader, inline or on a worker; 0 means
	// DefaultMaxBufferedBody (4 MiB). A larger body is refused with 413
	// and Connection: close before the handler runs, never handed over
	// cut short. With StreamBodies, a larger body is streamed instead,
	// this also bounds the bytes waiting for a worker's BodyReader, and 0
	// means DefaultStreamedBodyBuffer (64 KiB).
	MaxBufferedBody int
	// MaxBufferedInput bounds the request bytes that all connections
	// together hold: bodies gathered from several reads before the handler
	// runs, bodies copied for a request that outlives its read
	// (Response.Detach, Workers), and heads not yet complete (kept unread
	// until they are). A request whose head or body would take the total
	// past it gets 503 and Connection: close (counted in
	// Server.InputRefusals, logged at most once per 10 s), so that a flood
	// of connections each sending part of a large body cannot grow the
	// heap without bound; Server.BufferedInput reads the total. Each
	// connection may hold 4 KiB of each uncounted. 0 means DefaultMaxBufferedInput
	// (64 MiB), or 16 times MaxBufferedBody if that is more; a negative
	// value means no bound. A body that arrives whole in one read, and a
	// streamed body, are not counted. See inputbudget.go.
	MaxBufferedInput int64
	// StreamBodies opts in to streaming request bodies larger than
	// MaxBufferedBody, up to MaxBodyBytes: the handler runs once the head
	// has arrived and reads the body as it comes, with
	// Request.SetBodyHandler on the event loop or Request.BodyReader on a
	// worker (Workers). For such a body Request.Body returns nil and, on
	// the event loop, BodyReader's Read fails with ErrBodyStreamed.
	StreamBodies bool
	// MaxUnsentOutput bounds the response bytes a connection holds that its
	// socket has not taken (default 256 KiB). Past it, the connection
	// serves no further request and its socket is not read (its requests
	// wait in the kernel), Response.Full reports true, and a worker's
	// writes wait; all resume when the unsent bytes fall to half of it.
	// So a peer that sends requests and never reads costs at most about
	// this much, plus one response and one read (64 KiB) of requests. A
	// single response larger than the bound is held whole while it drains,
	// once: a handler that streams it in pieces, waiting for
	// DrainHandler.OnDrain when Full, holds no more than the bound.
	MaxUnsentOutput int
	// ErrorReply, if set, appends to dst the reply the engine sends for a
	// request it refuses by itself (status 400, 408, 413, 414, 431, 501 or
	// 505, 503 for a body over MaxBufferedInput, or 500 for a handler that
	// panicked); err is a *RefusedRequest
	// (which errors.Is matches with its parse.Code) for a head or body the
	// parser refused, a *TimedOut (errors.Is ErrRequestTimeout) for a 408, nil otherwise. The connection closes
	// after the reply. The default reply is the status line, Date,
	// "Content-Length: 0" and "Connection: close". It runs on the
	// connection's event loop.
	ErrorReply func(dst []byte, status int, err error) []byte
	// ErrorTunnel, if set, is used instead of ErrorReply: it appends the
	// reply to dst as ErrorReply does and may, when t is not nil (a
	// refused head or a timeout waiting for one, no request in
	// progress), return a handler to keep the connection open as t
	// rather than close it after the reply (Node's 'clientError' socket,
	// open until its listener ends it): the reply goes out first, the
	// bytes the peer sent after the refused ones and later go to h, and
	// t's Write, WriteAsync and Close answer and end it. No timeout
	// applies to t: the caller bounds how long it stays open.
	ErrorTunnel func(dst []byte, status int, err error, t *Tunnel) ([]byte, TunnelHandler)
	// OnOpen, if set, is called with a connection's addresses when it is
	// accepted, before any of its bytes is read (Node's 'connection'). It
	// runs on the connection's event loop and must not block.
	OnOpen func(remote, local net.Addr)
	// OnOpenConn, if set, is called after OnOpen with a handle on the
	// connection (Node's 'connection' socket); the function it returns,
	// if not nil, is called on the loop once the connection has closed
	// (after the CloseHandler of a request in progress).
	OnOpenConn func(h ConnHandle) (onClose func())
	// OnIdleTimeout, if set, is called on the connection's loop when a
	// connection has been idle for IdleTimeout, or between requests for
	// KeepAliveTimeout (Node's 'timeout', which its socket timeout gives for
	// both): it returns true to keep the connection (the clock that ran
	// out then waits for its next read, or its next request's end), false
	// to close it as without the hook. The other timeouts still apply.
	// value is the connection's Request.SetConnValue value.
	OnIdleTimeout func(remote, local net.Addr, value any) (keep bool)
	// MaxConns bounds the open connections: with that many open, the
	// server stops accepting, so that further connections wait in the
	// kernel's listen backlog, and accepts again as connections close
	// (counted in Server.ConnLimitWaits, logged at most once per 10 s).
	// 0 means the default: the process's RLIMIT_NOFILE soft limit at
	// Start less an eighth of it (at least 32) for its other descriptors,
	// so that a flood of connections never exhausts them. A negative
	// value means no bound. Lower it when each connection needs more
	// descriptors (a proxy dialing upstream) or when memory is the bound:
	// an idle connection costs a few KiB, one with unread responses up to
	// about MaxUnsentOutput more.
	MaxConns int

	// HeadersTimeout bounds the time from a request's first byte to the end
	// of its head (default 60 s); it cuts off slowloris clients.
	HeadersTimeout time.Duration
	// RequestTimeout bounds the time from a request's first byte to the end
	// of its response (default 300 s).
	RequestTimeout time.Duration
	// RequestTimeoutUntilRead ends RequestTimeout once the request has
	// arrived in full, as Node's requestTimeout (the time to receive the
	// entire request): a slow response is not cut off then.
	RequestTimeoutUntilRead bool
	// KeepAliveTimeout bounds the wait for the next request on a keep-alive
	// connection (default 5 s).
	KeepAliveTimeout time.Duration
	// IdleTimeout closes a connection that sends and receives nothing for this
	// long, whatever its state, with no reply (no 408: a socket timeout); 0
	// means no such timeout.
	IdleTimeout time.Duration
	// KeepAliveReplacesIdle makes KeepAliveTimeout, when on, the only
	// timeout between requests, as Node's socket timeout: IdleTimeout then
	// applies while a request is read or answered, and on a new connection.
	KeepAliveReplacesIdle bool
	// ReplySilentTimeout sends the 408 (or ErrorReply's reply) also to a
	// new connection that sent no byte within HeadersTimeout, as Node does;
	// by default such a connection is closed with no bytes.
	ReplySilentTimeout bool
	// TickInterval is the resolution of the timeouts: each event loop's timing
	// wheel advances once per tick (default 1 s). The ticker also fires at
	// every whole second, to refresh the Date line. Each tick wakes a
	// goroutine that competes with the event loops for the CPU: with one P,
	// 100 ms ticks cost ~5% of keep-alive throughput per CPU-second and
	// raised p99 latency (serverbench A/B, medians of 6 alternating runs).
	TickInterval time.Duration
	// StallThreshold is how long an event loop may stay in one callback
	// (an inline handler that blocks, say) before it is logged, with the
	// loop's stack, and counted in Server.LoopStalls (default 1 s; a
	// negative value turns the watchdog off). A stall is reported between
	// one and two thresholds after it began. It costs the loops nothing
	// per request: see stall.go.
	StallThreshold time.Duration
	// ReclaimInterval is the shortest time between two garbage collections
	// the engine forces, with debug.FreeOSMemory, to give a burst's memory
	// back to the OS (default 10 s; a negative value turns it off). One is
	// forced once the server is quiet after its connections dropped at
	// least 4 MiB of large buffers (a burst of large or unread responses),
	// or after the process allocated 64 MiB (a burst of requests to a
	// handler that allocates, as compat's do):
	// with no allocation going on, no collection would run for up to two
	// minutes and the process would keep its peak RSS. It is process-wide,
	// and never forced while large buffers are still being dropped. See
	// reclaim.go.
	ReclaimInterval time.Duration

	// Workers, when > 0, runs handlers on a pool of that many goroutines
	// instead of inline on the event loop, for handlers that block.
	Workers int
	// WorkerQueue bounds requests waiting for a worker (default 4*Workers);
	// when it is full, connections stop being read until a worker frees up.
	WorkerQueue int

	// ServerName, when set, is sent in a Server header on every response.
	ServerName string
	// CheckContinue makes the handler decide on "Expect: 100-continue": the
	// handler runs as soon as the head arrives, with the body unread, and calls
	// Response.WriteContinue to get it (or answers without reading it).
	// Such a body is streamed, as with StreamBodies. Otherwise the engine
	// sends 100 Continue itself when it needs the body.
	CheckContinue bool
	// TCPKeepAlive sets the TCP keep-alive period on accepted connections; 0 leaves it off.
	TCPKeepAlive time.Duration
}

// withDefaults returns o with zero fields replaced by the defaults.
func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.HeadersTimeout, DefaultHeadersTimeout)
	def(&o.RequestTimeout, DefaultRequestTimeout)
	def(&o.KeepAliveTimeout, DefaultKeepAliveTimeout)
	def(&o.TickInterval, DefaultTickInterval)
	def(&o.StallThreshold, DefaultStallThreshold)
	def(&o.ReclaimInterval, DefaultReclaimInterval)
	if o.StallThreshold > 0 && o.StallThreshold < 10*time.Millisecond {
		o.StallThreshold = 10 * time.Millisecond
	}
	if o.TickInterval < time.Millisecond {
		o.TickInterval = time.Millisecond
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxBufferedBody <= 0 {
		o.MaxBufferedBody = DefaultMaxBufferedBody
		if o.StreamBodies {
			o.MaxBufferedBody = DefaultStreamedBodyBuffer
		}
	}
	if o.MaxUnsentOutput <= 0 {
		o.MaxUnsentOutput = DefaultMaxUnsentOutput
	}
	if o.Workers > 0 && o.WorkerQueue <= 0 {
		o.WorkerQueue = 4 * o.Workers
	}
	return o
}

// ms converts a timeout to wheel milliseconds; never (a negative timeout) stays never.
func ms(d time.Duration) int64 {
	if d < 0 {
		return never
	}
	return int64(d / time.Millisecond)
}

// timeouts returns o's timeouts in wheel milliseconds.
func (o *Options) timeouts() *timeouts {
	t := &timeouts{ms(o.HeadersTimeout), ms(o.RequestTimeout), ms(o.KeepAliveTimeout), never}
	if o.IdleTimeout > 0 {
		t.idle = ms(o.IdleTimeout)
	}
	return t
}

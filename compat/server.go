package compat

import (
	"context"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// ServerOptions are the options of Node's http.createServer that the
// engine supports, plus the engine's own. The zero value means Node's defaults.
type ServerOptions struct {
	// InsecureHTTPParser accepts requests that the strict parser rejects.
	InsecureHTTPParser bool
	// MaxHeaderSize bounds a request head in bytes (0: MaxHeaderSize, 16384).
	MaxHeaderSize int
	// JoinDuplicateHeaders joins repeated single-valued fields with ", " in
	// IncomingMessage.Headers instead of keeping the first.
	JoinDuplicateHeaders bool
	// HostOptional serves an HTTP/1.1 request without Host, where by
	// default it gets Node's 400 (Node's requireHostHeader: false).
	HostOptional bool
	// KeepAliveInitialDelay, when > 0, turns on TCP keep-alive on accepted
	// sockets with this period (Node's keepAlive and keepAliveInitialDelay).
	KeepAliveInitialDelay time.Duration

	// NumLoops is the number of engine event loops (0: one per CPU).
	NumLoops int
	// TimerResolution is how often the timeouts are checked (0: every
	// second, or every 100 ms once a timeout has a part under a second).
	// A timeout fires up to this much late.
	TimerResolution time.Duration
}

// Server is Node's http.Server. Its methods are safe from any goroutine.
// Its listeners run on the event loop of the connection concerned, or on
// the goroutine of the call that caused the event (Listen, Close).
//
// The exported fields are Node's server properties; they are read by
// Listen, so set them before. After Listen, change the timeouts and
// MaxRequestsPerSocket with SetHeadersTimeout, SetRequestTimeout,
// SetKeepAliveTimeout, SetTimeout and SetMaxRequestsPerSocket, which
// apply them as Node applies a property set then (server_timeouts.go).
type Server struct {
	// HeadersTimeout bounds the time to receive a request's head (default
	// 60 s; 0 disables it).
	HeadersTimeout time.Duration
	// RequestTimeout bounds the time to receive a request in full, from
	// its first byte (default 300 s; 0 disables it): a 408 then, as Node.
	RequestTimeout time.Duration
	// KeepAliveTimeout is the wait for another request on a kept-alive
	// connection that responses announce ("Keep-Alive: timeout=N", N its
	// whole seconds; default 5 s; 0 disables it). As Node 20, the server
	// waits one second more before it ends an idle connection, and emits
	// 'timeout' instead when there are 'timeout' listeners.
	KeepAliveTimeout time.Duration
	// Timeout is how long a connection may be idle (default 0: no limit):
	// then 'timeout' is emitted and the connection kept, or, with no
	// 'timeout' listener, closed, as in Node. Between requests the
	// keep-alive timeout replaces it, as Node's socket timeout.
	Timeout time.Duration
	// MaxHeadersCount is how many of a request's fields Headers and
	// HeadersDistinct hold (default 2000; 0 or less: all), as Node's: the
	// fields beyond it are left out of them and still frame the body;
	// RawHeaders goes on to a multiple of 31 fields, where Node's parser
	// stopped taking its batches of 31. MaxHeaderSize bounds the head.
	MaxHeadersCount int
	// MaxRequestsPerSocket bounds the requests served on one connection
	// (default 0: no bound). Responses then say "Keep-Alive: timeout=N,
	// max=M" and the M-th says Connection: close, as Node's.
	MaxRequestsPerSocket int

	opts ServerOptions
	// keepAliveSecs is KeepAliveTimeout in whole seconds, for the
	// Keep-Alive field; -1 when it is 0 (no field). Set by Listen and the
	// setters, read per request.
	keepAliveSecs atomic.Int32
	maxRequests   atomic.Int64 // MaxRequestsPerSocket, as keepAliveSecs
	// maxHeadersCount is MaxHeadersCount as Listen read it.
	maxHeadersCount int

	mu              sync.Mutex
	eng             *engine.Server
	listening       bool
	closing         bool
	keptErrors      map[*rawReply]struct{} // 'clientError' sockets left open
	onRequest       []func(*IncomingMessage, *ServerResponse)
	onCheckContinue []func(*IncomingMessage, *ServerResponse)
	onUpgrade       []func(*IncomingMessage, *Socket)
	onConnect       []func(*IncomingMessage, *Socket)
	onConnection    []func(*Socket)
	onClientError   []func(*Error, *Socket)
	onCheckExpect   []func(*IncomingMessage, *ServerResponse)
	onDropRequest   []func(*IncomingMessage, SocketInfo)
	onTimeout       []func(SocketInfo)
	onListening     []func()
	onClose         []func()
	// onceClose are Close's callbacks, called once, after the 'close'
	// listeners of the next emission.
	onceClose []func()
	// moreCloses counts Close calls made while a close was in progress:
	// each emits 'close' again once it is done, as in Node.
	moreCloses int
	closeDone  bool // the close in progress has emitted 'close'
	onError    []func(error)
	closed     chan struct{} // closed once 'close' has been emitted

	hooks atomic.Pointer[requestHooks] // published by publishLocked; set before Listen starts the engine
}

// requestHooks is a snapshot of the listeners handle reads for every
// request, published on each registration so that requests take no lock.
// Its slices share arrays with later appends, which write past their ends.
type requestHooks struct {
	onRequest, onCheckContinue []func(*IncomingMessage, *ServerResponse)
	onUpgrade, onConnect       []func(*IncomingMessage, *Socket)
	onConnection               []func(*Socket)
	onClientError              []func(*Error, *Socket)
	onCheckExpect              []func(*IncomingMessage, *ServerResponse)
	onDropRequest              []func(*IncomingMessage, SocketInfo)
	onTimeout                  []func(SocketInfo)
}

// publishLocked publishes the request listeners for handle.
func (s *Server) publishLocked() {
	s.hooks.Store(&requestHooks{s.onRequest, s.onCheckContinue, s.onUpgrade, s.onConnect, s.onConnection, s.onClientError, s.onCheckExpect, s.onDropRequest, s.onTimeout})
}

// CreateServer is Node's http.createServer: it returns a server that calls
// requestListener (if not nil) for every request. opts may be nil.
func CreateServer(opts *ServerOptions, requestListener func(req *IncomingMessage, res *ServerResponse)) *Server {
	s := &Server{
		HeadersTimeout:   engine.DefaultHeadersTimeout,
		RequestTimeout:   engine.DefaultRequestTimeout,
		KeepAliveTimeout: engine.DefaultKeepAliveTimeout,
		MaxHeadersCount:  2000,
		closed:           make(chan struct{}),
	}
	if opts != nil {
		s.opts = *opts
	}
	if requestListener != nil {
		s.onRequest = append(s.onRequest, requestListener)
	}
	s.publishLocked()
	return s
}

// OnRequest registers a 'request' listener.
func (s *Server) OnRequest(fn func(req *IncomingMessage, res *ServerResponse)) {
	s.mu.Lock()
	s.onRequest = append(s.onRequest, fn)
	s.publishLocked()
	s.mu.Unlock()
}

// OnCheckContinue registers a 'checkContinue' listener: requests with
// "Expect: 100-continue" go to it instead of to 'request', before their
// body is sent; it calls res.WriteContinue to get the body, or answers
// without it. Register it before Listen.
func (s *Server) OnCheckContinue(fn func(req *IncomingMessage, res *ServerResponse)) {
	s.mu.Lock()
	s.onCheckContinue = append(s.onCheckContinue, fn)
	s.publishLocked()
	s.mu.Unlock()
}

// OnUpgrade registers an 'upgrade' listener: requests with an Upgrade
// field go to it instead of to 'request' (when it has listeners). Node
// passes the bytes read after the head as a third argument; here they
// arrive as the socket's first 'data'.
func (s *Server) OnUpgrade(fn func(req *IncomingMessage, socket *Socket)) {
	s.mu.Lock()
	s.onUpgrade = append(s.onUpgrade, fn)
	s.publishLocked()
	s.mu.Unlock()
}

// OnConnect registers a 'connect' listener for CONNECT requests; see OnUpgrade.
func (s *Server) OnConnect(fn func(req *IncomingMessage, socket *Socket)) {
	s.mu.Lock()
	s.onConnect = append(s.onConnect, fn)
	s.publishLocked()
	s.mu.Unlock()
}

// OnConnection registers a 'connection' listener: a connection was
// accepted, before any request on it. It gets the connection's socket
// (its addresses in Info, Destroy, End, OnClose; see Socket) and runs on
// the connection's event loop.
func (s *Server) OnConnection(fn func(socket *Socket)) {
	s.mu.Lock()
	s.onConnection = append(s.onConnection, fn)
	s.publishLocked()
	s.mu.Unlock()
}

// connectionOpened is the engine's OnOpenConn: it makes the connection's
// state, whose socket is every request's Socket, emits 'connection' with
// it, and the socket's 'close' once the connection has closed.
func (s *Server) connectionOpened(h engine.ConnHandle) func() {
	cs := newConnState(h.RemoteAddr(), h.LocalAddr())
	cs.h = h
	cs.st.conn = &cs.h
	cs.st.tm.srv = s
	h.SetValue(cs)
	emit(s.hooks.Load().onConnection, &cs.sock)
	return cs.sock.connClosed
}

// OnListening registers a 'listening' listener.
func (s *Server) OnListening(fn func()) {
	s.mu.Lock()
	s.onListening = append(s.onListening, fn)
	s.mu.Unlock()
}

// OnClose registers a 'close' listener: the server has stopped and its
// connections are closed.
func (s *Server) OnClose(fn func()) {
	s.mu.Lock()
	s.onClose = append(s.onClose, fn)
	s.mu.Unlock()
}

// OnError registers an 'error' listener, which gets the errors of Listen.
func (s *Server) OnError(fn func(error)) {
	s.mu.Lock()
	s.onError = append(s.onError, fn)
	s.mu.Unlock()
}

// Listen is Node's server.listen(port, host, callback): it listens on
// host:port ("" listens on every address; port 0 picks a free port, see
// Address) and emits 'listening', calling callback (which may be nil)
// among its listeners. Unlike Node it returns once listening, after the
// listeners have run, and returns an error instead of emitting one only
// when there is no 'error' listener.
func (s *Server) Listen(port int, host string, callback func()) error {
	return s.ListenAddr(net.JoinHostPort(host, strconv.Itoa(port)), callback)
}

// ListenAddr is Listen on an address: "host:port", or "unix:///path" for
// a unix socket (Node's server.listen(path)).
func (s *Server) ListenAddr(addr string, callback func()) error {
	s.mu.Lock()
	if s.eng != nil {
		s.mu.Unlock()
		return s.fail(ErrServerAlreadyListen)
	}
	eo := &engine.Options{
		NumLoops:         s.opts.NumLoops,
		HeadersTimeout:   disable(s.HeadersTimeout),
		RequestTimeout:   disable(s.RequestTimeout),
		KeepAliveTimeout: engineKeepAlive(s.KeepAliveTimeout),
		IdleTimeout:      s.Timeout,
		TickInterval:     s.timerResolution(),
		// Node answers 408 to a connection silent for headersTimeout too,
		// and its socket timeout is the keep-alive one between requests.
		ReplySilentTimeout:    true,
		KeepAliveReplacesIdle: true,
		// Node's requestTimeout covers receiving the request only.
		RequestTimeoutUntilRead: true,
		TCPKeepAlive:            s.opts.KeepAliveInitialDelay,
		CheckContinue:           len(s.onCheckContinue) > 0,
		// Node emits 'request' once the head has arrived; the engine does
		// so for a body it streams, and every body of more than a byte is
		// streamed with these.
		StreamBodies:    true,
		MaxBufferedBody: 1,
		// Node bounds no body: a streamed one costs its reads only.
		MaxBodyBytes:  -1,
		ErrorTunnel:   s.errorTunnel,
		OnOpenConn:    s.connectionOpened,
		OnIdleTimeout: s.idleTimedOut,
		// Node's socket highWaterMark: WriteChunk's false, and the bound
		// beyond which the connection's next requests wait.
		MaxUnsentOutput: HighWaterMark,
		Parse: parse.Config{
			MaxHeadBytes: s.opts.MaxHeaderSize,
			Lenient:      s.opts.InsecureHTTPParser,
			HostOptional: s.opts.HostOptional,
		},
	}
	if eo.Parse.MaxHeadBytes <= 0 {
		eo.Parse.MaxHeadBytes = MaxHeaderSize
	}
	// Node counts no fields: the head's size bounds them (a field line
	// takes 3 bytes at least).
	eo.Parse.MaxHeaders = eo.Parse.MaxHeadBytes/3 + 1
	s.maxHeadersCount = s.MaxHeadersCount
	s.publishLimitsLocked()
	s.publishLocked() // for a Server not made by CreateServer
	eng := engine.NewServer(s.handle, eo)
	s.eng = eng
	if callback != nil {
		s.onListening = append(s.onListening, callback)
	}
	s.mu.Unlock()
	if !strings.Contains(addr, "://") {
		addr = "tcp://" + addr
	}
	if err := eng.Start(addr); err != nil {
		return s.fail(err)
	}
	s.mu.Lock()
	s.listening = true
	fns := s.onListening
	s.mu.Unlock()
	emit0(fns)
	return nil
}

// disable maps Node's 0 (no timeout) to the engine's negative.
func disable(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// fail emits err as 'error' if there are listeners, and returns it.
func (s *Server) fail(err error) error {
	s.mu.Lock()
	fns := s.onError
	s.mu.Unlock()
	emit(fns, err)
	return err
}

// Listening reports whether the server is listening.
func (s *Server) Listening() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listening
}

// Addr is Node's server.address() result for a TCP server.
type Addr struct {
	Address string // such as "127.0.0.1" or "::"
	Family  string // "IPv4" or "IPv6"
	Port    int
}

// Address returns the address the server listens on, as Node's
// server.address() does: for a unix socket, its path in Address (Node
// returns the path alone); the zero Addr when it does not listen.
func (s *Server) Address() Addr {
	s.mu.Lock()
	eng := s.eng
	s.mu.Unlock()
	if eng == nil {
		return Addr{}
	}
	if u, ok := eng.Addr().(*net.UnixAddr); ok {
		return Addr{Address: u.Name}
	}
	a, ok := eng.Addr().(*net.TCPAddr)
	if !ok {
		return Addr{}
	}
	if a.IP == nil || a.IP.IsUnspecified() {
		if a.IP.To4() != nil {
			return Addr{Address: "0.0.0.0", Family: "IPv4", Port: a.Port}
		}
		return Addr{Address: "::", Family: "IPv6", Port: a.Port}
	}
	return Addr{Address: a.IP.String(), Family: family(a.IP), Port: a.Port}
}

// Close is Node's server.close: it stops accepting connections, closes the
// idle ones, lets the others finish their current response, and then emits
// 'close' and calls callback (may be nil) with nil. On a server that is not
// listening (never, no more, or closing already) it emits 'close' too, and
// calls callback with ErrServerNotRunning after the listeners; during a
// close in progress, both wait for that close's 'close'.
func (s *Server) Close(callback func(error)) {
	s.mu.Lock()
	if !s.listening || s.closing {
		if callback != nil {
			s.onceClose = append(s.onceClose, func() { callback(ErrServerNotRunning) })
		}
		if s.closing && !s.closeDone {
			s.moreCloses++
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		go s.emitClose()
		return
	}
	s.closing = true
	s.listening = false
	if callback != nil {
		s.onceClose = append(s.onceClose, func() { callback(nil) })
	}
	eng := s.eng
	s.mu.Unlock()
	go func() {
		_ = eng.Shutdown(context.Background())
		s.emitClose()
		close(s.closed)
		for {
			s.mu.Lock()
			if s.moreCloses == 0 {
				s.closeDone = true
				s.mu.Unlock()
				return
			}
			s.moreCloses--
			s.mu.Unlock()
			s.emitClose()
		}
	}()
}

// emitClose emits 'close', then calls the Close callbacks waiting for it.
func (s *Server) emitClose() {
	s.mu.Lock()
	fns, once := s.onClose, s.onceClose
	s.onceClose = nil
	s.mu.Unlock()
	emit0(fns)
	emit0(once)
}

// CloseAllConnections is Node's server.closeAllConnections: it closes every
// connection at once, whatever it is doing, 'clientError' sockets left
// open included, but those an 'upgrade' or 'connect' listener took over;
// the server keeps listening. Requests cut
// short get Node's 'aborted' and 'close' events. After Close it ends the
// connections Close waits for.
func (s *Server) CloseAllConnections() {
	s.mu.Lock()
	eng := s.eng
	s.mu.Unlock()
	if eng != nil {
		eng.CloseAllConnections()
	}
	// Node's connections list still holds a 'clientError' socket its
	// listener kept (not an upgraded one).
	for _, r := range s.takeKeptErrors() {
		r.end()
	}
}

// CloseIdleConnections is Node's server.closeIdleConnections: it closes
// the connections that owe no response and hold no request bytes. The
// server keeps listening.
func (s *Server) CloseIdleConnections() {
	s.mu.Lock()
	eng := s.eng
	s.mu.Unlock()
	if eng != nil {
		eng.CloseIdleConnections()
	}
}

// Closed returns a channel closed once 'close' has been emitted. It has no
// Node counterpart; it lets Go code wait for Close.
func (s *Server) Closed() <-chan struct{} { return s.closed }

// serverExchange is a server exchange's objects in one allocation: they
// are made together and referred to by each other until the last of them
// is unreachable. The arrays back RawHeaders and the response's fields
// while they are short, and text holds the bytes of the URL and RawHeaders
// while they fit. With it, a hello-world request costs 1 allocation (31
// when each object, slice and event was allocated apart); a string kept
// from such a request keeps the whole exchange, 768 bytes, alive.
type serverExchange struct {
	x      exchange
	req    IncomingMessage
	res    ServerResponse
	raw    [6]string   // req.RawHeaders for up to 3 fields (as curl sends)
	fields [2]outField // res.hdr.fields for up to 2 names
	// text is last, so that the GC, which scans an object up to its last
	// pointer, does not scan it. It fills the 768-byte size class.
	text [72]byte
}

// frozenString returns b's bytes as a string without a copy. b must be
// written no more: here it is a serverExchange's text, filled once before
// the request is handed out and never written again; the strings keep
// the exchange alive.
func frozenString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// methods interns the names of METHODS.
var methods = func() map[string]string {
	m := make(map[string]string, len(METHODS))
	for _, name := range METHODS {
		m[name] = name
	}
	return m
}()

// methodString returns r's method as a string, interned when it is known.
func methodString(r *engine.Request) string {
	if name := r.Method().String(); name != "" {
		return name
	}
	b := r.MethodBytes()
	if name, ok := methods[string(b)]; ok {
		return name
	}
	return string(b)
}

// copyHead returns a copy of the target and of t's fields as Node's
// rawHeaders, appended to raw, all in one string allocation. raw is
// returned with no spare capacity, so that an append by the user copies.
func copyHead(target []byte, t *headers.Table, raw []string) (string, []string) {
	return copyHeadInto(nil, target, t, raw)
}

// copyHeadInto is copyHead with the text in buf when it fits there.
func copyHeadInto(buf []byte, target []byte, t *headers.Table, raw []string) (string, []string) {
	n := len(target)
	for i := 0; i < t.Len(); i++ {
		f := t.Field(i)
		n += int(f.Name.Len + f.Value.Len)
	}
	// b never grows past n, so the strings made of it as it fills hold.
	b := buf[:0:len(buf)]
	if n > len(buf) {
		b = make([]byte, 0, n)
	}
	b = append(b, target...)
	for i := 0; i < t.Len(); i++ {
		name, value := t.Name(i), t.Value(i)
		b = append(b, name...)
		b = append(b, value...)
		v := len(b) - len(value)
		raw = append(raw, frozenString(b[v-len(name):v]), frozenString(b[v:]))
	}
	url := frozenString(b[:len(target)])
	if t.Len() == 0 {
		return url, nil
	}
	return url, raw[:len(raw):len(raw)]
}

// rawHeadersBatch is how many fields Node's HTTP parser hands to
// JavaScript at a time (measured on node v20: 31 to a batch).
const rawHeadersBatch = 31

// handle is the engine handler: it emits 'request' (or 'checkContinue')
// and then delivers the body. See the Events notes in events.go.
func (s *Server) handle(w *engine.Response, r *engine.Request) {
	if r.Method() == parse.MethodCONNECT && len(s.hooks.Load().onConnect) == 0 {
		// Node destroys the socket of a CONNECT nobody listens for.
		w.Abort()
		return
	}
	// Fields are set one by one on the zeroed exchange: a composite
	// literal assigned through a pointer is built in a temporary and copied.
	se := new(serverExchange)
	x, req, res := &se.x, &se.req, &se.res
	x.window = true
	req.x, req.res = x, res
	req.Method = methodString(r)
	req.URL, req.RawHeaders = copyHeadInto(se.text[:], r.Target(), r.Header(), se.raw[:0])
	major, minor := r.Version()
	req.HTTPVersion, req.HTTPVersionMajor, req.HTTPVersionMinor = versionString(major, minor), major, minor
	cs := connStateOf(r)
	req.Socket = &cs.sock
	if cs.st.finished.Load() {
		cs.st.finished.Store(false)
	}
	req.joinDuplicates = s.opts.JoinDuplicateHeaders
	if n := s.maxHeadersCount; n > 0 && len(req.RawHeaders) > 2*n {
		req.headerCount = uint16(min(n, math.MaxUint16))
		// Node's parser hands the fields over in batches of 31 and takes
		// none once it holds n: rawHeaders ends with the batch that got there.
		if cut := 2 * rawHeadersBatch * ((n + rawHeadersBatch - 1) / rawHeadersBatch); len(req.RawHeaders) > cut {
			req.RawHeaders = req.RawHeaders[:cut:cut]
		}
	}
	res.x, res.req, res.w = x, req, w
	res.keepAliveSecs = int16(s.keepAliveSecs.Load())
	res.StatusCode, res.SendDate = 200, true
	res.hdr.fields = se.fields[:0]
	r.SetCloseHandler((*closeHandler)(req))
	hooks := s.hooks.Load()
	fns := hooks.onRequest
	if r.Expect100() {
		if len(hooks.onCheckContinue) > 0 {
			fns = hooks.onCheckContinue
		}
	} else if minor == 1 && major == 1 && hasExpect(r.Header(), len(req.RawHeaders)/2) {
		// Node: another expectation goes to 'checkExpectation', or gets 417.
		fns = hooks.onCheckExpect
		if len(fns) == 0 {
			fns = expectationFailed
		}
	}
	if m := s.maxRequests.Load(); m > 0 {
		fns = s.countRequest(r, res, hooks, fns, int(m))
	}
	var tunnel []func(*IncomingMessage, *Socket)
	connect := r.Method() == parse.MethodCONNECT
	if r.Upgrade() {
		tunnel = hooks.onUpgrade
		if connect {
			tunnel = hooks.onConnect
		}
	}
	if len(tunnel) > 0 {
		req.Upgrade = true
		sock := &Socket{req.Socket.SocketInfo, &socketState{x: x, w: w, connect: connect, tm: socketTimeouts{srv: s}}}
		for _, fn := range tunnel {
			fn(req, sock)
		}
		x.mu.Lock()
		x.runOpsLocked()
		if !x.wireEnded {
			d := w.Detach()
			x.loop = func(fn func()) error { return d.Do(func(*engine.Response) { fn() }) }
		}
		x.mu.Unlock()
		x.closeWindow()
		return
	}
	for _, fn := range fns {
		fn(req, res)
	}
	x.mu.Lock()
	x.runOpsLocked()
	if r.Streaming() {
		if x.wireEnded && !req.flowing && len(req.onData) == 0 {
			// Answered without reading the body, which is still on its way
			// (or, after a refused 100-continue, will never come): the
			// engine discards it and closes the connection.
			req.dumped = true
		} else {
			req.req = r
			r.SetBodyHandler((*bodyHandler)(req))
		}
	} else {
		if body := r.Body(); len(body) > 0 {
			x.mu.Unlock() // push may call the data listeners
			req.push(body)
			x.mu.Lock()
		}
		req.bodyEndLocked(copyFields(r.Trailers()))
	}
	trackRequest(r, req, !x.wireEnded || req.req != nil)
	if !x.wireEnded {
		// The response outlives the handler: later calls reach it through d.
		d := w.Detach()
		x.loop = func(fn func()) error { return d.Do(func(*engine.Response) { fn() }) }
	} else if req.req != nil {
		// The response ended and the body streams: Node emits the body's
		// first 'data' (which the engine delivers right after the handler
		// when it has arrived) before 'finish', so the ticks wait for the
		// body's first callback.
		x.window, x.cork = false, 0
		x.mu.Unlock()
		return
	}
	x.closeWindowLocked()
}

// bodyHandler is an IncomingMessage as the engine's BodyHandler for a
// streamed body. Its methods run on the loop, outside the handler, so they
// open the window themselves.
type bodyHandler IncomingMessage

func (b *bodyHandler) OnBody(_ *engine.Request, chunk []byte) {
	m := (*IncomingMessage)(b)
	open := m.x.open()
	m.push(chunk)
	m.x.close(open)
}

func (b *bodyHandler) OnBodyEnd(_ *engine.Request, trailers *headers.Table) {
	m := (*IncomingMessage)(b)
	open := m.x.open()
	m.bodyEnd(trailers)
	m.x.close(open)
}

// closeHandler is an IncomingMessage as the engine's CloseHandler: the
// client went away before the exchange finished.
type closeHandler IncomingMessage

// OnClose runs on the loop. The engine's request and response are gone;
// the events follow Node's order: 'aborted', the socket's 'close' and the
// response's 'close', then, on later ticks, the request's 'error' and
// 'close' (when the request had not been read to the end), else only the
// socket's and the response's 'close'.
func (h *closeHandler) OnClose(_ *engine.Request, _ error) {
	m := (*IncomingMessage)(h)
	x := m.x
	opened := x.open()
	x.mu.Lock()
	if m.aborting { // ServerResponse.Destroy has emitted the events
		x.mu.Unlock()
		x.close(opened)
		return
	}
	unread, finished := m.abortLocked()
	aborted, errs, _ := m.listenersLocked()
	resClose := m.res.ext.closeListeners()
	x.mu.Unlock()
	if unread {
		emit0(aborted)
	}
	// Node's socket 'close' runs its HTTP listener ('aborted') first, then
	// the user's, then the response's.
	m.Socket.connClosed()
	if !finished {
		emit0(resClose)
	}
	if unread {
		x.tick(eventFunc(func() { emit(errs, error(ErrRequestAborted)) }))
		x.tick((*closeEvent)(m))
	}
	x.close(opened)
	x.flushTicks()
}

// abortLocked ends m's exchange for a close or Destroy before it
// finished. It reports whether the request was unread ('aborted', the
// request's 'error' and 'close' are then due) and whether the response
// had finished (else its 'close' is due).
func (m *IncomingMessage) abortLocked() (unread, finished bool) {
	x := m.x
	m.aborting = true
	finished = m.res.finished
	x.wireEnded = true
	m.req = nil
	m.enginePaused = false
	if !finished {
		m.res.destroyed = true
	}
	// A body left unread after the response (see handle) is discarded by
	// the engine, which closes the connection: that is no abort.
	return !m.ended && !m.dumped, finished
}

// open opens the window, if it is not open, and runs the queued ops; it
// reports whether it opened it.
func (x *exchange) open() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.window {
		return false
	}
	x.window = true
	x.runOpsLocked()
	return true
}

// close emits the ticks and closes the window if open opened it.
func (x *exchange) close(opened bool) {
	if opened {
		x.closeWindow()
	}
}

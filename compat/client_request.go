package compat

import (
	"encoding/base64"
	"io"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
)

// RequestOptions are the options of Node's http.request. Fields left zero
// take Node's defaults; with a URL, the URL's parts win over Host,
// Hostname, Port and Path unless those are set here.
type RequestOptions struct {
	// Method is the request method (default "GET").
	Method string
	// Host is the server's name or IP (default "localhost"); Hostname, if
	// set, takes precedence, as in Node.
	Host     string
	Hostname string
	// Port is the server's port (default 80).
	Port int
	// Path is the request-target, path and query (default "/").
	Path string
	// Headers are the request's header fields, sent in name order (a
	// user "Host", in any case, replaces the one Node makes, keeping its
	// case).
	Headers map[string]string
	// Auth is "user:password" for Basic authentication.
	Auth string
	// Agent pools the request's connection (nil: GlobalAgent()).
	Agent *Agent
	// NoAgent is Node's agent: false: a connection for this request only.
	NoAgent bool
	// NoHost is Node's setHost: false: no Host field is made; one set in
	// Headers or with SetHeader is still sent.
	NoHost bool
	// SocketPath connects to a unix socket instead of Host:Port.
	SocketPath string
	// LocalAddress is the local address to bind.
	LocalAddress string
	// Family is 4 or 6 to resolve Host to that IP family only (0: either).
	Family int
	// Timeout is Node's timeout option, SetTimeout's duration from the
	// start: 'timeout' comes once the connection has been idle this long,
	// counted from when a new one starts connecting, as Node's; as in
	// Node, the request goes on unless a listener destroys it.
	Timeout time.Duration
	// MaxResponseBytes bounds a response body (0: the engine's default).
	MaxResponseBytes int
}

// ClientRequest is Node's http.ClientRequest: an outgoing request, sent
// through an Agent when End is called. Its methods are safe from any
// goroutine; its events run on the event loop that receives the response
// (or, for errors found at once, on the caller's goroutine).
//
// As in Node, the head goes out with the first Write (or FlushHeaders),
// and each Write as one chunk, unless a Content-Length is set; a body given
// only to End goes with a Content-Length, in one piece with the head.
type ClientRequest struct {
	x  *exchange
	cx *clientExchange // the allocation r is part of

	// Method, Path, Host and Protocol are Node's request properties.
	Method   string
	Path     string
	Host     string
	Protocol string

	port       int
	socketPath string
	localAddr  string
	family     int
	agent      *Agent
	timeout    time.Duration
	maxBody    int

	// Guarded by x.mu.
	hdr           outHeaders
	trailers      outHeaders // AddTrailers
	body          []byte
	wbody         *clientBody // the body being written, from the first Write or FlushHeaders
	headersSent   bool
	ended         bool // End was called
	finished      bool
	destroyed     bool
	answered      bool // a response or an error was delivered
	sending       bool // End is handing the request to the agent
	written       bool // the request is on its connection: 'finish' is due
	socketTold    bool // 'socket' was taken to emit
	prefinishTold bool // 'prefinish' was
	expectHead    bool // the options carry an Expect field: the head is fixed, OnContinue sends it
	ownTimeout    bool // SetTimeout was called: the agent's Timeout no longer applies
	reused        bool // the agent took the connection from its free list (set before the request is written)
	held          bool // the agent keeps conn busy until the request's 'close' (Node's 'free' follows it)
	dialing       bool // the agent gave the request a new socket, which may still be connecting (Node's req.socket set)
	inSocket      bool // the 'socket' listeners are running
	// destroyedInSocket: Destroy came from a 'socket' listener, where
	// Node's connect is under way: the connection is made, then closed.
	destroyedInSocket bool
	// queued reports whether the request waits in its agent's queue for a
	// socket (agentpool.Queuer); late, that it was destroyed there: its
	// 'error' (lateErr, nil after Abort) and 'close' wait for the agent to
	// reach it, as Node's do.
	queued  atomic.Bool
	late    bool
	lateErr error
	// annMu is held while 'socket', 'prefinish' and 'finish' are emitted
	// (see announce), not with x.mu.
	annMu sync.Mutex
	timer *time.Timer
	// bodyIdle reports whether timer runs while the response body arrives
	// (Node's socket timeout counts any idle time): each piece re-arms it.
	bodyIdle atomic.Bool
	// res is the response once its head has arrived; cc its connection
	// once the request is on it, and eresp the engine response, until
	// the response has ended.
	res   *IncomingMessage
	cc    *engine.ClientConn
	eresp *engine.ClientResponse
	// conn is the request's connection, set by the agent before the
	// request is written on it; see IncomingMessage.streaming.
	conn *engine.ClientConn
	// dialCancel gives up the dial of the new connection the request
	// took, while conn is nil (SocketDialing).
	dialCancel func()

	wire *clientWire // set by End before the request is sent; the response handler's after

	onResponse    []func(*IncomingMessage)
	onSocket      []func(SocketInfo)
	onFinish      []func()
	onClose       []func()
	onError       []func(error)
	onTimeout     []func()
	rare          *rareListeners // allocated by the first OnDrain or OnAbort
	onContinue    []func()
	onInformation []func(Information)
	onUpgrade     []func(*IncomingMessage, net.Conn, []byte)
	onConnect     []func(*IncomingMessage, net.Conn, []byte)
}

// clientExchange is a client exchange's objects in one allocation: the
// request, the response it will get, their tick queues, and arrays that
// back the listener slices and RawHeaders while they are short. The
// response is filled in and handed out only once it arrives. With it, a
// keep-alive GET costs the client 1 allocation when the response's fields
// fit in text (15 when each object, slice and event was allocated apart;
// 2 with the fields' text apart).
type clientExchange struct {
	req        ClientRequest
	res        IncomingMessage
	reqX, resX exchange
	raw        [8]string   // res.RawHeaders for up to 4 fields
	text       [128]byte   // the bytes behind raw, written once, when they fit
	fields     [1]outField // req.hdr's first field: the Host
	onResponse [1]func(*IncomingMessage)
	onError    [1]func(error)
	onData     [1]func([]byte)
	onEnd      [1]func()
	sock       Socket // res.Socket: the connection's addresses
}

// Information is a 1xx interim response other than 101, as Node's
// 'information' event gives it.
type Information struct {
	StatusCode    int
	StatusMessage string
	HTTPVersion   string
	RawHeaders    []string
	Headers       map[string]string
}

// Request is Node's http.request(url, options, callback). rawURL may be
// "" to use opts alone, and opts may be nil; callback (may be nil) is a
// 'response' listener. Errors Node throws at once (a bad URL, method or
// header) are returned; the request is sent when End is called.
func Request(rawURL string, opts *RequestOptions, callback func(res *IncomingMessage)) (*ClientRequest, error) {
	var o RequestOptions
	if opts != nil {
		o = *opts
	}
	if rawURL != "" {
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" {
			return nil, ErrInvalidURL
		}
		if u.Scheme != "http" {
			return nil, instance(ErrInvalidProtocol, "Protocol \""+u.Scheme+":\" not supported. Expected \"http:\"")
		}
		if o.Hostname == "" && o.Host == "" {
			o.Hostname = u.Hostname()
		}
		if o.Port == 0 && u.Port() != "" {
			o.Port, _ = strconv.Atoi(u.Port())
		}
		if o.Path == "" {
			o.Path = u.RequestURI()
		}
		if o.Auth == "" && u.User != nil {
			// Node decodes the URL's user and password.
			o.Auth = u.User.Username()
			if pw, ok := u.User.Password(); ok {
				o.Auth += ":" + pw
			}
		}
	}
	if o.Port < 0 || o.Port > 65535 {
		return nil, instance(ErrSocketBadPort, "Port should be >= 0 and < 65536. Received type number ("+strconv.Itoa(o.Port)+").")
	}
	// Fields are set one by one on the zeroed exchange: a composite
	// literal assigned through a pointer is built in a temporary and copied.
	cx := new(clientExchange)
	r := &cx.req
	r.x, r.cx = &cx.reqX, cx
	r.onResponse, r.onError = cx.onResponse[:0:1], cx.onError[:0:1]
	r.hdr.fields = cx.fields[:0:len(cx.fields)]
	r.Method = strings.ToUpper(o.Method)
	r.Path, r.Host, r.Protocol = o.Path, o.Hostname, "http:"
	r.port, r.socketPath, r.localAddr, r.family = o.Port, o.SocketPath, o.LocalAddress, o.Family
	r.agent, r.timeout, r.maxBody = o.Agent, o.Timeout, o.MaxResponseBytes
	if r.Method == "" {
		r.Method = "GET"
	}
	if ValidateHeaderName(r.Method) != nil {
		return nil, ErrInvalidHTTPToken
	}
	if r.Path == "" {
		r.Path = "/"
	}
	for _, c := range []byte(r.Path) {
		if c <= ' ' || c == 0x7f {
			return nil, ErrUnescapedCharacters
		}
	}
	if r.Host == "" {
		r.Host = o.Host
	}
	if r.Host == "" {
		r.Host = "localhost"
	}
	if r.port == 0 {
		r.port = 80
	}
	switch {
	case o.NoAgent:
		r.agent = oneShotAgent()
	case r.agent == nil:
		r.agent = GlobalAgent()
	}
	// Node's order: the option's fields, then the Host it makes, then
	// Authorization.
	if len(o.Headers) > 0 {
		names := make([]string, 0, len(o.Headers))
		for name := range o.Headers {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if err := validateLatin1(name, []string{o.Headers[name]}); err != nil {
				return nil, err
			}
			r.hdr.setOne(name, o.Headers[name])
		}
	}
	// Node stores the head of a request with an Expect field as it makes
	// it (a body goes chunked unless a Content-Length is set).
	r.expectHead = r.hdr.find("expect") >= 0
	if !o.NoHost && r.hdr.find("host") < 0 {
		r.hdr.setOne("Host", hostField(r.Host, r.port))
	}
	if o.Auth != "" && r.hdr.find("authorization") < 0 {
		r.hdr.setOne("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(o.Auth)))
	}
	if callback != nil {
		r.onResponse = append(r.onResponse, callback)
	}
	return r, nil
}

// Get is Node's http.get: Request with method GET, ended at once.
func Get(rawURL string, opts *RequestOptions, callback func(res *IncomingMessage)) (*ClientRequest, error) {
	var o RequestOptions
	if opts != nil {
		o = *opts
	}
	o.Method = "GET"
	r, err := Request(rawURL, &o, callback)
	if err != nil {
		return nil, err
	}
	return r, r.End(nil)
}

// OnResponse registers a 'response' listener.
func (r *ClientRequest) OnResponse(fn func(res *IncomingMessage)) {
	r.x.mu.Lock()
	r.onResponse = append(r.onResponse, fn)
	r.x.mu.Unlock()
}

// OnSocket registers a 'socket' listener. It gets the connection's
// addresses: zero on a new connection, which the agent gives the request
// as it starts connecting (Node's are undefined then), as Socket() has
// them once it has connected.
func (r *ClientRequest) OnSocket(fn func(SocketInfo)) {
	r.x.mu.Lock()
	r.onSocket = append(r.onSocket, fn)
	r.x.mu.Unlock()
}

// OnFinish registers a 'finish' listener: the request has been sent.
func (r *ClientRequest) OnFinish(fn func()) {
	r.x.mu.Lock()
	r.onFinish = append(r.onFinish, fn)
	r.x.mu.Unlock()
}

// OnClose registers a 'close' listener: the request is done with.
func (r *ClientRequest) OnClose(fn func()) {
	r.x.mu.Lock()
	r.onClose = append(r.onClose, fn)
	r.x.mu.Unlock()
}

// OnError registers an 'error' listener: the connection failed, or the
// request was destroyed before its response.
func (r *ClientRequest) OnError(fn func(error)) {
	r.x.mu.Lock()
	r.onError = append(r.onError, fn)
	r.x.mu.Unlock()
}

// rareListeners are the listeners of events few requests listen for,
// kept apart to keep a clientExchange in its size class.
type rareListeners struct {
	onDrain, onAbort, onPrefinish []func()
	// resDestroyed reports that the response was destroyed while its body
	// arrived (destroyResponse), with resErr (may be nil).
	resDestroyed bool
	resErr       error
}

// rareLocked returns r.rare, allocating it; x.mu is held.
func (r *ClientRequest) rareLocked() *rareListeners {
	if r.rare == nil {
		r.rare = new(rareListeners)
	}
	return r.rare
}

// OnAbort registers an 'abort' listener (see Abort).
func (r *ClientRequest) OnAbort(fn func()) {
	r.x.mu.Lock()
	l := r.rareLocked()
	l.onAbort = append(l.onAbort, fn)
	r.x.mu.Unlock()
}

// OnDrain registers a 'drain' listener: the body written while
// WritableNeedDrain reported true has been handed to the connection.
func (r *ClientRequest) OnDrain(fn func()) {
	r.x.mu.Lock()
	l := r.rareLocked()
	l.onDrain = append(l.onDrain, fn)
	r.x.mu.Unlock()
}

// WritableNeedDrain reports whether the body written waits to be sent in
// Node's writableHighWaterMark or more (16 KiB): Node's write would have
// returned false, and a writer that bounds its memory waits for 'drain'.
func (r *ClientRequest) WritableNeedDrain() bool {
	r.x.mu.Lock()
	b := r.wbody
	r.x.mu.Unlock()
	return b != nil && !b.belowMark()
}

// OnTimeout registers a 'timeout' listener (see RequestOptions.Timeout
// and SetTimeout). Without either, the agent's Timeout applies, as Node's
// agent sets it on its sockets: the request's 'timeout' follows theirs.
func (r *ClientRequest) OnTimeout(fn func()) {
	r.x.mu.Lock()
	r.onTimeout = append(r.onTimeout, fn)
	if r.headersSent && r.timer == nil && r.timeout == 0 && !r.ownTimeout && !r.answered && !r.destroyed {
		// Sent with no timer: the agent's Timeout is one now.
		r.timeout = r.agent.timeout()
		r.armLocked()
	}
	r.x.mu.Unlock()
}

// OnContinue registers a 'continue' listener: the server sent "100
// Continue". A request with an Expect field in its options sends its head
// now, if it has not (see FlushHeaders): Node sends it as the request is
// made, and a body written from the listener then goes out.
func (r *ClientRequest) OnContinue(fn func()) {
	r.x.mu.Lock()
	r.onContinue = append(r.onContinue, fn)
	flush := r.expectHead
	r.x.mu.Unlock()
	if flush {
		r.FlushHeaders()
	}
}

// OnInformation registers an 'information' listener for 1xx responses
// other than 101 (a 100 also gives 'continue', first).
func (r *ClientRequest) OnInformation(fn func(Information)) {
	r.x.mu.Lock()
	r.onInformation = append(r.onInformation, fn)
	r.x.mu.Unlock()
}

// OnUpgrade registers an 'upgrade' listener: the server answered 101 and
// the connection is the listener's, as a net.Conn; head holds the bytes
// that came with the response head (Node's head Buffer; empty if none),
// and the conn's reads start after them. Without a listener the
// connection is closed, as in Node.
func (r *ClientRequest) OnUpgrade(fn func(res *IncomingMessage, conn net.Conn, head []byte)) {
	r.x.mu.Lock()
	r.onUpgrade = append(r.onUpgrade, fn)
	r.x.mu.Unlock()
}

// OnConnect registers a 'connect' listener: the server answered a CONNECT
// with a 2xx; see OnUpgrade.
func (r *ClientRequest) OnConnect(fn func(res *IncomingMessage, conn net.Conn, head []byte)) {
	r.x.mu.Lock()
	r.onConnect = append(r.onConnect, fn)
	r.x.mu.Unlock()
}

// SetHeader sets a header field before the request is sent.
func (r *ClientRequest) SetHeader(name, value string) error {
	if err := validateLatin1(name, []string{value}); err != nil {
		return err
	}
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	if r.headFixedLocked() {
		return ErrHeadersSent
	}
	r.hdr.setOne(name, value)
	return nil
}

// GetHeader returns a header field's value ("" if unset).
func (r *ClientRequest) GetHeader(name string) string {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.hdr.value(name)
}

// GetHeaderNames returns the lower-cased names of the fields set, in order.
func (r *ClientRequest) GetHeaderNames() []string {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.hdr.names()
}

// GetHeaders returns a copy of the fields set, keyed by lower-cased name.
func (r *ClientRequest) GetHeaders() map[string][]string {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.hdr.snapshot()
}

// HasHeader reports whether a header field is set.
func (r *ClientRequest) HasHeader(name string) bool {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.hdr.find(name) >= 0
}

// RemoveHeader unsets a header field before the request is sent.
func (r *ClientRequest) RemoveHeader(name string) error {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	if r.headFixedLocked() {
		return ErrHeadersSent
	}
	r.hdr.del(name)
	return nil
}

// Write sends p as the next piece of the body, as Node does: the first
// Write sends the head, and each Write goes out as one chunk (or as raw
// bytes under a Content-Length set by the caller). p is copied. After End
// it returns ErrWriteAfterEnd.
func (r *ClientRequest) Write(p []byte) (int, error) {
	n, _, err := r.write(p, "", nil)
	return n, err
}

// WriteString is Write for a string.
func (r *ClientRequest) WriteString(s string) (int, error) {
	n, _, err := r.write(nil, s, nil)
	return n, err
}

// WriteChunk is Node's request.write(chunk, callback): Write, reporting
// whether the body waiting to be sent is below Node's 16 KiB mark (false:
// wait for 'drain'). cb (may be nil) is called once p is handed to the
// connection. After End, as in Node, it returns false and, on a later
// tick, calls cb with ErrWriteAfterEnd and emits that as 'error'; the
// request goes on. After Destroy it calls cb with ErrStreamDestroyed (or
// ErrWriteAfterEnd after End) and emits nothing.
func (r *ClientRequest) WriteChunk(p []byte, cb func(error)) bool {
	_, ok, _ := r.write(p, "", cb)
	return ok
}

// WriteChunkString is WriteChunk for a string.
func (r *ClientRequest) WriteChunkString(s string, cb func(error)) bool {
	_, ok, _ := r.write(nil, s, cb)
	return ok
}

// write queues p and s; cb is nil for Write and WriteString, which return
// ErrWriteAfterEnd after End (ErrStreamDestroyed after Destroy) with no
// event.
func (r *ClientRequest) write(p []byte, s string, cb func(error)) (int, bool, error) {
	x := r.x
	x.mu.Lock()
	n := len(p) + len(s)
	var err error
	switch {
	case r.ended:
		err = ErrWriteAfterEnd
	case r.destroyed:
		err = ErrStreamDestroyed
	case n > 0 && r.wbody != nil && r.wbody.noBody:
		// Its head says it has none: Node would send the bytes
		// unframed, for the server to read as its next request.
		err = ErrBodyNotAllowed
	}
	if err != nil {
		if cb == nil {
			x.mu.Unlock()
			return 0, false, err
		}
		errs := r.onError
		if r.destroyed {
			errs = nil // Node calls back only
		}
		x.tickLocked(eventFunc(func() {
			cb(err)
			emit(errs, err)
		}))
		x.unlockFlush()
		return 0, false, err
	}
	if b := r.wbody; b != nil {
		x.mu.Unlock()
		return n, b.push(p, s, cb), nil
	}
	if n == 0 && cb == nil {
		x.mu.Unlock()
		return 0, true, nil
	}
	b := r.newBody()
	ok := b.push(p, s, cb)
	r.sendLocked(b)
	return n, ok, nil
}

// newBody returns a body to stream whose 'drain' is r's.
func (r *ClientRequest) newBody() *clientBody {
	b := newClientBody()
	b.drained = r.emitDrain
	b.taken = r.touchTimer
	return b
}

// touchTimer re-arms SetTimeout's timer as a piece of the body goes out:
// Node's socket timeout counts idle time, and a write is activity.
func (r *ClientRequest) touchTimer() {
	r.x.mu.Lock()
	if r.timer != nil && r.timeout > 0 && !r.answered && !r.destroyed {
		r.timer.Reset(r.timeout)
	}
	r.x.mu.Unlock()
}

// emitDrain emits 'drain', on a goroutine of its own.
func (r *ClientRequest) emitDrain() {
	r.x.mu.Lock()
	var fns []func()
	if r.rare != nil {
		fns = r.rare.onDrain
	}
	r.x.mu.Unlock()
	emit0(fns)
}

// FlushHeaders is Node's request.flushHeaders(): it sends the head now;
// the body, if any, follows with Write and End. As in Node, the head of a
// GET (HEAD, DELETE, OPTIONS, TRACE, CONNECT) then has no framing field:
// the request has no body, and a Write with data gets ErrBodyNotAllowed.
func (r *ClientRequest) FlushHeaders() {
	x := r.x
	x.mu.Lock()
	if r.headersSent || r.ended || r.destroyed {
		x.mu.Unlock()
		return
	}
	r.sendLocked(r.newBody())
}

// End adds data (may be nil) to the body and sends the request.
func (r *ClientRequest) End(data []byte) error {
	return r.end(string(data))
}

// EndString is End with a string.
func (r *ClientRequest) EndString(s string) error { return r.end(s) }

// EndCallback is Node's request.end(data, callback): End, with cb (may be
// nil) registered as a 'finish' listener.
func (r *ClientRequest) EndCallback(data []byte, cb func()) error {
	return r.EndStringCallback(string(data), cb)
}

// EndStringCallback is EndCallback with a string.
func (r *ClientRequest) EndStringCallback(s string, cb func()) error {
	if cb != nil {
		r.OnFinish(cb)
	}
	return r.end(s)
}

// OnPrefinish registers a 'prefinish' listener: emitted just before
// 'finish', as Node's ClientRequest does.
func (r *ClientRequest) OnPrefinish(fn func()) {
	r.x.mu.Lock()
	l := r.rareLocked()
	l.onPrefinish = append(l.onPrefinish, fn)
	r.x.mu.Unlock()
}

// SetTimeout is Node's request.setTimeout(ms, callback): 'timeout' is
// emitted once the connection has been idle for d, counted from when the
// request gets its socket (from now, if it has): nothing of the body written, no
// response, or a response body stalled; cb (may be nil) is registered as a
// 'timeout' listener. As in Node, the request is not destroyed. It
// returns r.
func (r *ClientRequest) SetTimeout(d time.Duration, cb func()) *ClientRequest {
	x := r.x
	x.mu.Lock()
	if cb != nil {
		r.onTimeout = append(r.onTimeout, cb)
	}
	r.timeout, r.ownTimeout = d, true
	r.armLocked()
	x.mu.Unlock()
	return r
}

// armLocked (re)starts the timeout's timer if the request has its socket
// and no response yet: Node's socket timeout starts with the socket, so a
// request waiting in its agent's queue is not timed. x.mu is held.
func (r *ClientRequest) armLocked() {
	if r.conn == nil || r.answered || r.destroyed {
		return
	}
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	if r.timeout > 0 {
		r.timer = time.AfterFunc(r.timeout, r.timedOut)
	}
}

// HeadersSent reports whether the request has been handed to its agent,
// or has an Expect field in its options (Node stores that head at once).
func (r *ClientRequest) HeadersSent() bool {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.headFixedLocked()
}

// headFixedLocked reports whether the head can no longer change, as
// Node's headersSent; x.mu is held.
func (r *ClientRequest) headFixedLocked() bool { return r.headersSent || r.expectHead }

// WritableEnded reports whether End has been called.
func (r *ClientRequest) WritableEnded() bool {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.ended
}

// WritableFinished reports whether the request has been sent in full.
func (r *ClientRequest) WritableFinished() bool {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.finished
}

// Destroyed reports whether Destroy has been called.
func (r *ClientRequest) Destroyed() bool {
	r.x.mu.Lock()
	defer r.x.mu.Unlock()
	return r.destroyed
}

func (r *ClientRequest) end(tail string) error {
	x := r.x
	x.mu.Lock()
	if r.ended || r.destroyed {
		x.mu.Unlock()
		if tail != "" {
			return ErrWriteAfterEnd
		}
		return nil
	}
	r.ended = true
	if b := r.wbody; b != nil || r.expectHead && chunksByDefault(r.Method) {
		if b == nil {
			// The head was fixed before the body was known: the body
			// goes as if written, as Node sends it.
			b = r.newBody()
			r.sendLocked(b)
		} else {
			r.prefinishNow()
		}
		b.push(nil, tail, nil)
		b.close(io.EOF)
		return nil
	}
	r.body = append(r.body, tail...)
	r.sendLocked(nil)
	return nil
}

// chunksByDefault reports whether Node frames a body of a request with
// this method that has no Content-Length as chunked (its
// useChunkedEncodingByDefault); for the others, a head stored early has
// no framing field.
func chunksByDefault(method string) bool {
	switch method {
	case "GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT":
		return false
	}
	return true
}

// prefinishNow emits 'prefinish' inside End, as Node's end() does once
// the request's socket has what was written before: End of a streamed
// body after 'socket' (the body's last piece and 'finish' come later).
// While the 'socket' listeners run (End called from one) it comes twice,
// as in Node: now, from end(), and from announce once they return, where
// Node's _flush emits it again. x.mu is held; it unlocks it.
func (r *ClientRequest) prefinishNow() {
	x := r.x
	due := r.socketTold && !r.prefinishTold && r.rare != nil && len(r.rare.onPrefinish) > 0
	var twice []func()
	if due && r.inSocket && !r.destroyed {
		twice = r.rare.onPrefinish
	}
	x.mu.Unlock()
	if twice != nil {
		emit0(twice)
		return
	}
	if !due || !r.annMu.TryLock() {
		return
	}
	x.mu.Lock()
	var pre []func()
	if !r.prefinishTold && !r.destroyed {
		r.prefinishTold = true
		pre = r.rare.onPrefinish
	}
	x.mu.Unlock()
	emit0(pre)
	r.annMu.Unlock()
}

// sendLocked hands the request to its agent, with its buffered body, or
// with body to stream if it is not nil. x.mu is held; it unlocks it.
func (r *ClientRequest) sendLocked(body *clientBody) {
	x := r.x
	r.headersSent = true
	r.wbody = body
	w := wirePool.Get().(*clientWire)
	w.r, r.wire = r, w
	req := w.req
	req.OnInformational = w.informational
	req.SetMethod(r.Method)
	req.SetPath(r.Path)
	req.SetHost(r.Host)
	req.SetPort(r.port)
	req.SocketPath, req.LocalAddress, req.Family = r.socketPath, r.localAddr, r.family
	hdr := r.hdr
	host := hdr.find("host")
	req.OmitHost = host < 0 // Node's setHost: false, or removed
	if host >= 0 && host == len(hdr.fields)-1 {
		// A Host field last, as Request makes it, goes where the engine
		// writes its own line, after the fields: when the engine's line is
		// the same bytes, it writes it, which saves the field's copy,
		// checks and lookup (~400 instructions a request).
		if f := &hdr.fields[host]; f.many == nil && f.name == "Host" && engineWritesHost(f.value, r.Host, r.port) {
			hdr.fields = hdr.fields[:host]
		}
	}
	hdr.fill(&req.Header)
	// A body given to End alone goes with the head; a written one streams,
	// with its Content-Length if set (and no Transfer-Encoding), else
	// chunked, as Node sends written bodies.
	if body == nil {
		if len(r.body) > 0 {
			req.SetBody(r.body)
		}
	} else if cl, ok := r.hdr.contentLength(); ok && r.hdr.find("transfer-encoding") < 0 {
		req.SetBodyStream(body, cl)
	} else if !chunksByDefault(r.Method) && r.hdr.find("transfer-encoding") < 0 && body.empty() {
		// A GET's head sent before any body (FlushHeaders, an Expect
		// field) has no framing field in Node: the request has no body.
		req.SetEmptyBodyStream(body)
		body.noBody = true
	} else {
		req.SetBodyStream(body, -1)
		// The trailers go in once the body has ended, the head long sent,
		// so that, as in Node, no Trailer field announces them.
		body.atEOF = func() {
			x.mu.Lock()
			r.trailers.fill(&req.Trailer)
			x.mu.Unlock()
		}
	}
	if !r.agent.KeepAlive() && r.hdr.find("connection") < 0 {
		req.SetConnectionClose(true)
	}
	if r.timeout == 0 && !r.ownTimeout && len(r.onTimeout) > 0 {
		r.timeout = r.agent.timeout() // armed with the socket
	}
	x.mu.Unlock()
	resp := engine.AcquireClientResponse()
	resp.SetStreamer((*responseHandler)(r))
	if r.maxBody > 0 {
		resp.SetMaxBodyBytes(r.maxBody)
	}
	x.mu.Lock()
	r.eresp = resp
	r.sending = true
	x.mu.Unlock()
	// The agent may deliver the response before Request returns, on this
	// goroutine; HandleResponse sees sending and emits on another, since
	// Node never emits from inside end().
	r.agent.a.Request(req, resp, (*responseHandler)(r))
	x.mu.Lock()
	r.sending = false
	x.mu.Unlock()
}

// clientWire is a pooled engine request whose 1xx callback is bound once,
// to the wire rather than to a ClientRequest: a method value made per
// request would cost an allocation.
type clientWire struct {
	req *engine.ClientRequest
	// r is the request in flight: set by End, cleared once its response
	// has been handled.
	r             *ClientRequest
	informational func(status int, h *headers.Table) // w.inform
}

var wirePool = sync.Pool{New: func() any {
	w := &clientWire{req: engine.AcquireClientRequest()}
	w.informational = w.inform
	return w
}}

// inform passes a 1xx response to the request in flight, on the event loop.
func (w *clientWire) inform(status int, h *headers.Table) {
	if r := w.r; r != nil {
		r.informational(status, h)
	}
}

// release resets w and returns it to the pool.
func (w *clientWire) release() {
	w.req.Reset()
	w.r = nil
	wirePool.Put(w)
}

// informational receives the 1xx responses, on the event loop: after
// 'socket' and 'finish' (the request is out), 'continue' for a 100, and
// 'information' for each, as Node emits them.
func (r *ClientRequest) informational(status int, h *headers.Table) {
	x := r.x
	x.mu.Lock()
	// r.conn, set before the request was written: r.cc may not be set
	// yet, by a writing goroutine slower than the server's answer.
	cc := r.conn
	tell := cc != nil && !r.answered
	if tell {
		r.headArrivedLocked()
	}
	var conts []func()
	if status == 100 {
		conts = r.onContinue
	}
	fns := r.onInformation
	x.mu.Unlock()
	if tell {
		r.announceConn(cc)
	}
	emit0(conts)
	if len(fns) == 0 {
		return
	}
	raw := copyFields(h)
	if raw == nil {
		raw = []string{}
	}
	emit(fns, Information{
		StatusCode:    status,
		StatusMessage: STATUS_CODES[status],
		HTTPVersion:   "1.1",
		RawHeaders:    raw,
		Headers:       mergeFields(raw, false),
	})
}

// timedOut emits 'timeout' if no response has arrived, or its body has
// stalled: after 'socket', 'prefinish' and 'finish' if the request is out,
// as Node has them by then.
func (r *ClientRequest) timedOut() {
	x := r.x
	x.mu.Lock()
	if r.destroyed || r.answered && !r.bodyIdle.Load() {
		x.mu.Unlock()
		return
	}
	cc := r.conn
	tell := cc != nil && !r.answered
	fns := r.onTimeout
	x.mu.Unlock()
	if tell {
		r.announceConn(cc)
	}
	emit0(fns)
}

// announce emits what is due and not yet emitted of the request's
// 'socket' (always: sock gives the connection's addresses, zero when it
// failed), 'prefinish' (once End was called) and 'finish' (once the
// request is written), in this order and each once. They come from the
// goroutines that learn of them (a dial's, the writer's, the event loop's,
// a timer's); annMu, held while they are emitted, makes what a caller
// emits after announce returns (a 'response', 'timeout' or 'error') come
// after them, as in Node.
func (r *ClientRequest) announce(sock SocketInfo) { r.announceFrom(nil, sock) }

// announceConn is announce for a request on cc, whose addresses are read
// only when a 'socket' listener is due: most requests have none, and
// formatting them twice more per request cost ~370 instructions.
func (r *ClientRequest) announceConn(cc *engine.ClientConn) { r.announceFrom(cc, SocketInfo{}) }

// announceFrom is announce with sock read from cc if cc is not nil.
func (r *ClientRequest) announceFrom(cc *engine.ClientConn, sock SocketInfo) {
	r.annMu.Lock()
	defer r.annMu.Unlock()
	x := r.x
	x.mu.Lock()
	if !r.socketTold {
		r.socketTold = true
		// Destroyed before its new connection's 'socket' came (between
		// SocketDialing and here): Node's request never gets that socket,
		// which its agent frees for the next request.
		socks := r.onSocket
		if r.destroyed && r.cc == nil && r.conn == nil {
			socks = nil
		}
		if len(socks) > 0 {
			r.inSocket = true
			x.mu.Unlock()
			if cc != nil {
				sock = connSocketInfo(cc)
			}
			emit(socks, sock)
			x.mu.Lock()
			r.inSocket = false
		}
	}
	var pre, fins []func()
	// A request destroyed before it was written (by a 'socket' listener)
	// emits neither, as Node's.
	if !r.destroyed || r.cc != nil {
		if r.ended && !r.prefinishTold {
			r.prefinishTold = true
			if r.rare != nil {
				pre = r.rare.onPrefinish
			}
		}
		if r.written && !r.finished {
			r.finished = true
			fins = r.onFinish
		}
	}
	x.mu.Unlock()
	emit0(pre)
	emit0(fins)
}

// announceLater is announce for a call from inside End, where Node emits
// nothing: on a goroutine of its own, if there are listeners to call.
// Without any (a keep-alive GET's usual case, which then costs no
// goroutine), the next announce, at the latest the response head's, emits
// what listeners are added meanwhile.
func (r *ClientRequest) announceLater(cc *engine.ClientConn) {
	x := r.x
	x.mu.Lock()
	due := !r.socketTold && len(r.onSocket) > 0 ||
		r.written && !r.finished && len(r.onFinish) > 0 ||
		r.ended && !r.prefinishTold && r.rare != nil && len(r.rare.onPrefinish) > 0
	x.mu.Unlock()
	if due {
		go r.announceConn(cc)
	}
}

// headArrivedLocked notes that a response head has arrived: the request
// is written unless its body is still being streamed (a server may answer
// early), even if the writer has yet to report it. x.mu is held.
func (r *ClientRequest) headArrivedLocked() {
	if r.wbody == nil || r.wbody.sent() {
		r.written = true
	}
}

// Destroy is Node's request.destroy(err): a request that has no response
// yet fails with err ("socket hang up" for nil) and emits 'close'; its
// response, if it comes, is dropped. A request already sent has its
// connection closed at once, as in Node, so that an agent's next request
// does not queue behind it: without a response head, it emits 'socket',
// 'finish', the error and 'close'; a response whose body is arriving is
// cut short and emits 'aborted', 'error' and 'close'. A request waiting in
// its agent's queue emits its error and 'close' when the agent reaches it,
// as in Node.
func (r *ClientRequest) Destroy(err error) { r.destroy(err, false) }

// Abort is Node's request.abort() (deprecated there, kept for its events):
// Destroy with an 'abort' event. Before the request is on a connection it
// emits 'close' then 'abort', and no error; once sent, 'abort' comes
// before the error, or, with a response arriving, before its 'aborted'.
func (r *ClientRequest) Abort() { r.destroy(nil, true) }

func (r *ClientRequest) destroy(err error, abort bool) {
	x := r.x
	x.mu.Lock()
	if r.destroyed {
		x.mu.Unlock()
		return
	}
	r.destroyed = true
	r.destroyedInSocket = r.inSocket
	pending := !r.answered
	r.answered = true
	if r.timer != nil {
		r.timer.Stop()
	}
	if err == nil {
		err = ErrSocketHangUp
	}
	var aborts []func()
	if r.rare != nil {
		aborts = r.rare.onAbort
	}
	var cutRes *IncomingMessage
	switch {
	case pending && r.cc == nil && r.queued.Load():
		// Node's request ends when the agent would give it a socket;
		// RequestCancelled then refuses it and HandleResponse emits.
		r.late = true
		if abort {
			x.tickLocked(eventFunc(func() { emit0(aborts) }))
		} else {
			r.lateErr = err
		}
	case pending && abort && r.conn == nil && !r.socketTold:
		// No socket yet: Node's request closes, then emits 'abort'.
		x.tickLocked(eventFunc(r.emitClose))
		x.tickLocked(eventFunc(func() { emit0(aborts) }))
	case pending:
		if cc := r.cc; cc != nil {
			// Sent and awaiting its head: Node had emitted these.
			sock := connSocketInfo(cc)
			x.tickLocked(eventFunc(func() { r.announce(sock) }))
		}
		if abort {
			x.tickLocked(eventFunc(func() { emit0(aborts) }))
		}
		errs := r.onError
		x.tickLocked(eventFunc(func() { emit(errs, err) }))
		x.tickLocked(eventFunc(r.emitClose))
	case abort && r.res != nil:
		cutRes = r.res
	}
	// The cut after the events: Node's request has emitted them by the
	// time its socket's close gives the agent's slot to a queued request,
	// whose 'socket' comes as its new connection starts.
	x.tickLocked(eventFunc(func() { r.cut(err) }))
	x.mu.Unlock()
	if cutRes != nil {
		// On the response's queue, ahead of the 'aborted' its cut brings.
		cutRes.x.tick(eventFunc(func() { emit0(aborts) }))
		cutRes.x.flushTicks()
	}
	x.flushTicks()
}

// cut stops a destroyed request's body being written and closes its
// connection, if it has them.
func (r *ClientRequest) cut(err error) {
	x := r.x
	x.mu.Lock()
	if r.wbody != nil {
		r.wbody.close(err) // the engine's writer stops and closes the connection
	}
	if r.cc != nil {
		// The engine reports the cut exchange to HandleResponse, which
		// drops it or ends the response. Under mu: HandleResponse clears
		// r.cc before it releases the response Cancel looks for.
		r.cc.Cancel(r.eresp)
	}
	if r.conn == nil && r.dialCancel != nil && r.socketTold && !r.destroyedInSocket {
		// Its new connection is still connecting: Node destroys the
		// socket, and the agent stops counting it. Destroyed before
		// 'socket' came, the request leaves it to the agent, as Node's.
		r.dialCancel()
	}
	x.mu.Unlock()
}

// emitClose is a tick: the request's 'close', then, for a kept-alive
// socket, Node's 'free': the agent takes the connection back (for its next
// queued request or its free list) and its 'free' listeners run.
func (r *ClientRequest) emitClose() {
	x := r.x
	x.mu.Lock()
	fns := r.onClose
	held := r.held
	r.held = false
	x.mu.Unlock()
	emit0(fns)
	if held {
		r.agent.free(r.conn)
	}
}

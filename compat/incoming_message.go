package compat

import (
	"net"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
)

// IncomingMessage is Node's http.IncomingMessage: a request as a server's
// listener gets it, or a response as a client request's callback gets it.
// Its exported fields are set before the message is handed out and never
// change. Its methods are safe from any goroutine.
//
// The body arrives through 'data' events (OnData) and ends with 'end'
// (OnEnd), in Node's order; registering a data listener or calling Resume
// starts the flow, Pause stops it and stops reading the connection once
// its buffer is full.
type IncomingMessage struct {
	x *exchange

	// Method is the request method, as sent (server side only).
	Method string
	// URL is the request-target, as sent: path and query (server side only).
	URL string
	// StatusCode and StatusMessage are the response's status (client side only).
	StatusCode    int
	StatusMessage string
	// HTTPVersion is "1.1" or "1.0"; HTTPVersionMajor and HTTPVersionMinor are its parts.
	HTTPVersion      string
	HTTPVersionMajor int
	HTTPVersionMinor int
	// RawHeaders lists the header fields as received: name, value, name,
	// value, ..., names in their original case.
	RawHeaders []string
	// Socket is the connection the message arrived on, Node's
	// message.socket: on a server, the same object as its response's
	// Socket and the 'connection' listener's socket; on a client, the
	// connection's addresses only.
	Socket *Socket

	res *ServerResponse // server side: the response to this request

	// built holds Headers and HeadersDistinct once made.
	built atomic.Pointer[builtHeaders]

	// Guarded by x.mu.
	req          *engine.Request // server side: valid while the body streams and !x.wireEnded
	flowing      bool            // Node's readableFlowing === true
	paused       bool            // Pause was called: readableFlowing === false
	enginePaused bool            // req.Pause was called and not undone
	bodyDone     bool            // the body has arrived in full
	endQueued    bool            // 'end' is queued or emitted
	ended        bool            // 'end' was emitted (readableEnded)
	closed       bool            // 'close' was emitted
	dumped       bool            // the body is discarded (Node's _dump)
	onData       []func([]byte)
	onEnd        []func()
	// more holds what only some messages use, so that a server exchange
	// stays within its size class; nil until then.
	more *messageExtra

	// Client side, set before the message is handed out: the request, whose
	// 'close' is queued after the message's 'end' when closeReqOnEnd (a
	// kept-alive socket), else after its 'close'.
	creq          *ClientRequest
	closeReqOnEnd bool
	// streaming reports whether the body is arriving from creq.conn,
	// which push may pause (client side; guarded by x.mu).
	streaming bool
	// joinDuplicates is Node's joinDuplicateHeaders option. It sits with
	// the bools above, in what would be padding.
	joinDuplicates bool
	// aborting reports that the exchange was cut short (the client went
	// away, or ServerResponse.Destroy) and its events are emitted or
	// queued (server side; guarded by x.mu).
	aborting bool
	// Upgrade is Node's message.upgrade: true for a request handed to an
	// 'upgrade' or 'connect' listener, false for one handed to 'request'
	// (also an Upgrade request when nobody listens for 'upgrade'), as in
	// Node. Set before the message is handed out; it sits here, in what
	// would be padding.
	Upgrade bool
	// headerCount, when not 0, is how many of RawHeaders' fields Headers
	// and HeadersDistinct hold: Node's maxHeadersCount cut them there
	// (server side; set before the message is handed out; in padding).
	headerCount uint16
}

// messageExtra is the state of an IncomingMessage that has a body held
// back, trailers, or listeners other than 'data' and 'end'. Guarded by x.mu.
type messageExtra struct {
	pending     [][]byte // body pieces that arrived while not flowing; owned copies
	rawTrailers []string
	onClose     []func()
	onAborted   []func()
	onError     []func(error)
	onTimeout   []func()       // server side (server_timeouts.go)
	destroyed   bool           // Destroy was called (server_request.go)
	dec         *stringDecoder // set by SetEncoding
}

// moreLocked returns m.more, made if needed.
func (m *IncomingMessage) moreLocked() *messageExtra {
	if m.more == nil {
		m.more = new(messageExtra)
	}
	return m.more
}

// pendingLocked returns the body pieces held back.
func (m *IncomingMessage) pendingLocked() [][]byte {
	if m.more == nil {
		return nil
	}
	return m.more.pending
}

// listenersLocked returns the 'aborted', 'error' and 'close' listeners.
func (m *IncomingMessage) listenersLocked() (aborted []func(), errs []func(error), closes []func()) {
	if e := m.more; e != nil {
		return e.onAborted, e.onError, e.onClose
	}
	return nil, nil, nil
}

// builtHeaders are a message's Headers and HeadersDistinct.
type builtHeaders struct {
	headers  map[string]string
	distinct map[string][]string
}

// SocketInfo describes a message's connection, as Node's message.socket
// does: addresses in their textual form and ports.
type SocketInfo struct {
	RemoteAddress string
	RemotePort    int
	RemoteFamily  string // "IPv4" or "IPv6"; empty for unix sockets
	LocalAddress  string
	LocalPort     int
}

// socketInfo returns a SocketInfo for the connection's addresses.
func socketInfo(remote, local net.Addr) SocketInfo {
	var s SocketInfo
	s.fill(remote, local)
	return s
}

// fill sets s from the connection's addresses.
func (s *SocketInfo) fill(remote, local net.Addr) {
	if a, ok := remote.(*net.TCPAddr); ok {
		n := ipNameOf(a.IP)
		s.RemoteAddress, s.RemotePort, s.RemoteFamily = n.text, a.Port, n.family
	}
	if a, ok := local.(*net.TCPAddr); ok {
		s.LocalAddress, s.LocalPort = ipNameOf(a.IP).text, a.Port
	}
}

// ipNames interns the text of recent IP addresses, in a direct-mapped
// table: a server formats its own address and its client's for every
// request, and net.IP.String allocates each time. A miss formats the
// address and takes the slot.
var ipNames [64]atomic.Pointer[ipName]

type ipName struct {
	ip     string // the address's bytes, 4 for IPv4
	text   string
	family string
}

// ipString returns ip.String(), interned.
func ipString(ip net.IP) string { return ipNameOf(ip).text }

// ipNameOf returns ip's interned text and family.
func ipNameOf(ip net.IP) *ipName {
	if v4 := ip.To4(); v4 != nil {
		ip = v4 // net.IP prints an IPv4 address alike in its 4- and 16-byte forms
	}
	h := uint32(2166136261) // FNV-1a
	for _, c := range ip {
		h = (h ^ uint32(c)) * 16777619
	}
	slot := &ipNames[h%uint32(len(ipNames))]
	if n := slot.Load(); n != nil && n.ip == string(ip) {
		return n
	}
	n := &ipName{ip: string(ip), text: ip.String(), family: family(ip)}
	slot.Store(n)
	return n
}

func family(ip net.IP) string {
	if ip.To4() != nil {
		return "IPv4"
	}
	return "IPv6"
}

// copyFields returns t's fields as Node's rawHeaders, copied into one string.
func copyFields(t *headers.Table) []string {
	if t == nil || t.Len() == 0 {
		return nil
	}
	_, raw := copyHead(nil, t, make([]string, 0, 2*t.Len()))
	return raw
}

func versionString(major, minor int) string {
	if major == 1 && minor == 1 {
		return "1.1"
	}
	if major == 1 && minor == 0 {
		return "1.0"
	}
	return strconv.Itoa(major) + "." + strconv.Itoa(minor)
}

// Headers returns Node's message.headers: names lower-cased, duplicates
// merged by Node's rules (the first of a single-valued field such as
// content-type wins, cookie values join with "; ", others with ", ").
// Set-cookie, a list in Node, is joined with ", " here; HeadersDistinct
// keeps its values apart. The map is built once and shared by every call.
func (m *IncomingMessage) Headers() map[string]string {
	return m.build().headers
}

// HeadersDistinct returns Node's message.headersDistinct: every value of
// every field, names lower-cased, in arrival order. Built once and shared.
func (m *IncomingMessage) HeadersDistinct() map[string][]string {
	return m.build().distinct
}

// build returns the maps, made on the first call; concurrent first calls
// may each make them, and all get those stored first.
func (m *IncomingMessage) build() *builtHeaders {
	if b := m.built.Load(); b != nil {
		return b
	}
	raw := m.RawHeaders
	if n := int(m.headerCount) * 2; n > 0 && n < len(raw) {
		raw = raw[:n]
	}
	b := &builtHeaders{mergeFields(raw, m.joinDuplicates), distinctFields(raw)}
	if !m.built.CompareAndSwap(nil, b) {
		b = m.built.Load()
	}
	return b
}

// mergeFields applies Node's message.headers rules to raw name/value pairs.
func mergeFields(raw []string, joinDuplicates bool) map[string]string {
	h := make(map[string]string, len(raw)/2)
	for i := 0; i+1 < len(raw); i += 2 {
		key := strings.ToLower(raw[i])
		if key == "__proto__" {
			continue // Node: assigning __proto__ sets the prototype
		}
		rule := headers.RuleOf(headers.LookupID([]byte(raw[i])))
		old, ok := h[key]
		switch {
		case !ok:
			h[key] = raw[i+1]
		case rule == headers.RuleFirst && !joinDuplicates:
		case rule == headers.RuleCookie:
			h[key] = old + "; " + raw[i+1]
		default:
			h[key] = old + ", " + raw[i+1]
		}
	}
	return h
}

func distinctFields(raw []string) map[string][]string {
	d := make(map[string][]string, len(raw)/2)
	for i := 0; i+1 < len(raw); i += 2 {
		key := strings.ToLower(raw[i])
		d[key] = append(d[key], raw[i+1])
	}
	return d
}

// Trailers returns Node's message.trailers (merged like Headers); it is
// empty until 'end'.
func (m *IncomingMessage) Trailers() map[string]string {
	return mergeFields(m.RawTrailers(), m.joinDuplicates)
}

// RawTrailers returns Node's message.rawTrailers; it is empty until 'end'.
func (m *IncomingMessage) RawTrailers() []string {
	m.x.mu.Lock()
	defer m.x.mu.Unlock()
	if m.more == nil {
		return nil
	}
	return m.more.rawTrailers
}

// Complete reports whether the whole message has been received (Node's message.complete).
func (m *IncomingMessage) Complete() bool {
	m.x.mu.Lock()
	defer m.x.mu.Unlock()
	return m.bodyDone
}

// ReadableEnded reports whether 'end' has been emitted.
func (m *IncomingMessage) ReadableEnded() bool {
	m.x.mu.Lock()
	defer m.x.mu.Unlock()
	return m.ended
}

// IsPaused reports whether Pause was called and not undone (Node's readable.isPaused()).
func (m *IncomingMessage) IsPaused() bool {
	m.x.mu.Lock()
	defer m.x.mu.Unlock()
	return m.paused
}

// ReadableLength returns how many body bytes have arrived and wait for
// the message to flow (Node's readable.readableLength).
func (m *IncomingMessage) ReadableLength() int {
	m.x.mu.Lock()
	defer m.x.mu.Unlock()
	return pendingBytes(m.pendingLocked())
}

// OnData registers a 'data' listener and, unless the message is paused,
// starts the flow of the body. chunk is valid only during the call: copy it
// to keep it.
func (m *IncomingMessage) OnData(fn func(chunk []byte)) {
	m.x.mu.Lock()
	m.onData = append(m.onData, fn)
	start := !m.paused && !m.flowing
	if start {
		m.flowing = true
		m.x.tickLocked((*flowEvent)(m))
	}
	m.x.mu.Unlock()
	if start {
		m.x.do(nil)
	}
}

// OnEnd registers an 'end' listener: the body has been consumed in full.
func (m *IncomingMessage) OnEnd(fn func()) {
	m.x.mu.Lock()
	m.onEnd = append(m.onEnd, fn)
	m.x.mu.Unlock()
}

// OnClose registers a 'close' listener.
func (m *IncomingMessage) OnClose(fn func()) {
	m.x.mu.Lock()
	e := m.moreLocked()
	e.onClose = append(e.onClose, fn)
	m.x.mu.Unlock()
}

// OnAborted registers an 'aborted' listener: on a server, the client went
// away before the request was read to the end. (Deprecated in Node, kept
// for its order.)
func (m *IncomingMessage) OnAborted(fn func()) {
	m.x.mu.Lock()
	e := m.moreLocked()
	e.onAborted = append(e.onAborted, fn)
	m.x.mu.Unlock()
}

// OnError registers an 'error' listener: on a server, ErrRequestAborted
// when the client went away before the request was read to the end.
func (m *IncomingMessage) OnError(fn func(error)) {
	m.x.mu.Lock()
	e := m.moreLocked()
	e.onError = append(e.onError, fn)
	m.x.mu.Unlock()
}

// Pause stops 'data' events (Node's readable.pause()). Body bytes that
// arrive meanwhile are kept; on a server, the connection stops being read
// once its buffer fills.
func (m *IncomingMessage) Pause() {
	m.x.mu.Lock()
	m.paused, m.flowing = true, false
	m.x.mu.Unlock()
}

// Resume starts or restarts 'data' events (Node's readable.resume()).
func (m *IncomingMessage) Resume() {
	m.x.mu.Lock()
	m.paused = false
	if !m.flowing {
		m.flowing = true
		m.x.tickLocked((*flowEvent)(m))
	}
	m.x.mu.Unlock()
	m.x.do(nil)
}

// flowLocked is a tick: it emits the pending body pieces while the message
// flows, resumes the engine once they are out, and queues 'end' when the
// body is done.
func (m *IncomingMessage) flowLocked() {
	x := m.x
	for m.flowing && len(m.pendingLocked()) > 0 {
		e := m.more
		chunk := e.pending[0]
		e.pending[0] = nil
		e.pending = e.pending[1:]
		fns := m.onData
		x.mu.Unlock()
		emit(fns, chunk)
		x.mu.Lock()
	}
	if m.flowing && len(m.pendingLocked()) == 0 && m.enginePaused {
		m.resumeSourceLocked()
	}
	m.maybeEndLocked()
}

// push delivers a piece of the body: to the data listeners now if the
// message flows, else into pending (and, on a server, pauses the engine).
// Called on the loop, or on the goroutine delivering a client response,
// without x.mu held. chunk is a view valid only during the call.
func (m *IncomingMessage) push(chunk []byte) {
	x := m.x
	x.mu.Lock()
	if m.dumped || len(chunk) == 0 {
		x.mu.Unlock()
		return
	}
	if m.more != nil && m.more.dec != nil {
		if chunk = m.more.dec.write(chunk); len(chunk) == 0 {
			x.mu.Unlock()
			return
		}
	}
	if m.flowing && len(m.pendingLocked()) == 0 {
		fns := m.onData
		x.mu.Unlock()
		emit(fns, chunk)
		return
	}
	e := m.moreLocked()
	e.pending = append(e.pending, append([]byte(nil), chunk...))
	if !m.enginePaused && !m.flowing {
		switch {
		case m.req != nil:
			// Node reads on until the readable's buffer holds its
			// highWaterMark (16 KiB), then pauses the socket.
			if n := pendingBytes(e.pending); n >= HighWaterMark {
				m.enginePaused = true
				m.req.Pause()
			}
		case m.streaming:
			// Node pauses the socket once the readable's buffer is full;
			// the engine reads at most once more after this.
			m.enginePaused = true
			m.creq.conn.SetReadPaused(true)
		}
	}
	x.mu.Unlock()
}

// resumeSourceLocked undoes the pause of the engine's request or
// connection that push asked for.
func (m *IncomingMessage) resumeSourceLocked() {
	m.enginePaused = false
	if m.req != nil {
		m.req.Resume()
	} else if m.streaming {
		m.creq.conn.SetReadPaused(false)
	}
}

// bodyEnd records that the body has arrived in full, with its trailers.
func (m *IncomingMessage) bodyEnd(trailers *headers.Table) { m.bodyEndRaw(copyFields(trailers)) }

// bodyEndRaw is bodyEnd with the trailers as raw name/value pairs.
func (m *IncomingMessage) bodyEndRaw(raw []string) {
	m.x.mu.Lock()
	m.bodyEndLocked(raw)
	m.x.mu.Unlock()
}

// bodyEndLocked is bodyEndRaw with x.mu held.
func (m *IncomingMessage) bodyEndLocked(raw []string) {
	if m.more != nil && m.more.dec != nil && !m.dumped {
		if tail := m.more.dec.end(); len(tail) > 0 {
			if m.flowing && len(m.more.pending) == 0 {
				fns := m.onData
				m.x.mu.Unlock()
				emit(fns, tail)
				m.x.mu.Lock()
			} else {
				m.more.pending = append(m.more.pending, tail)
			}
		}
	}
	m.bodyDone = true
	if raw != nil {
		m.moreLocked().rawTrailers = raw
	}
	m.req = nil         // the engine's request is done with
	m.streaming = false // a client's connection reads again by itself
	m.enginePaused = false
	m.maybeEndLocked()
}

// dump discards the rest of the body, as Node does once a response has
// finished and nobody read the request: the message flows, so 'end' comes.
func (m *IncomingMessage) dump() {
	m.x.mu.Lock()
	m.dumpLocked()
	m.x.mu.Unlock()
}

// dumpLocked is dump with x.mu held.
func (m *IncomingMessage) dumpLocked() {
	if m.ended || m.flowing {
		return
	}
	m.dumped = true
	if m.more != nil {
		m.more.pending = nil
	}
	m.flowing, m.paused = true, false
	if m.enginePaused {
		m.resumeSourceLocked()
	}
	m.maybeEndLocked()
}

// maybeEndLocked queues 'end' once the body is done and consumed.
func (m *IncomingMessage) maybeEndLocked() {
	if m.bodyDone && m.flowing && len(m.pendingLocked()) == 0 && !m.endQueued {
		m.endQueued = true
		// Node's push(null) takes a tick to reach endReadableNT, which
		// emits 'end' on the next: two ticks (see events.go).
		m.x.tickLaterLocked((*endEvent)(m), 1)
	}
}

// emitEndLocked is a tick: 'end', then 'close' two ticks later (Node's
// autoDestroy destroys the stream on the next tick, and destroy emits
// 'close' on the one after).
func (m *IncomingMessage) emitEndLocked() {
	x := m.x
	m.ended = true
	if fns := m.onEnd; len(fns) > 0 {
		x.mu.Unlock()
		emit0(fns)
		x.mu.Lock()
	}
	if m.creq != nil && m.closeReqOnEnd {
		x.tickLocked((*requestCloseEvent)(m.creq))
	}
	x.tickLaterLocked((*closeEvent)(m), 1)
}

// emitCloseLocked is a tick: 'close', once.
func (m *IncomingMessage) emitCloseLocked() {
	x := m.x
	if m.closed {
		return
	}
	m.closed = true
	if _, _, fns := m.listenersLocked(); len(fns) > 0 {
		x.mu.Unlock()
		emit0(fns)
		x.mu.Lock()
	}
	if m.creq != nil && !m.closeReqOnEnd {
		x.tickLocked((*requestCloseEvent)(m.creq))
	}
}

// The message's events (see event).
type (
	flowEvent  IncomingMessage // flowLocked
	endEvent   IncomingMessage // emitEndLocked
	closeEvent IncomingMessage // emitCloseLocked
)

func (e *flowEvent) fireLocked(*exchange)  { (*IncomingMessage)(e).flowLocked() }
func (e *endEvent) fireLocked(*exchange)   { (*IncomingMessage)(e).emitEndLocked() }
func (e *closeEvent) fireLocked(*exchange) { (*IncomingMessage)(e).emitCloseLocked() }

// pendingBytes returns the bytes held in pending.
func pendingBytes(pending [][]byte) int {
	n := 0
	for _, p := range pending {
		n += len(p)
	}
	return n
}

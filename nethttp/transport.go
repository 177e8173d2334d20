package nethttp

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zerohttp/zerohttp/agentpool"
	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// Transport is an http.RoundTripper that sends requests through an
// agentpool.Agent, so that an http.Client uses the engine's connections:
//
//	client := &http.Client{Transport: &nethttp.Transport{}}
//
// Request bodies are streamed (chunked when their length is unknown),
// response bodies arrive as they are read, with at most about 64 KiB
// buffered per response before the connection stops being read. The
// request's context covers the whole exchange: connecting, the head and the
// body; when it ends, the request's connection is closed and the rest of the
// pool is untouched. Closing a response Body returns its connection to the
// pool once the response is complete, and closes the connection when the
// body was not read to its end, as net/http does.
//
// Unlike http.Transport it speaks plain http only (no TLS, HTTP/2 or
// proxies).
//
// A Transport is safe for concurrent use. RoundTrip blocks, so it must not be
// called on an event loop (it returns engine.ErrOnEventLoop there).
type Transport struct {
	// Agent carries the requests. Nil uses an agent made on first use that
	// keeps connections alive (agentpool.NewKeepAliveAgent).
	Agent *agentpool.Agent
	// DisableKeepAlives sends every request with "Connection: close".
	DisableKeepAlives bool
	// DisableCompression stops the Transport from asking for gzip. Without
	// it, as with http.Transport, a request with no Accept-Encoding or
	// Range field (and not HEAD) asks for gzip, and a gzip response is
	// decompressed as it is read, with Response.Uncompressed set.
	DisableCompression bool

	once  sync.Once
	agent *agentpool.Agent
	err   error
}

// DefaultTransport is the Transport of DefaultClient.
var DefaultTransport = &Transport{}

// DefaultClient is an http.Client on DefaultTransport.
var DefaultClient = &http.Client{Transport: DefaultTransport}

var _ http.RoundTripper = (*Transport)(nil)

// respPipeLimit is how many response body bytes wait for the reader before
// the connection stops being read (engine.ClientConn.SetReadPaused).
const respPipeLimit = 64 << 10

// inlineBodyLimit is the largest request body with a known length that is
// read at once (when GetBody says it is in memory) and sent with the head,
// rather than streamed by a goroutine of the engine.
const inlineBodyLimit = 16 << 10

func (t *Transport) pool() (*agentpool.Agent, error) {
	if t.Agent != nil {
		return t.Agent, nil
	}
	t.once.Do(func() { t.agent, t.err = agentpool.NewKeepAliveAgent(nil) })
	return t.agent, t.err
}

// CloseIdleConnections closes the agent's idle connections.
func (t *Transport) CloseIdleConnections() {
	if a, err := t.pool(); err == nil {
		a.CloseIdleConnections()
	}
}

// RoundTrip sends req and returns its response once the head has arrived.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if engine.OnEventLoop() {
		closeRequestBody(req)
		return nil, engine.ErrOnEventLoop
	}
	a, err := t.pool()
	if err != nil {
		closeRequestBody(req)
		return nil, err
	}
	if req.URL == nil {
		closeRequestBody(req)
		return nil, errors.New("nethttp: nil Request.URL")
	}
	if req.URL.Scheme != "http" {
		closeRequestBody(req)
		return nil, errors.New("nethttp: unsupported protocol scheme " + strconv.Quote(req.URL.Scheme))
	}
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		closeRequestBody(req)
		return nil, err
	}
	x := &trip{req: req, ex: pairPool.Get().(*enginePair)}
	x.cond.L = &x.mu
	if err := x.build(t.DisableKeepAlives, !t.DisableCompression); err != nil {
		x.ex.release()
		closeRequestBody(req)
		return nil, err
	}
	x.ex.resp.SetStreamer(x)
	var info *interims
	if ctx != context.Background() {
		info = traceInterims(ctx, x)
	}
	if ctx.Done() != nil {
		x.stopWatch = context.AfterFunc(ctx, func() { x.abort(context.Cause(ctx)) })
	}
	a.Request(&x.ex.req, &x.ex.resp, x)
	x.mu.Lock()
	for !x.told || info.pending() {
		if info.pending() {
			info.deliverLocked(x)
			continue
		}
		x.cond.Wait()
	}
	resp, err := x.resp, x.err
	x.mu.Unlock()
	if resp != nil {
		return resp, nil // a later failure shows in the body's reads
	}
	return nil, err
}

func closeRequestBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// enginePair is the engine request and response of a trip, pooled together:
// one pool round trip per request rather than one for each.
type enginePair struct {
	req  engine.ClientRequest
	resp engine.ClientResponse
}

var pairPool = sync.Pool{New: func() any { return new(enginePair) }}

// release empties e, as engine.ReleaseClientRequest and
// ReleaseClientResponse do, and returns it to the pool.
func (e *enginePair) release() {
	e.req.Reset()
	e.resp.Reset()
	e.resp.SetStreamer(nil)
	e.resp.SetMaxBodyBytes(0)
	pairPool.Put(e)
}

// trip is one request on its way through the Transport. It is the
// engine response's streamer and the request's handler, and its own
// response Body. It lives until the engine is done with it and the caller
// has its outcome.
type trip struct {
	req       *http.Request
	ex        *enginePair   // the engine's request and response; nil once released
	stopWatch func() bool   // stops the context watch; nil without one
	response  http.Response // what resp points to: one allocation with the trip
	head      headerSpace   // room for the response head's values and then a small body

	mu   sync.Mutex
	cond sync.Cond
	cc   *engine.ClientConn // guarded by mu: the connection, once known
	resp *http.Response     // guarded by mu
	err  error              // guarded by mu: why there is no response, or why its body failed
	buf  []byte             // guarded by mu: body bytes not yet read
	off  int                // guarded by mu: read offset in buf
	stop error              // guarded by mu: the context ended with this

	// The flags share a word: the trip fits its size class (TestTripSize).
	askedGzip bool // the request asked for gzip: decompress a gzip body
	told      bool // guarded by mu: resp or err is set for RoundTrip
	done      bool // guarded by mu: the engine is done; ex is released
	eof       bool // guarded by mu: the whole body arrived
	paused    bool // guarded by mu: the connection's reading was paused
	closed    bool // guarded by mu: Body.Close was called
	trailed   bool // guarded by mu: trailer fields wait in arrivedTrailers
}

// build fills the engine request from x.req.
func (x *trip) build(noKeepAlive, mayGzip bool) error {
	req, creq := x.req, &x.ex.req
	if req.Method != "" {
		creq.SetMethod(req.Method)
	}
	if err := creq.SetAddr(req.URL.Host); err != nil {
		return err
	}
	// The head's room is free until the response: SetPath copies the target.
	creq.SetPath(requestTarget(req.URL, x.head.text[:0]))
	if req.Host != "" && req.Host != req.URL.Host {
		creq.Header.AddString("Host", req.Host)
	}
	_, ownAgent := req.Header["User-Agent"]
	expect := false
	// A request's own Accept-Encoding or Range stops the Transport asking
	// for gzip (h.Get(k) != "", told apart here rather than looked up).
	ownCoding := false
	for k, vs := range req.Header {
		switch k {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer":
			continue // from the request's fields, as net/http
		case "User-Agent":
			if len(vs) > 0 && vs[0] == "" {
				continue // net/http: an empty User-Agent means none
			}
		case "Expect":
			expect = len(vs) > 0 && strings.EqualFold(vs[0], "100-continue")
		case "Accept-Encoding", "Range":
			ownCoding = ownCoding || len(vs) > 0 && vs[0] != ""
		}
		for _, v := range vs {
			creq.Header.AddString(k, v)
		}
	}
	x.askedGzip = mayGzip && !ownCoding && req.Method != http.MethodHead
	creq.FixedLines = fixedLines[b2i(!ownAgent)|b2i(x.askedGzip)<<1]
	if req.Close || noKeepAlive {
		creq.SetConnectionClose(true)
	}
	creq.OmitKeepAlive = true // as http.Transport: HTTP/1.1 keeps alive without it
	for k, vs := range req.Trailer {
		for _, v := range vs {
			creq.Trailer.AddString(k, v)
		}
		if len(vs) == 0 {
			creq.Trailer.AddString(k, "")
		}
	}
	body := req.Body
	if body == nil || body == http.NoBody {
		return nil
	}
	creq.SetExpectContinue(expect)
	n := req.ContentLength
	var src io.Reader = body
	chunked := len(req.TransferEncoding) > 0 && req.TransferEncoding[0] == "chunked"
	if n == 0 && !chunked && usuallyBodiless(req.Method) {
		// As http.Transport: a body of unknown length on a method that
		// usually has none is probed, and an empty one is not sent.
		var empty bool
		if empty, src = probeBody(body); empty {
			req.Body.Close()
			return nil
		}
	}
	if chunked || n == 0 {
		n = -1 // unknown: chunked
	}
	if n > 0 && n <= inlineBodyLimit && req.GetBody != nil && !expect {
		// In memory (NewRequest made GetBody): one write with the head.
		b := make([]byte, n)
		if _, err := io.ReadFull(body, b); err != nil {
			return errors.New("nethttp: reading the request body: " + err.Error())
		}
		body.Close()
		creq.SetBodyRaw(b)
		return nil
	}
	creq.SetBodyStream(requestStream{x, src}, n)
	return nil
}

// fixedLines are the fields the Transport adds, checked once rather than
// per request (engine.ClientRequest.FixedLines), by whether the request
// has its own User-Agent (bit 0 clear) and whether it asks for gzip (bit 1).
var fixedLines = [4]string{
	"",
	"User-Agent: Go-http-client/1.1\r\n",
	"Accept-Encoding: gzip\r\n",
	"User-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n",
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// requestTarget returns u.RequestURI(), built in buf when u has a query,
// which RequestURI would join into a new string; the result lives in buf
// until buf changes.
func requestTarget(u *url.URL, buf []byte) string {
	if u.RawQuery == "" || u.Opaque != "" {
		return u.RequestURI()
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if len(p)+1+len(u.RawQuery) > cap(buf) {
		return u.RequestURI()
	}
	b := append(append(append(buf[:0], p...), '?'), u.RawQuery...)
	return bytesString(b)
}

// usuallyBodiless reports whether requests with method usually carry no
// body (net/http's list, for which it probes a body of unknown length).
func usuallyBodiless(method string) bool {
	switch method {
	case "", http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodOptions, "PROPFIND", "SEARCH":
		return true
	}
	return false
}

// probeWait is how long probeBody waits for the first byte, as net/http.
const probeWait = 200 * time.Millisecond

// probeBody reads one byte of body, waiting up to probeWait, and reports
// whether body is empty; otherwise it returns a reader of the whole body.
// A body slower than that is taken as not empty, and its first Read
// waits for the probe.
func probeBody(body io.Reader) (empty bool, r io.Reader) {
	type result struct {
		n   int
		b   [1]byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var res result
		res.n, res.err = body.Read(res.b[:])
		ch <- res
	}()
	timer := time.NewTimer(probeWait)
	defer timer.Stop()
	select {
	case res := <-ch:
		switch {
		case res.n == 0 && res.err == io.EOF:
			return true, nil
		case res.n == 1 && res.err != nil:
			return false, io.MultiReader(bytes.NewReader(res.b[:1]), errReader{res.err})
		case res.n == 1:
			return false, io.MultiReader(bytes.NewReader(res.b[:1]), body)
		case res.err != nil:
			return false, errReader{res.err}
		}
		return false, body
	case <-timer.C:
		return false, io.MultiReader(lateProbe(func() ([]byte, error) {
			res := <-ch
			return res.b[:res.n], res.err
		}), body)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// lateProbe is the probed byte of a slow body, read when first asked for.
type lateProbe func() ([]byte, error)

func (f lateProbe) Read(p []byte) (int, error) {
	b, err := f()
	n := copy(p, b)
	if err == nil {
		err = io.EOF // on to the rest of the body
	}
	return n, err
}

// requestStream is the request body as the engine's writer reads it; at
// its end it sends the trailer values set meanwhile, as net/http does.
type requestStream struct {
	x    *trip
	body io.Reader // req.Body, or what probeBody made of it
}

func (s requestStream) Read(p []byte) (int, error) {
	n, err := s.body.Read(p)
	if err == io.EOF && len(s.x.req.Trailer) > 0 {
		tr := &s.x.ex.req.Trailer // the writer owns the request until it is done
		tr.Reset(nil)
		for k, vs := range s.x.req.Trailer {
			for _, v := range vs {
				tr.AddString(k, v)
			}
		}
	}
	return n, err
}

// tell gives RoundTrip its outcome, once. Must hold mu.
func (x *trip) tellLocked() {
	if !x.told {
		x.told = true
		x.cond.Broadcast()
	}
}

// RequestSent learns the connection, to cancel the request on it. Without
// a context to watch nothing cancels it before its head arrives, which
// tells the connection again.
func (x *trip) RequestSent(cc *engine.ClientConn) {
	if x.stopWatch == nil { // set before the agent has x, then only read
		return
	}
	x.mu.Lock()
	x.cc = cc
	if x.stop != nil && !x.done {
		cc.Cancel(&x.ex.resp)
	}
	x.mu.Unlock()
}

// RequestCancelled tells the agent not to send a request whose context
// ended while it waited for a socket.
func (x *trip) RequestCancelled() error {
	if x.stopWatch == nil {
		return nil // no context to end it
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.stop
}

var _ agentpool.Canceler = (*trip)(nil)

// ResponseHead builds the *http.Response; it runs on the event loop.
func (x *trip) ResponseHead(cc *engine.ClientConn, cresp *engine.ClientResponse) {
	resp, seen := newResponse(&x.response, &x.head, x.req, cresp)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.cc = cc
	if x.stop != nil {
		cc.Cancel(cresp)
		return
	}
	switch {
	case bodyless(cresp):
		resp.Body = http.NoBody
	case x.askedGzip && seen&idBit(headers.ContentEncoding) != 0 && strings.EqualFold(firstValue(resp.Header, "Content-Encoding"), "gzip"):
		resp.Body = &gzipBody{body: (*responseBody)(x)}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	default:
		resp.Body = (*responseBody)(x)
	}
	// A small body goes after the head's bytes (enough for a short JSON
	// reply); appends move a larger one out.
	x.buf = x.head.text[x.head.used:x.head.used:len(x.head.text)]
	x.resp = resp
	x.tellLocked()
}

// ResponseBody keeps a piece of the body for the reader, pausing the
// connection while the reader lags; it runs on the event loop.
func (x *trip) ResponseBody(cc *engine.ClientConn, chunk []byte) {
	x.mu.Lock()
	if !x.closed && x.stop == nil {
		x.buf = append(x.buf, chunk...)
		if len(x.buf)-x.off >= respPipeLimit && !x.paused {
			x.paused = true
			cc.SetReadPaused(true)
		}
		x.cond.Broadcast()
	}
	x.mu.Unlock()
}

// HandleResponse runs once the response is complete or failed.
func (x *trip) HandleResponse(_ *engine.ClientConn, _ *engine.ClientRequest, cresp *engine.ClientResponse, err error) {
	x.mu.Lock()
	x.done = true
	switch {
	case err != nil:
		if x.err == nil {
			x.err = transportErr(err, x.resp != nil)
		}
	case x.resp == nil && x.stop == nil:
		// No head went to the streamer: a 101 or a 2xx to CONNECT, whose
		// connection is now the body.
		resp, seen := newResponse(&x.response, &x.head, x.req, cresp)
		if tc := cresp.Tunnel(); tc != nil {
			resp.Body = tc
			// As http.Transport: a 101 has no body (its Body is the
			// connection), and Close comes from the fields alone, though
			// the connection leaves the pool. ReverseProxy writes the 101
			// on with Connection: close when either says otherwise.
			if resp.StatusCode == http.StatusSwitchingProtocols {
				resp.ContentLength = 0
			}
			conn := resp.Header["Connection"]
			hadClose := hasToken(conn, "close") || seen&idBit(headers.Connection) != 0 && conn == nil // dropped for its close
			resp.Close = hadClose || resp.ProtoMajor == 1 && resp.ProtoMinor == 0 && !hasToken(conn, "keep-alive")
		} else {
			resp.Body = http.NoBody
		}
		x.resp = resp
	default:
		x.eof = true
		if t := cresp.Trailer(); t.Len() > 0 && x.resp != nil {
			// Not into resp.Trailer: its caller may be reading that map
			// now (ReverseProxy does before the body), as net/http allows
			// until Read returns io.EOF.
			h := make(http.Header, t.Len())
			copyHeader(h, t, nil)
			arrivedTrailers.Store(x, h)
			x.trailed = true
		}
	}
	if x.err == nil && x.stop != nil {
		x.err = x.stop
	}
	x.tellLocked()
	x.cond.Broadcast()
	ex := x.ex
	x.ex = nil
	finished := x.err != nil || x.resp == nil || x.resp.Body == http.NoBody
	x.mu.Unlock()
	closeRequestBody(x.req)
	ex.release()
	if finished && x.stopWatch != nil {
		x.stopWatch()
	}
}

// abort ends the exchange because its context ended: RoundTrip returns
// cause if no head came yet, and the connection is closed if the
// response is still on its way.
func (x *trip) abort(cause error) {
	x.mu.Lock()
	if x.stop != nil || x.closed || (x.done && x.eof) {
		x.mu.Unlock()
		return
	}
	x.stop = cause
	if x.err == nil {
		x.err = cause
	}
	if !x.done && x.cc != nil {
		x.cc.Cancel(&x.ex.resp)
	}
	x.tellLocked()
	x.cond.Broadcast()
	x.mu.Unlock()
	// Unblocks the engine's writer if it waits for more of the body.
	closeRequestBody(x.req)
}

// responseBody is a trip seen as the response's Body.
type responseBody trip

var errReadOnClosedBody = errors.New("http: read on closed response body")

// Read returns the body's bytes as they arrive.
func (b *responseBody) Read(p []byte) (int, error) {
	x := (*trip)(b)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.waitLocked()
	if x.closed {
		return 0, errReadOnClosedBody
	}
	if x.off < len(x.buf) {
		n := copy(p, x.buf[x.off:])
		x.consumedLocked(n)
		return n, nil
	}
	return 0, x.endLocked()
}

// WriteTo writes the body to w as it arrives; io.Copy prefers it to Read,
// and it saves the copy through io.Copy's buffer.
func (b *responseBody) WriteTo(w io.Writer) (int64, error) {
	x := (*trip)(b)
	var total int64
	x.mu.Lock()
	defer x.mu.Unlock()
	for {
		x.waitLocked()
		if x.closed {
			return total, errReadOnClosedBody
		}
		if x.off == len(x.buf) {
			if err := x.endLocked(); err != io.EOF {
				return total, err
			}
			return total, nil
		}
		// Unlocked, the loop only appends after these bytes (or moves to a
		// new array), and Close drops buf without writing to it.
		p := x.buf[x.off:]
		x.mu.Unlock()
		n, err := w.Write(p)
		x.mu.Lock()
		total += int64(n)
		if !x.closed {
			x.consumedLocked(n)
		}
		if err != nil {
			return total, err
		}
		if n < len(p) {
			return total, io.ErrShortWrite
		}
	}
}

// waitLocked waits for bytes to read, the body's end or failure, or Close.
func (x *trip) waitLocked() {
	for x.off == len(x.buf) && !x.eof && x.err == nil && !x.closed {
		x.cond.Wait()
	}
}

// consumedLocked drops the first n unread bytes and resumes reading the
// connection once the reader has caught up.
func (x *trip) consumedLocked(n int) {
	x.off += n
	if x.off == len(x.buf) {
		x.buf, x.off = x.buf[:0], 0
	} else if x.off > len(x.buf)/2 && x.off >= 4096 {
		x.buf = x.buf[:copy(x.buf, x.buf[x.off:])]
		x.off = 0
	}
	if x.paused && len(x.buf)-x.off < respPipeLimit/2 {
		x.paused = false
		if !x.done {
			x.cc.SetReadPaused(false)
		}
	}
}

// endLocked returns why there is nothing more to read: the failure, or
// io.EOF at the body's end, when the context watch stops.
func (x *trip) endLocked() error {
	if x.trailed {
		x.takeTrailerLocked()
	}
	if x.err != nil {
		return x.err
	}
	if x.stopWatch != nil {
		x.stopWatch()
	}
	return io.EOF
}

// arrivedTrailers holds the trailer fields of trips whose body has
// arrived, until the reader reaches its end: few responses have them, and
// a field for them would push the trip into a larger size class.
var arrivedTrailers sync.Map // *trip -> http.Header

// takeTrailerLocked adds the trailer fields that arrived to resp.Trailer,
// on the reader's goroutine as its Read returns io.EOF (or drops them
// when the body failed or was closed).
func (x *trip) takeTrailerLocked() {
	x.trailed = false
	v, _ := arrivedTrailers.LoadAndDelete(x)
	h, _ := v.(http.Header)
	if x.err != nil || x.closed || h == nil {
		return
	}
	if x.resp.Trailer == nil {
		x.resp.Trailer = h
		return
	}
	for k, vs := range h {
		x.resp.Trailer[k] = vs
	}
}

// Close drops what is left of the body. If the response is still arriving,
// its connection is closed, as net/http does, rather than drained.
func (b *responseBody) Close() error {
	x := (*trip)(b)
	x.mu.Lock()
	if !x.closed {
		x.closed = true
		x.buf, x.off = nil, 0
		if x.trailed {
			x.takeTrailerLocked()
		}
		if !x.done && x.cc != nil {
			x.cc.Cancel(&x.ex.resp)
		}
		x.cond.Broadcast()
	}
	x.mu.Unlock()
	if x.stopWatch != nil {
		x.stopWatch()
	}
	return nil
}

// bodyless reports whether a response has no body to read.
func bodyless(cresp *engine.ClientResponse) bool {
	return cresp.Framing() == parse.BodyNone
}

// newResponse copies the head of cresp into resp as net/http's transport
// reads it, with its values in sp if they fit, and returns resp.
func newResponse(resp *http.Response, sp *headerSpace, req *http.Request, cresp *engine.ClientResponse) (*http.Response, uint64) {
	code := cresp.StatusCode()
	major, minor := cresp.Version()
	status := statusLine(code, cresp.Reason())
	h := cresp.Header()
	*resp = http.Response{
		Status:        status,
		StatusCode:    code,
		Proto:         responseProto(major, minor),
		ProtoMajor:    major,
		ProtoMinor:    minor,
		Header:        make(http.Header, h.Len()),
		Request:       req,
		ContentLength: -1,
		Close:         !cresp.KeepAlive(),
	}
	seen := copyHeader(resp.Header, h, sp)
	if seen&idBit(headers.Connection) != 0 && major == 1 && minor == 1 && hasToken(resp.Header["Connection"], "close") {
		delete(resp.Header, "Connection") // net/http keeps it as Response.Close only
	}
	switch cresp.Framing() {
	case parse.BodyChunked:
		resp.TransferEncoding = []string{"chunked"}
		delete(resp.Header, "Transfer-Encoding")
		delete(resp.Header, "Content-Length")
		resp.Trailer = declaredTrailer(resp.Header)
		delete(resp.Header, "Trailer")
	case parse.BodyLength:
		if v, ok := h.GetID(headers.ContentLength); ok {
			resp.ContentLength = parseLength(v)
		}
	case parse.BodyNone:
		switch {
		case code == http.StatusNoContent || code == http.StatusNotModified || code < 200:
			resp.ContentLength = 0
		case req.Method == http.MethodHead:
			if v := firstValue(resp.Header, "Content-Length"); v != "" {
				resp.ContentLength, _ = strconv.ParseInt(v, 10, 64)
			}
		default:
			resp.ContentLength = 0
		}
	}
	return resp, seen
}

// idBit is id's bit in the set that copyHeader returns.
func idBit(id headers.ID) uint64 { return 1 << (id & 63) }

// parseLength is strconv.ParseInt(v, 10, 64) with its error dropped, as
// Content-Length was read before, without the string for the usual value.
func parseLength(v []byte) int64 {
	if len(v) == 0 || len(v) > 18 {
		n, _ := strconv.ParseInt(string(v), 10, 64)
		return n
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			n, _ := strconv.ParseInt(string(v), 10, 64)
			return n
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// firstValue is h.Get(key) for a key in canonical form, which needs no
// canonicalizing.
func firstValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// statusLines holds Response.Status for each code from 100 to 599 with
// its usual reason phrase (at code-100), so that those need no allocation.
var statusLines = func() (lines [500]string) {
	for i := range lines {
		if text := http.StatusText(100 + i); text != "" {
			lines[i] = strconv.Itoa(100+i) + " " + text
		}
	}
	return lines
}()

// statusLine returns Response.Status as net/http builds it: the code and
// the reason phrase that came with it.
func statusLine(code int, reason []byte) string {
	if i := uint(code - 100); i < uint(len(statusLines)) {
		if s := statusLines[i]; len(s) == len(reason)+4 && s[4:] == string(reason) {
			return s
		}
	}
	if len(reason) == 0 {
		return strconv.Itoa(code)
	}
	return strconv.Itoa(code) + " " + string(reason)
}

// responseProto returns Response.Proto, a constant for HTTP/1.x.
func responseProto(major, minor int) string {
	if major == 1 && minor <= 1 {
		return [2]string{"HTTP/1.0", "HTTP/1.1"}[minor]
	}
	return "HTTP/" + strconv.Itoa(major) + "." + strconv.Itoa(minor)
}

// transportError is a connection failure that also reads as the error
// net/http gives for it: io.EOF when the connection closed before the
// response, io.ErrUnexpectedEOF when it closed in the middle of it. The
// engine's error stays in the chain.
type transportError struct {
	err  error
	like error
}

func (e *transportError) Error() string   { return e.err.Error() }
func (e *transportError) Unwrap() []error { return []error{e.like, e.err} }

// transportErr maps an engine failure to what net/http's callers test for.
func transportErr(err error, gotHead bool) error {
	var ce *engine.ClientConnError
	if !errors.As(err, &ce) {
		return err // malformed responses, deadlines and the like keep their type
	}
	if ce.NoResponse && !gotHead {
		return &transportError{err, io.EOF}
	}
	return &transportError{err, io.ErrUnexpectedEOF}
}

// hasToken reports whether a comma-separated list in vs holds token.
func hasToken(vs []string, token string) bool {
	for _, v := range vs {
		for v != "" {
			var t string
			t, v, _ = strings.Cut(v, ",") // not Split: most responses carry Connection
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// gzipBody decompresses a gzip response body as it is read; the gzip
// reader is made on the first Read, and its errors are sticky.
type gzipBody struct {
	body io.ReadCloser
	zr   *gzip.Reader
	err  error
}

func (g *gzipBody) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.zr == nil {
		if g.zr, g.err = gzip.NewReader(g.body); g.err != nil {
			return 0, g.err
		}
	}
	n, err := g.zr.Read(p)
	if err != nil {
		g.err = err
	}
	return n, err
}

func (g *gzipBody) Close() error { return g.body.Close() }

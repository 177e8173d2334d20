package nethttp

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
)

// bufferBeforeChunking is how much of the body net/http's server holds
// before it decides the head: a handler that finishes within it gets a
// Content-Length, one that writes more gets chunked framing.
const bufferBeforeChunking = 2048

// handoffSize is how many body bytes collect before they go to the loop.
const handoffSize = 16 << 10

// errConnGone is returned by writes once the connection has closed.
var errConnGone = errors.New("nethttp: connection closed")

// responseWriter is the http.ResponseWriter of one request, reused for the
// connection's next ones. Its methods run on the handler's goroutine; what
// they produce reaches the engine's response through the serverConn: directly
// while the event loop waits for the handler, else through calls run on the
// loop (Deferred.Do), one at a time: the goroutine waits for each (done)
// before the next.
type responseWriter struct {
	ex   *serverConn
	body *requestBody // nil when the request has none

	hdr         http.Header   // the handler's, live; emptied for each request
	fields      []string      // the head's fields as name, value pairs, taken at WriteHeader
	entries     []headerEntry // the header's entries at WriteHeader, sorted by key; the last request's until then
	prefixed    bool          // one of entries' keys starts with http.TrailerPrefix
	trailerDecl []string      // the values of the Trailer field, taken at WriteHeader
	status      int
	wroteHeader bool  // the final status is decided
	headSent    bool  // the head went to the engine
	hasType     bool  // the handler named Content-Type (maybe with no value)
	noSniff     bool  // Content-Encoding or Transfer-Encoding set: no Content-Type is sniffed
	chunked     bool  // trailers declared or Transfer-Encoding set: chunked framing
	clen        int64 // the declared Content-Length, or -1
	written     int64
	buf         []byte
	isHead      bool
	hijacked    bool
	err         error          // sticky: the connection is gone
	wdl         *writeDeadline // set by SetWriteDeadline; nil until then

	op      flushOp                  // what apply hands to the engine next
	applyFn func(w *engine.Response) // rw.apply, bound once
	done    chan struct{}            // a call on the loop is done; capacity 1
}

// headerEntry is one key of a header map with its values.
type headerEntry struct {
	key  string
	vals []string
}

// flushOp is one hand-over of the response to the engine.
type flushOp struct {
	head     bool   // send the head (status, fields, Content-Length) first
	sniffed  string // a Content-Type to add to the head
	body     []byte
	stream   bool // flush: the response is streamed
	final    bool // end the response, with trailers
	trailers []string
	unread   *requestBody // a body not read to its end: drop it
}

var (
	_ http.ResponseWriter = (*responseWriter)(nil)
	_ http.Flusher        = (*responseWriter)(nil)
	_ http.Hijacker       = (*responseWriter)(nil)
	_ engine.CloseHandler = (*responseWriter)(nil)
	_ engine.DrainHandler = (*responseWriter)(nil)
)

// reset readies rw for the connection's next request.
func (rw *responseWriter) reset(isHead bool) {
	clear(rw.hdr)
	rw.body = nil
	rw.fields = rw.fields[:0]
	rw.prefixed = false
	rw.trailerDecl = rw.trailerDecl[:0]
	rw.status = 0
	rw.wroteHeader, rw.headSent, rw.hasType, rw.noSniff, rw.chunked = false, false, false, false, false
	rw.clen, rw.written = -1, 0
	rw.buf = rw.buf[:0]
	rw.isHead, rw.hijacked = isHead, false
	rw.err, rw.wdl = nil, nil
	rw.op = flushOp{trailers: rw.op.trailers[:0]}
	select {
	case <-rw.done:
	default:
	}
}

// OnClose runs on the event loop when the connection closes before the
// response ended: the handler's context is cancelled and its body fails.
func (rw *responseWriter) OnClose(_ *engine.Request, _ error) {
	rw.ex.ctx.cancel()
	if b := rw.body; b != nil {
		b.fail(errConnGone)
	}
}

// OnDrain runs on the event loop once output that was over the bound has drained.
func (rw *responseWriter) OnDrain(*engine.Response) { rw.signal() }

func (rw *responseWriter) signal() {
	select {
	case rw.done <- struct{}{}:
	default:
	}
}

// call runs fn with the engine's response and waits until it has run and
// the connection's unsent output is within its bound.
func (rw *responseWriter) call(fn func(w *engine.Response)) error {
	if rw.err != nil {
		return rw.err
	}
	if rw.deadlinePassed() {
		rw.err = errWriteTimeout
		return rw.err
	}
	ex := rw.ex
	ex.mu.Lock()
	if w := ex.w; ex.mode == modeSync {
		fn(w)
		if w.Ended() || !w.Full() {
			ex.mu.Unlock()
			return nil
		}
		// Waiting for the output to drain needs the loop: leave it.
		w.SetDrainHandler(rw)
		ex.leaveLocked()
		return rw.wait()
	}
	ex.mu.Unlock()
	err := ex.d.Do(func(w *engine.Response) {
		fn(w)
		if !w.Ended() && w.Full() {
			w.SetDrainHandler(rw)
			return
		}
		rw.signal()
	})
	if err != nil {
		rw.err = err
		return err
	}
	return rw.wait()
}

// wait waits for a call on the loop to be done, or for the connection to go.
func (rw *responseWriter) wait() error {
	select {
	case <-rw.done:
		return nil
	case <-rw.ex.ctx.Done():
		rw.err = errConnGone
		if rw.deadlinePassed() {
			rw.err = errWriteTimeout
		}
		return rw.err
	}
}

// post runs fn with the engine's response without waiting for it to run
// on the loop. A final fn ends the response: the loop, if it waits, is told.
func (rw *responseWriter) post(fn func(w *engine.Response), final bool) {
	ex := rw.ex
	ex.mu.Lock()
	if ex.mode == modeSync {
		fn(ex.w)
		if final {
			ex.endLocked()
			return
		}
		ex.mu.Unlock()
		return
	}
	ex.mu.Unlock()
	if rw.err == nil {
		_ = ex.d.Do(fn)
	}
}

func (rw *responseWriter) Header() http.Header { return rw.hdr }

// WriteHeader sends an interim response for 1xx codes other than 101, and
// otherwise decides the status, as net/http does: later changes to the
// header are not sent, except trailers.
func (rw *responseWriter) WriteHeader(code int) {
	if rw.hijacked {
		log.Printf("http: response.WriteHeader on hijacked connection")
		return
	}
	if rw.wroteHeader {
		return // net/http logs a superfluous call and ignores it
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		rw.writeInterim(code)
		return
	}
	rw.wroteHeader = true
	rw.status = code
	rw.snapshot()
}

// snapshot takes the head's fields from the handler's header, sorted by
// name as net/http writes them. Values are strings, so the pairs keep them
// as they are now whatever the handler does to its map later.
func (rw *responseWriter) snapshot() {
	es := rw.entries
	if len(es) != len(rw.hdr) || !rw.refreshEntries() {
		es = es[:0]
		for k, vs := range rw.hdr {
			es = append(es, headerEntry{k, vs})
		}
		slices.SortFunc(es, func(a, b headerEntry) int { return strings.Compare(a.key, b.key) })
		rw.entries = es
	}
	pairs := rw.fields[:0]
	for _, e := range es {
		k, vs := e.key, e.vals
		switch k {
		case "Content-Type":
			rw.hasType = true
			if rw.status == http.StatusNotModified {
				continue // net/http drops it from a 304
			}
		case "Content-Encoding":
			rw.noSniff = rw.noSniff || len(vs) > 0 && vs[0] != ""
		case "Transfer-Encoding":
			rw.noSniff, rw.chunked = true, true
		case "Trailer":
			rw.chunked = rw.chunked || len(vs) > 0
			rw.trailerDecl = append(rw.trailerDecl, vs...)
		case "Content-Length":
			if len(vs) == 0 {
				continue
			}
			v, err := strconv.ParseInt(vs[0], 10, 64)
			if err != nil || v < 0 {
				log.Printf("http: invalid Content-Length of %q", vs[0])
				continue
			}
			rw.clen = v
		default:
			if strings.HasPrefix(k, http.TrailerPrefix) {
				rw.chunked, rw.prefixed = true, true
				continue
			}
		}
		for _, v := range vs {
			pairs = append(pairs, k, v)
		}
	}
	rw.fields = pairs
}

// writeInterim sends a 1xx response with the handler's current fields.
func (rw *responseWriter) writeInterim(code int) {
	t := new(headers.Table)
	addFields(t, rw.hdr)
	_ = rw.call(func(w *engine.Response) { w.WriteInformational(code, t) })
}

// sendContinue sends "100 Continue" if it is owed; from Body's first Read.
func (rw *responseWriter) sendContinue() {
	rw.post(func(w *engine.Response) { w.WriteContinue() }, false)
}

func (rw *responseWriter) Write(p []byte) (int, error) {
	if rw.hijacked {
		return 0, http.ErrHijacked
	}
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !bodyAllowed(rw.status) {
		return 0, http.ErrBodyNotAllowed
	}
	rw.written += int64(len(p))
	if rw.clen != -1 && rw.written > rw.clen {
		return 0, http.ErrContentLength
	}
	if rw.err != nil {
		return 0, rw.err
	}
	if rw.isHead && rw.headSent {
		return len(p), nil
	}
	rw.buf = append(rw.buf, p...)
	if err := rw.sendIfFull(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// WriteString is Write without the conversion to []byte (io.StringWriter,
// which net/http's writer implements too).
func (rw *responseWriter) WriteString(s string) (int, error) {
	if len(s) == 0 || rw.hijacked || rw.err != nil || !rw.wroteHeader || !bodyAllowed(rw.status) ||
		rw.clen != -1 && rw.written+int64(len(s)) > rw.clen || rw.isHead && rw.headSent {
		return rw.Write([]byte(s)) // the rare cases, with Write's checks and errors
	}
	rw.written += int64(len(s))
	rw.buf = append(rw.buf, s...)
	if err := rw.sendIfFull(); err != nil {
		return 0, err
	}
	return len(s), nil
}

// sendIfFull sends the buffered body once it is past what is held before
// the head is decided, or past a hand-over's worth after.
func (rw *responseWriter) sendIfFull() error {
	if !rw.headSent && len(rw.buf) > bufferBeforeChunking || rw.headSent && len(rw.buf) >= handoffSize {
		return rw.send(false)
	}
	return nil
}

// Flush sends the head and the body so far (http.Flusher).
func (rw *responseWriter) Flush() {
	if rw.hijacked {
		return
	}
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	_ = rw.send(false)
}

// EnableFullDuplex reports success (http.ResponseController): the bridge
// always lets a handler read the request body while it writes the response,
// where net/http's HTTP/1 server closes the body once the response starts.
func (rw *responseWriter) EnableFullDuplex() error { return nil }

// finish ends the response after ServeHTTP has returned.
func (rw *responseWriter) finish() {
	if rw.hijacked {
		return
	}
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	_ = rw.send(true)
}

// send hands the buffered body to the engine, with the head if not yet
// sent; final ends the response. After a final send the serverConn may serve
// the connection's next request: nothing of it is touched any more.
func (rw *responseWriter) send(final bool) error {
	op := &rw.op
	op.head, op.sniffed, op.body, op.final, op.unread = false, "", rw.buf, final, nil
	op.trailers = op.trailers[:0]
	op.stream = !final
	if !rw.headSent {
		rw.headSent = true
		op.head = true
		if bodyAllowed(rw.status) && !rw.hasType && !rw.noSniff && len(op.body) > 0 {
			op.sniffed = http.DetectContentType(op.body)
		}
		op.stream = op.stream || rw.chunked || (rw.clen >= 0 && rw.written != rw.clen)
	}
	if final {
		op.trailers = rw.trailerFields(op.trailers)
		if rw.body != nil && !rw.body.complete() {
			op.unread = rw.body
		}
		rw.post(rw.applyFn, true)
		return nil
	}
	if err := rw.call(rw.applyFn); err != nil {
		return err
	}
	rw.buf = rw.buf[:0] // apply has copied it
	return nil
}

// apply hands rw.op to the engine's response.
func (rw *responseWriter) apply(w *engine.Response) {
	op := &rw.op
	if op.head {
		w.SetStatus(rw.status)
		h := w.Header()
		f := rw.fields
		for i := 0; i < len(f); i += 2 {
			h.AddString(f[i], f[i+1])
		}
		if op.sniffed != "" {
			h.AddString("Content-Type", op.sniffed)
		}
		if rw.clen >= 0 {
			w.SetContentLength(rw.clen)
		}
	}
	if len(op.body) > 0 {
		_, _ = w.Write(op.body)
	}
	if op.stream {
		w.Flush()
	}
	if !op.final {
		return
	}
	for i := 0; i < len(op.trailers); i += 2 {
		w.AddTrailer(op.trailers[i], op.trailers[i+1])
	}
	if op.unread != nil {
		// The rest of the body is not read: the engine closes the
		// connection after the response, as net/http does past what it is
		// willing to discard.
		op.unread.er.SetBodyHandler(nil)
	}
	w.End()
}

// trailerFields appends the trailers to send as name, value pairs: the
// fields the Trailer field declared, and those named with
// http.TrailerPrefix, read from the header as the handler left it.
func (rw *responseWriter) trailerFields(out []string) []string {
	for _, v := range rw.trailerDecl {
		for _, k := range strings.Split(v, ",") {
			k = http.CanonicalHeaderKey(strings.TrimSpace(k))
			for _, tv := range rw.hdr[k] {
				out = append(out, k, tv)
			}
		}
	}
	if rw.sameKeys() {
		return out // no key with http.TrailerPrefix, as at WriteHeader
	}
	for k, vs := range rw.hdr {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok {
			for _, v := range vs {
				out = append(out, name, v)
			}
		}
	}
	return out
}

// refreshEntries takes the values of the last response's keys from the
// header, which holds as many keys, and reports whether it has them all,
// the same set then, still sorted. A handler usually sets the keys it set
// last time: a lookup per key is cheaper than a pass over the map (its
// iterator's random start alone is ~150 instructions) and a sort.
func (rw *responseWriter) refreshEntries() bool {
	for i := range rw.entries {
		e := &rw.entries[i]
		vs, ok := rw.hdr[e.key]
		if !ok {
			return false
		}
		e.vals = vs
	}
	return true
}

// sameKeys reports whether the header holds the keys it held at
// WriteHeader, none of them with http.TrailerPrefix: a lookup per key,
// cheaper than a pass over the map for the few keys of most responses.
// The keys are distinct, so the same count all present is the same set.
func (rw *responseWriter) sameKeys() bool {
	if rw.prefixed || len(rw.hdr) != len(rw.entries) {
		return false
	}
	for _, e := range rw.entries {
		if _, ok := rw.hdr[e.key]; !ok {
			return false
		}
	}
	return true
}

// addFields adds h's fields to t, sorted by name.
func addFields(t *headers.Table, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			t.AddString(k, v)
		}
	}
}

// bodyAllowed reports whether a response with status may have a body (RFC 9110 §6.4.1).
func bodyAllowed(status int) bool {
	return !(status >= 100 && status <= 199) && status != http.StatusNoContent && status != http.StatusNotModified
}

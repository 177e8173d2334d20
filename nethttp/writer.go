package nethttp

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"runtime"
	"sort"
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

// responseWriter is the http.ResponseWriter of one request. Its methods run
// on the handler's goroutine; what they produce reaches the engine's
// response through calls run on the connection's event loop (Deferred.Do),
// one at a time: the goroutine waits for each (done) before the next.
type responseWriter struct {
	d      *engine.Deferred
	req    *http.Request
	body   *requestBody // nil when the request has none
	local  net.Addr
	remote net.Addr
	cancel context.CancelFunc

	hdr         http.Header // the handler's, live
	snap        http.Header // hdr when the status was decided
	status      int
	wroteHeader bool  // the final status is decided
	headSent    bool  // the head went to the engine
	clen        int64 // the declared Content-Length, or -1
	written     int64
	buf         []byte
	isHead      bool
	hijacked    bool
	err         error // sticky: the connection is gone

	done chan struct{} // a call on the loop is done; capacity 1
}

var (
	_ http.ResponseWriter = (*responseWriter)(nil)
	_ http.Flusher        = (*responseWriter)(nil)
	_ http.Hijacker       = (*responseWriter)(nil)
	_ engine.CloseHandler = (*responseWriter)(nil)
	_ engine.DrainHandler = (*responseWriter)(nil)
)

func newResponseWriter(d *engine.Deferred, req *http.Request, r *engine.Request) *responseWriter {
	ctx, cancel := context.WithCancel(baseContext(r))
	rw := &responseWriter{
		d:      d,
		req:    req.WithContext(ctx),
		cancel: cancel,
		hdr:    make(http.Header),
		clen:   -1,
		isHead: req.Method == http.MethodHead,
		done:   make(chan struct{}, 1),
		local:  r.LocalAddr(),
		remote: r.RemoteAddr(),
	}
	return rw
}

// OnClose runs on the event loop when the connection closes before the
// response ended: the handler's context is cancelled and its body fails.
func (rw *responseWriter) OnClose(_ *engine.Request, _ error) {
	rw.cancel()
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

// call runs fn on the connection's event loop and waits until it has run
// and the connection's unsent output is within its bound.
func (rw *responseWriter) call(fn func(w *engine.Response)) error {
	if rw.err != nil {
		return rw.err
	}
	err := rw.d.Do(func(w *engine.Response) {
		fn(w)
		if !w.Ended() && w.Full() {
			w.SetDrainHandler(rw)
			return
		}
		rw.signal()
	})
	if err == nil {
		select {
		case <-rw.done:
			return nil
		case <-rw.req.Context().Done():
			err = errConnGone
		}
	}
	rw.err = err
	return err
}

// post runs fn on the event loop without waiting: for the last call.
func (rw *responseWriter) post(fn func(w *engine.Response)) {
	if rw.err == nil {
		_ = rw.d.Do(fn)
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
	rw.snap = rw.hdr.Clone()
	if cl := rw.snap.Get("Content-Length"); cl != "" {
		v, err := strconv.ParseInt(cl, 10, 64)
		if err == nil && v >= 0 {
			rw.clen = v
		} else {
			log.Printf("http: invalid Content-Length of %q", cl)
			rw.snap.Del("Content-Length")
		}
	}
}

// writeInterim sends a 1xx response with the handler's current fields.
func (rw *responseWriter) writeInterim(code int) {
	t := new(headers.Table)
	addFields(t, rw.hdr, false)
	_ = rw.call(func(w *engine.Response) { w.WriteInformational(code, t) })
}

// sendContinue sends "100 Continue" if it is owed; from Body's first Read.
func (rw *responseWriter) sendContinue() {
	rw.post(func(w *engine.Response) { w.WriteContinue() })
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
	switch {
	case !rw.headSent && len(rw.buf) > bufferBeforeChunking, rw.headSent && len(rw.buf) >= handoffSize:
		if err := rw.send(false); err != nil {
			return 0, err
		}
	}
	return len(p), nil
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
// sent; final ends the response.
func (rw *responseWriter) send(final bool) error {
	body := rw.buf
	rw.buf = nil
	var fields []string
	var trailers []string
	streaming := !final
	if !rw.headSent {
		rw.headSent = true
		var chunked bool
		fields, chunked = rw.headFields(body, final)
		streaming = streaming || chunked || (rw.clen >= 0 && rw.written != rw.clen)
	}
	if final {
		trailers = rw.trailerFields()
	}
	var unread *requestBody
	if final && rw.body != nil && !rw.body.complete() {
		unread = rw.body
	}
	status, clen := rw.status, rw.clen
	fn := func(w *engine.Response) {
		if fields != nil {
			w.SetStatus(status)
			h := w.Header()
			for i := 0; i < len(fields); i += 2 {
				h.AddString(fields[i], fields[i+1])
			}
			if clen >= 0 {
				w.SetContentLength(clen)
			}
		}
		if len(body) > 0 {
			_, _ = w.Write(body)
		}
		if streaming {
			w.Flush()
		}
		if !final {
			return
		}
		for i := 0; i < len(trailers); i += 2 {
			w.AddTrailer(trailers[i], trailers[i+1])
		}
		if unread != nil {
			// The rest of the body is not read: the engine closes the
			// connection after the response, as net/http does past what
			// it is willing to discard.
			unread.er.SetBodyHandler(nil)
		}
		w.End()
	}
	if final {
		rw.post(fn)
		return nil
	}
	err := rw.call(fn)
	if err == nil {
		rw.buf = body[:0] // fn has copied it
	}
	return err
}

// headFields returns the head's fields as name, value pairs, sorted by
// name as net/http writes them, with the Content-Type net/http would sniff
// from the first bytes p, and reports whether the body must be chunked
// (trailers declared or Transfer-Encoding set by the handler).
func (rw *responseWriter) headFields(p []byte, final bool) (fields []string, chunked bool) {
	h := rw.snap
	trailers := false
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			trailers = true
		}
	}
	if len(h["Trailer"]) > 0 {
		trailers = true
	}
	_, hasTE := h["Transfer-Encoding"]
	if bodyAllowed(rw.status) {
		_, haveType := h["Content-Type"]
		if !haveType && h.Get("Content-Encoding") == "" && !hasTE && len(p) > 0 {
			h = h.Clone()
			h.Set("Content-Type", http.DetectContentType(p))
		}
	} else if rw.status == http.StatusNotModified {
		h = h.Clone()
		h.Del("Content-Type")
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		if !strings.HasPrefix(k, http.TrailerPrefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	fields = make([]string, 0, 2*len(keys))
	for _, k := range keys {
		for _, v := range h[k] {
			fields = append(fields, k, v)
		}
	}
	return fields, trailers || hasTE
}

// trailerFields returns the trailers to send as name, value pairs: the
// fields the Trailer field declared, and those named with
// http.TrailerPrefix, read from the header as the handler left it.
func (rw *responseWriter) trailerFields() []string {
	var out []string
	for _, v := range rw.snap["Trailer"] {
		for _, k := range strings.Split(v, ",") {
			k = http.CanonicalHeaderKey(strings.TrimSpace(k))
			for _, tv := range rw.hdr[k] {
				out = append(out, k, tv)
			}
		}
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

// addFields adds h's fields to t, sorted by name.
func addFields(t *headers.Table, h http.Header, _ bool) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
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

// serve runs the handler and ends the response; a panic closes the
// connection, as net/http does.
func (rw *responseWriter) serve(h http.Handler) {
	defer rw.cancel()
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				buf := make([]byte, 64<<10)
				buf = buf[:runtime.Stack(buf, false)]
				log.Printf("http: panic serving %v: %v\n%s", rw.req.RemoteAddr, v, buf)
			}
			rw.post(func(w *engine.Response) { w.Abort() })
		}
	}()
	h.ServeHTTP(rw, rw.req)
	rw.finish()
}

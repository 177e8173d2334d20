package nethttp

import (
	"context"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
)

// NewServer returns an engine server that serves h through Handler. It sets
// o.CheckContinue (o may be nil), so that "100 Continue" goes out when the
// handler first reads the body, as with net/http, rather than as soon as the
// head arrives, and o.StreamBodies, so that a body larger than
// o.MaxBufferedBody streams to http.Request.Body as with net/http.
func NewServer(h http.Handler, o *engine.Options) *engine.Server {
	var opts engine.Options
	if o != nil {
		opts = *o
	}
	opts.CheckContinue = true
	opts.StreamBodies = true
	return engine.NewServer(Handler(h), &opts)
}

// Handler returns an engine.Handler that serves every request with h, on a
// goroutine of its own. It must run inline on the event loop (the engine's
// default, Options.Workers 0), where it takes over the response (Detach)
// and learns of the client going away.
func Handler(h http.Handler) engine.Handler {
	return func(w *engine.Response, r *engine.Request) {
		if string(r.Target()) == "*" && string(r.MethodBytes()) == http.MethodOptions {
			// net/http's server answers "OPTIONS *" itself, before any
			// handler (ServeMux would say 400).
			w.SetStatus(http.StatusOK)
			return
		}
		req, err := newRequest(r)
		if err != nil {
			// net/http: a request-target that is not a URI is a 400.
			w.SetStatus(http.StatusBadRequest)
			w.SetClose()
			return
		}
		rw := newResponseWriter(w.Detach(), req, r)
		r.SetCloseHandler(rw)
		rw.req.Body = newBody(rw, r)
		go rw.serve(h)
	}
}

// newRequest copies r into a *http.Request as net/http's server would
// build it, without its Body and context.
func newRequest(r *engine.Request) (*http.Request, error) {
	target := string(r.Target())
	method := string(r.MethodBytes())
	rawURL := target
	justAuthority := method == http.MethodConnect && !strings.HasPrefix(target, "/")
	if justAuthority {
		rawURL = "http://" + target
	}
	u, err := url.ParseRequestURI(rawURL)
	if err != nil {
		return nil, err
	}
	if justAuthority {
		u.Scheme = "" // as net/http: CONNECT host:port keeps only the authority
	}
	major, minor := r.Version()
	req := &http.Request{
		Method:     method,
		URL:        u,
		Proto:      protoName(major, minor),
		ProtoMajor: major,
		ProtoMinor: minor,
		Header:     make(http.Header, r.Header().Len()),
		RequestURI: target,
		RemoteAddr: r.RemoteAddr().String(),
		Close:      !r.KeepAlive(),
	}
	copyHeader(req.Header, r.Header())
	req.Host = u.Host
	if req.Host == "" {
		req.Host = req.Header.Get("Host")
	}
	delete(req.Header, "Host")
	req.ContentLength = r.ContentLength()
	if req.ContentLength < 0 {
		req.TransferEncoding = []string{"chunked"}
		delete(req.Header, "Content-Length")
		delete(req.Header, "Transfer-Encoding")
		req.Trailer = declaredTrailer(req.Header)
		delete(req.Header, "Trailer")
	}
	return req, nil
}

func protoName(major, minor int) string {
	if major == 1 && minor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// copyHeader adds t's fields to h under their canonical names.
func copyHeader(h http.Header, t *headers.Table) {
	for i := 0; i < t.Len(); i++ {
		k := textproto.CanonicalMIMEHeaderKey(string(t.Name(i)))
		h[k] = append(h[k], string(t.Value(i)))
	}
}

// declaredTrailer returns the trailer fields that the Trailer field
// announces, with no values yet (net/http's Request.Trailer), or nil.
func declaredTrailer(h http.Header) http.Header {
	var tr http.Header
	for _, v := range h["Trailer"] {
		for _, k := range strings.Split(v, ",") {
			k = textproto.CanonicalMIMEHeaderKey(textproto.TrimString(k))
			switch k {
			case "", "Transfer-Encoding", "Trailer", "Content-Length":
				continue
			}
			if tr == nil {
				tr = make(http.Header)
			}
			tr[k] = nil
		}
	}
	return tr
}

// baseContext returns the context a request's starts from: it carries the
// local address, as net/http's does.
func baseContext(r *engine.Request) context.Context {
	return context.WithValue(context.Background(), http.LocalAddrContextKey, r.LocalAddr())
}

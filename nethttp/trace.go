package nethttp

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"

	"github.com/zerohttp/zerohttp/headers"
)

// interims hands a request's 1xx responses to its httptrace.ClientTrace
// (Got1xxResponse, Got100Continue), as http.Transport does: httputil's
// ReverseProxy forwards them to its client that way (103 Early Hints, 100
// Continue). The event loop queues them; RoundTrip's goroutine calls the
// trace, so that the trace's code never runs on the loop.
type interims struct {
	trace  *httptrace.ClientTrace
	expect bool      // the request asked for 100 Continue
	queue  []interim // guarded by the trip's mu
}

type interim struct {
	code int
	h    http.Header
}

// traceInterims returns the interims of x's request, or nil when its
// context has no trace that wants them.
func traceInterims(ctx context.Context, x *trip) *interims {
	tr := httptrace.ContextClientTrace(ctx)
	if tr == nil || tr.Got1xxResponse == nil && tr.Got100Continue == nil {
		return nil
	}
	req := x.req
	expect := req.Body != nil && req.Body != http.NoBody && strings.EqualFold(req.Header.Get("Expect"), "100-continue")
	in := &interims{trace: tr, expect: expect}
	x.ex.req.OnInformational = func(code int, t *headers.Table) {
		h := make(http.Header, t.Len())
		copyHeader(h, t, nil)
		x.mu.Lock()
		in.queue = append(in.queue, interim{code, h})
		x.cond.Broadcast()
		x.mu.Unlock()
	}
	return in
}

// pending reports whether 1xx responses wait for the trace. Called with
// the trip's mu held.
func (in *interims) pending() bool { return in != nil && len(in.queue) > 0 }

// deliverLocked calls the trace for the queued 1xx responses, with the
// trip's mu released; an error from Got1xxResponse ends the request with
// it, as with http.Transport. Called and returns with mu held.
func (in *interims) deliverLocked(x *trip) {
	q := in.queue
	in.queue = nil
	x.mu.Unlock()
	var err error
	for _, r := range q {
		if r.code == http.StatusContinue && in.expect && in.trace.Got100Continue != nil {
			in.trace.Got100Continue()
		}
		if in.trace.Got1xxResponse != nil && err == nil {
			err = in.trace.Got1xxResponse(r.code, textproto.MIMEHeader(r.h))
		}
	}
	if err != nil {
		x.abort(err)
	}
	x.mu.Lock()
}

package compat

import (
	"strings"

	"github.com/zerohttp/zerohttp/engine"
)

// OnCheckExpectation registers a 'checkExpectation' listener: an HTTP/1.1
// request whose Expect field is not 100-continue goes to it instead of to
// 'request'. Without one, such a request gets Node's 417 Expectation Failed.
func (s *Server) OnCheckExpectation(fn func(req *IncomingMessage, res *ServerResponse)) {
	s.mu.Lock()
	s.onCheckExpect = append(s.onCheckExpect, fn)
	s.publishLocked()
	s.mu.Unlock()
}

// expectationFailed is Node's answer to an expectation nobody listens for.
var expectationFailed = []func(*IncomingMessage, *ServerResponse){
	func(_ *IncomingMessage, res *ServerResponse) {
		_ = res.WriteHead(417, "")
		_ = res.End(nil)
	},
}

// hasExpect reports whether raw (rawHeaders) holds an Expect field.
func hasExpect(raw []string) bool {
	for i := 0; i < len(raw); i += 2 {
		if len(raw[i]) == 6 && strings.EqualFold(raw[i], "expect") {
			return true
		}
	}
	return false
}

// OnDropRequest registers a 'dropRequest' listener: a request over
// MaxRequestsPerSocket got Node's 503 instead of 'request'.
func (s *Server) OnDropRequest(fn func(req *IncomingMessage, socket SocketInfo)) {
	s.mu.Lock()
	s.onDropRequest = append(s.onDropRequest, fn)
	s.publishLocked()
	s.mu.Unlock()
}

// countRequest counts r on its connection for MaxRequestsPerSocket, as
// Node does: the responses say ", max=M" in their Keep-Alive field; from
// the M-th on they say Connection: close, and the connection stays open
// (Node leaves closing to the client); a request past M is answered 503
// and emitted as 'dropRequest'. max is MaxRequestsPerSocket. It returns
// the listeners to call.
func (s *Server) countRequest(r *engine.Request, res *ServerResponse, hooks *requestHooks,
	fns []func(*IncomingMessage, *ServerResponse), max int) []func(*IncomingMessage, *ServerResponse) {
	cs, _ := r.ConnValue().(*connState)
	if cs == nil {
		cs = new(connState)
		r.SetConnValue(cs)
	}
	cs.served++
	n := cs.served
	e := res.extLocked()
	e.keepAliveMax = max
	e.maxReached = n >= max
	if n <= max {
		return fns
	}
	drops := hooks.onDropRequest
	return []func(*IncomingMessage, *ServerResponse){func(req *IncomingMessage, res *ServerResponse) {
		emit2(drops, req, req.Socket)
		_ = res.WriteHead(503, "")
		_ = res.End(nil)
	}}
}

func emit2[A, B any](fns []func(A, B), a A, b B) {
	for _, fn := range fns {
		fn(a, b)
	}
}

// connState is a connection's value (engine.Request.SetConnValue) once
// MaxRequestsPerSocket counts its requests; else the value is the request
// in progress, or nil.
type connState struct {
	served int              // requests so far
	req    *IncomingMessage // the request in progress, or nil
}

// trackRequest records req as r's connection's request in progress while
// live (its response or body outlives the handler), for idleTimedOut, and
// forgets it otherwise, so that an idle connection holds no exchange.
func trackRequest(r *engine.Request, req *IncomingMessage, live bool) {
	if !live {
		req = nil
	}
	switch v := r.ConnValue().(type) {
	case *connState:
		v.req = req
	case nil:
		if req != nil {
			r.SetConnValue(req)
		}
	default:
		r.SetConnValue(req)
	}
}

// requestOf returns the request in progress recorded by trackRequest in a
// connection's value.
func requestOf(value any) *IncomingMessage {
	switch v := value.(type) {
	case *connState:
		return v.req
	case *IncomingMessage:
		return v
	}
	return nil
}

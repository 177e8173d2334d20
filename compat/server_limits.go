package compat

import (
	"net"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
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

// hasExpect reports whether the first n of t's fields (those in
// rawHeaders) hold an Expect field. The parser has named each field's id,
// so no name is compared again.
func hasExpect(t *headers.Table, n int) bool {
	for i := range n {
		if t.Field(i).ID == headers.Expect {
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
	cs := connStateOf(r)
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
		emit2(drops, req, req.Socket.SocketInfo)
		_ = res.WriteHead(503, "")
		_ = res.End(nil)
	}}
}

func emit2[A, B any](fns []func(A, B), a A, b B) {
	for _, fn := range fns {
		fn(a, b)
	}
}

// connState is a server connection's value (set at OnOpenConn): its
// socket, which is every request's and response's Socket and the
// 'connection' socket, as in Node; the requests served, which
// MaxRequestsPerSocket counts; and the request in progress. One
// allocation per connection.
type connState struct {
	sock   Socket
	st     socketState
	x      exchange // the socket's lock and ticks
	h      engine.ConnHandle
	served int              // requests so far
	req    *IncomingMessage // the request in progress, or nil
}

func newConnState(remote, local net.Addr) *connState {
	cs := new(connState)
	cs.sock.SocketInfo = socketInfo(remote, local)
	cs.sock.socketState = &cs.st
	cs.st.x = &cs.x
	return cs
}

// connStateOf returns r's connection's state. A connection opened before
// the value was set (none, with OnOpenConn set) gets one here.
func connStateOf(r *engine.Request) *connState {
	if cs, ok := r.ConnValue().(*connState); ok {
		return cs
	}
	cs := newConnState(r.RemoteAddr(), r.LocalAddr())
	r.SetConnValue(cs)
	return cs
}

// trackRequest records req as r's connection's request in progress while
// live (its response or body outlives the handler), for idleTimedOut, and
// forgets it otherwise, so that an idle connection holds no exchange.
func trackRequest(r *engine.Request, req *IncomingMessage, live bool) {
	if !live {
		req = nil
	}
	connStateOf(r).req = req
}

// requestOf returns the request in progress recorded by trackRequest in a
// connection's value.
func requestOf(value any) *IncomingMessage {
	if cs, ok := value.(*connState); ok {
		return cs.req
	}
	return nil
}

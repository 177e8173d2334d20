package engine

// ResponseStreamer receives a response as it arrives instead of having its
// body gathered into the ClientResponse: the head as soon as it is parsed,
// then each piece of the decoded body. The request's ResponseHandler still
// runs once at the end: with a nil error when the body is complete (its
// trailers are then in resp.Trailer and Body is empty), or with the error
// that cut it short. Its methods run on the connection's event loop and
// must not block.
type ResponseStreamer interface {
	// ResponseHead is called once the final head is parsed (not for a 1xx,
	// nor for a 101 or a 2xx to CONNECT, which hand the socket over). resp's
	// status and header views are valid during the call.
	ResponseHead(cc *ClientConn, resp *ClientResponse)
	// ResponseBody is called with each piece of the decoded body, in order,
	// as it arrives; chunk is valid only during the call.
	ResponseBody(cc *ClientConn, chunk []byte)
}

// RequestWatcher is what a ResponseStreamer implements to learn which
// connection carries its request: RequestSent is called once the request
// has been written to cc (or its rest handed to cc's event loop), on the
// writing goroutine, before the ResponseHandler runs. With cc, the caller
// can Cancel the request.
type RequestWatcher interface {
	RequestSent(cc *ClientConn)
}

// Cancel closes the connection if the request reading into resp is still
// queued or awaiting its response on it, and reports whether it did; the
// request's handler then gets the connection's failure. Once the response
// is complete it does nothing, so a connection that went back to a pool is
// never closed by a late Cancel, provided resp is not yet reused. Safe from
// any goroutine.
func (cc *ClientConn) Cancel(resp *ClientResponse) bool {
	cc.mu.Lock()
	found := false
	for _, call := range cc.calls {
		if call.resp == resp {
			found = true
			break
		}
	}
	cc.mu.Unlock()
	if found {
		cc.cut(ErrClientConnClosed)
	}
	return found
}

// SetStreamer makes r deliver its head and body to s as they arrive (nil:
// gather the body, the default). It survives Reset; ReleaseClientResponse
// clears it.
func (r *ClientResponse) SetStreamer(s ResponseStreamer) { r.stream = s }

// SetReadPaused stops (true) or restarts (false) reading the connection's
// socket, which is how a ResponseStreamer whose consumer is slow bounds what
// it buffers: the peer's bytes then wait in the kernel and, once its buffers
// fill, the peer's writes block. At most one more read's worth of bytes
// arrives after the pause. Completing a response restarts reading, so a
// paused connection is never handed to the next request. Outside Linux the
// socket keeps being read. Safe from any goroutine.
func (cc *ClientConn) SetReadPaused(paused bool) {
	cc.wantPause.Store(paused)
	if gc := cc.gc; gc != nil {
		_ = gc.Wake(nil) // the loop applies it (applyPause)
	}
}

// applyPause brings the socket's reading in line with SetReadPaused. While
// paused it re-applies the pause after every read, since gnet turns reading
// back on by itself after flushing a write of its own. Must be called on the
// connection's event loop.
func (cc *ClientConn) applyPause() {
	want := cc.wantPause.Load()
	if (want || cc.readPaused) && setConnReading(&cc.epfd, cc.gc, !want) == nil {
		cc.readPaused = want
	}
}

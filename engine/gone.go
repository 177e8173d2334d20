package engine

// Request.Done and Request.ClientGone. A handler on a worker
// (Options.Workers) may block, and the loop does not read its connection
// meanwhile (see loop.pauseRead), so it would never see the peer go away.
// Asking makes the loop read it, as a CloseHandler does. Nothing is
// allocated, and no request that does not ask pays more than a word's load
// off the common path:
//   - on a worker, the handler sets conn.gone's bits (the loop reads them
//     concurrently), and the loop clears them when it takes the request
//     back;
//   - on the loop, the handler sets a CloseHandler of the engine's own
//     unless it set one, which the request's end clears with the rest.
// The loop records the close in conn.gone and closes conn.goneCh, made on
// the first ask and kept while the connection is open.

// conn.gone's bits.
const (
	goneWatch = 1 << iota // a worker's handler called ClientGone
	goneChan              // goneCh belongs to the current request: close it on close
	goneSeen              // the connection closed while its request was in progress

	goneWant = goneWatch | goneChan
)

// Done returns a channel that is closed when the request's connection
// closes before the request is finished: the peer went away (a FIN, or a
// reset), or the server closed it (a timeout, ConnHandle.Close). A handler
// on a worker, which may block, can select on it to give up early; an
// inline handler that detaches its response can hand it to the goroutine
// that will finish it.
//
// Asking changes how the connection is read, as SetCloseHandler does: the
// socket is read while the response is owed, so a FIN, even one that only
// half-closes the connection, closes it, and the response is dropped.
// Requests that do not ask keep the half-close rules ("Half-closed peers"
// in the package doc); SetCloseHandler(nil) on the loop undoes the asking.
// The first call on a connection makes the channel; the connection's later
// requests reuse it while it is open, so it must not be used once the
// handler has returned or, for a detached response, the response has
// ended. Must be called on the connection's loop or on the worker running
// the handler.
func (r *Request) Done() <-chan struct{} {
	c := r.c
	g := c.gone.Load()
	if g&goneChan != 0 {
		return c.goneCh
	}
	if c.goneCh == nil {
		c.goneCh = make(chan struct{})
	}
	if !c.inWorker {
		if g&goneSeen != 0 {
			c.gone.Store(goneSeen | goneChan)
			close(c.goneCh)
		} else if r.ch == nil {
			r.ch = goneHandler{}
		}
		return c.goneCh
	}
	old := c.gone.Or(goneChan) // publishes goneCh to the loop
	if old&goneSeen != 0 {
		close(c.goneCh) // the loop saw the close before goneChan was set
	} else if old&goneWant == 0 {
		_ = c.gc.Wake(nil) // serve, on the loop, calls pauseRead
	}
	return c.goneCh
}

// ClientGone reports whether the request's connection has closed before
// the request was finished, as Done would, with no channel: a handler that
// works in steps can poll it between them. Its first call for a request
// changes how the connection is read, as Done does. Must be called on the
// connection's loop or on the worker running the handler.
func (r *Request) ClientGone() bool {
	c := r.c
	g := c.gone.Load()
	switch {
	case g&goneSeen != 0:
		return true
	case !c.inWorker:
		if r.ch == nil {
			r.ch = goneHandler{}
		}
	case g&goneWant == 0:
		if c.gone.Or(goneWatch)&goneSeen != 0 {
			return true
		}
		_ = c.gc.Wake(nil)
	}
	return false
}

// goneHandler is the CloseHandler that Done and ClientGone set on the loop
// so that the connection is read; onClose does the rest.
type goneHandler struct{}

func (goneHandler) OnClose(*Request, error) {}

// closeGone records that the connection closed with its request in
// progress, and closes the Done channel of a handler that asked for it.
// An inline request's handler may have asked: nothing else holds the
// channel meanwhile, so it is closed if it exists. Called on the loop by
// onClose.
func (c *conn) closeGone() {
	if !c.inWorker && c.goneCh != nil {
		c.gone.Or(goneChan)
	}
	if c.gone.Or(goneSeen)&goneChan != 0 {
		close(c.goneCh)
	}
}

package nethttp

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// requestContext is a request's Context. It is reused for every request of
// its connection (net/http's contract: a handler does not keep the request
// after ServeHTTP returns), so that a request whose handler never asks for
// Done costs no allocation. It is cancelled when ServeHTTP returns and when
// the connection closes first.
//
// It implements AfterFunc, which the context package uses to tie a derived
// context (context.WithTimeout(r.Context(), ...)) to it without a goroutine.
type requestContext struct {
	local net.Addr     // the address the connection arrived on; immutable
	srv   *http.Server // holds the handler only; immutable

	mu    sync.Mutex
	done  chan struct{} // made by Done, closed by cancel; guarded by mu
	err   error         // context.Canceled once cancelled; guarded by mu
	funcs []afterFunc   // guarded by mu
	seq   uint64        // numbers funcs; guarded by mu
}

type afterFunc struct {
	id uint64
	f  func()
}

var _ context.Context = (*requestContext)(nil)

// closedDone is the Done channel of a context cancelled before anyone asked.
var closedDone = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func (c *requestContext) Deadline() (time.Time, bool) { return time.Time{}, false }

func (c *requestContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		if c.err != nil {
			return closedDone
		}
		c.done = make(chan struct{})
	}
	return c.done
}

func (c *requestContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Value carries the local address and a server, as net/http's request
// context does. The server is an *http.Server holding only the handler:
// code that asks whether it runs under a server finds one (ReverseProxy
// then aborts a response whose upstream body fails, rather than end it as
// if complete).
func (c *requestContext) Value(key any) any {
	switch key {
	case http.LocalAddrContextKey:
		return c.local
	case http.ServerContextKey:
		return c.srv
	}
	return nil
}

// AfterFunc arranges for f to run once c is cancelled (at once if it is),
// and returns a function that unregisters f, reporting whether it did so
// before f ran. f must not block: it runs on the goroutine that cancels.
func (c *requestContext) AfterFunc(f func()) (stop func() bool) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		f()
		return func() bool { return false }
	}
	c.seq++
	id := c.seq
	c.funcs = append(c.funcs, afterFunc{id, f})
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, a := range c.funcs {
			if a.id == id {
				c.funcs = append(c.funcs[:i], c.funcs[i+1:]...)
				return true
			}
		}
		return false
	}
}

// cancel cancels c; later calls do nothing.
func (c *requestContext) cancel() {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = context.Canceled
	if c.done != nil {
		close(c.done)
	}
	funcs := c.funcs
	c.funcs = nil
	c.mu.Unlock()
	for _, a := range funcs {
		a.f()
	}
}

// reset readies c for the connection's next request. The previous one's
// ServeHTTP has returned, so c is cancelled and nobody waits on it.
func (c *requestContext) reset() {
	c.mu.Lock()
	c.done, c.err = nil, nil
	c.funcs = c.funcs[:0]
	c.mu.Unlock()
}

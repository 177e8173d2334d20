package agentpool

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

// cancelRetry is how often DoContext closes the connection of a cancelled
// request again while waiting for its outcome: the request may have moved
// to a new connection (a retry) after the first close.
const cancelRetry = 10 * time.Millisecond

// DoContext is Do bounded by ctx, which covers the whole exchange: waiting
// for a socket, connecting, writing the request and reading the response.
// If ctx ends first, a request not yet sent is dropped (its connection, once
// open, joins the free list), one in flight has its connection closed
// without touching the rest of the pool, and DoContext returns ctx.Err().
// On an event loop it returns engine.ErrOnEventLoop.
func (a *Agent) DoContext(ctx context.Context, req *engine.ClientRequest, resp *engine.ClientResponse) error {
	done := ctx.Done()
	if done == nil {
		return a.Do(req, resp)
	}
	if engine.OnEventLoop() {
		return engine.ErrOnEventLoop
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := pendingPool.Get().(*pending)
	p.h = p
	a.submit(p, req, resp)
	select {
	case <-p.done:
		return p.recycleDone()
	case <-done:
	}
	cause := ctx.Err()
	if p.stage.CompareAndSwap(stageWaiting, stageAbandoned) {
		return cause // not sent: the agent recycles p when it reaches it
	}
	p.stop.Store(true)
	var tick *time.Ticker
	for {
		if cc := p.cc.Load(); cc != nil {
			cc.Cancel(resp)
		}
		if tick == nil {
			tick = time.NewTicker(cancelRetry)
			defer tick.Stop()
		}
		select {
		case <-p.done:
			if err := p.recycleDone(); err == nil {
				return nil // it came in just in time
			}
			return cause
		case <-tick.C:
		}
	}
}

// recycleDone returns a finished Do's error and puts p back in the pool.
func (p *pending) recycleDone() error {
	err := p.err
	p.reset()
	pendingPool.Put(p)
	return err
}

// Get sends a GET for url ("http://host[:port]/path", or "host:port/path")
// through a, bounded by ctx, and appends the response body to dst. With an
// http:// URL it does not allocate in steady state beyond what dst needs.
func (a *Agent) Get(ctx context.Context, dst []byte, url string) (status int, body []byte, err error) {
	req := engine.AcquireClientRequest()
	defer engine.ReleaseClientRequest(req)
	if err := setTarget(req, url); err != nil {
		return 0, dst, err
	}
	resp := engine.AcquireClientResponse()
	defer engine.ReleaseClientResponse(resp)
	if err := a.DoContext(ctx, req, resp); err != nil {
		return 0, dst, err
	}
	return resp.StatusCode(), append(dst, resp.Body()...), nil
}

// setTarget points req at an http URL, or at "host:port[/path]".
func setTarget(req *engine.ClientRequest, url string) error {
	if len(url) > 7 && strings.EqualFold(url[:7], "http://") {
		return req.SetURL(url)
	}
	return req.SetURL("http://" + url)
}

var (
	defaultOnce  sync.Once
	defaultAgent *Agent
	defaultErr   error
)

// Default returns the package's shared agent, made on first use, which keeps
// connections alive (NewKeepAliveAgent with default options).
func Default() (*Agent, error) {
	defaultOnce.Do(func() { defaultAgent, defaultErr = NewKeepAliveAgent(nil) })
	return defaultAgent, defaultErr
}

// Get is Default's Get: status, body, err := agentpool.Get(ctx, nil, "http://127.0.0.1:8080/x").
func Get(ctx context.Context, dst []byte, url string) (status int, body []byte, err error) {
	a, err := Default()
	if err != nil {
		return 0, dst, err
	}
	return a.Get(ctx, dst, url)
}

// Do is Default's DoContext.
func Do(ctx context.Context, req *engine.ClientRequest, resp *engine.ClientResponse) error {
	a, err := Default()
	if err != nil {
		return err
	}
	return a.DoContext(ctx, req, resp)
}

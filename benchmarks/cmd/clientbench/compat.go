package main

import (
	"sync"

	"github.com/zerohttp/zerohttp/benchmarks/internal/latency"
	"github.com/zerohttp/zerohttp/compat"
)

// runCompat is the node client program (nodeClient) written against
// compat, zerohttp's Node http API: conns chains of http.request through a
// keepAlive agent, each starting the next request when a response ends.
func runCompat(j *job) error {
	agent, err := compat.NewAgent(&compat.AgentOptions{KeepAlive: true, MaxSockets: j.conns})
	if err != nil {
		return err
	}
	defer agent.Destroy()
	host, port := j.hostPort()
	opts := &compat.RequestOptions{Method: j.req.Method, Host: host, Port: port, Path: j.req.Path, Headers: j.headerMap(), Agent: agent}
	var active sync.WaitGroup
	// chain sends requests one after another on the loop, each from the
	// previous response's 'end' (next), timing each into h.
	var chain func(h *latency.Histogram)
	next := func(h *latency.Histogram, t0 int64, ok bool) {
		if !ok {
			active.Done()
			return
		}
		j.observe(h, t0)
		chain(h)
	}
	chain = func(h *latency.Histogram) {
		if j.stopped() {
			active.Done()
			return
		}
		t0 := latency.Now()
		req, err := compat.Request("", opts, func(res *compat.IncomingMessage) {
			if !j.req.CheckBody {
				res.Resume()
				res.OnEnd(func() { next(h, t0, j.check(res.StatusCode, nil)) })
				return
			}
			var body []byte
			res.OnData(func(chunk []byte) { body = append(body, chunk...) })
			res.OnEnd(func() { next(h, t0, j.check(res.StatusCode, body)) })
		})
		if err != nil {
			j.fail(err.Error())
			active.Done()
			return
		}
		req.OnError(func(err error) {
			j.fail(err.Error())
			active.Done()
		})
		if j.req.Body == "" {
			err = req.End(nil)
		} else {
			err = req.EndString(j.req.Body)
		}
		if err != nil {
			j.fail(err.Error())
		}
	}
	for i := 0; i < j.conns; i++ {
		active.Add(1)
		chain(j.hist(i))
	}
	active.Wait()
	return nil
}

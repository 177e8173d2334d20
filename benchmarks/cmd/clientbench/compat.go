package main

import (
	"sync"

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
	var one func()
	next := func(ok bool) {
		if ok {
			one()
		} else {
			active.Done()
		}
	}
	one = func() {
		if j.stopped() {
			active.Done()
			return
		}
		req, err := compat.Request("", opts, func(res *compat.IncomingMessage) {
			if !j.req.CheckBody {
				res.Resume()
				res.OnEnd(func() { next(j.check(res.StatusCode, nil)) })
				return
			}
			var body []byte
			res.OnData(func(chunk []byte) { body = append(body, chunk...) })
			res.OnEnd(func() { next(j.check(res.StatusCode, body)) })
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
		one()
	}
	active.Wait()
	return nil
}

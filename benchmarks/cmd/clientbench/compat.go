package main

import (
	"sync"
	"sync/atomic"

	"github.com/zerohttp/zerohttp/compat"
)

// runCompat is the node client program (nodeClient) written against
// compat, zerohttp's Node http API: conns chains of http.get through a
// keepAlive agent, each starting the next request when a response ends.
func runCompat(addr string, conns, _ int, stop <-chan struct{}, n, errs *atomic.Int64) error {
	agent, err := compat.NewAgent(&compat.AgentOptions{KeepAlive: true, MaxSockets: conns})
	if err != nil {
		return err
	}
	defer agent.Destroy()
	host, port := splitHostPort(addr)
	opts := &compat.RequestOptions{Host: host, Port: port, Path: "/", Agent: agent}
	var active sync.WaitGroup
	var one func()
	one = func() {
		select {
		case <-stop:
			active.Done()
			return
		default:
		}
		req, err := compat.Get("", opts, func(res *compat.IncomingMessage) {
			res.Resume()
			res.OnEnd(func() {
				if res.StatusCode == 200 {
					n.Add(1)
				} else {
					errs.Add(1)
				}
				one()
			})
		})
		if err != nil {
			errs.Add(1)
			active.Done()
			return
		}
		req.OnError(func(error) {
			errs.Add(1)
			active.Done()
		})
	}
	for i := 0; i < conns; i++ {
		active.Add(1)
		one()
	}
	active.Wait()
	return nil
}

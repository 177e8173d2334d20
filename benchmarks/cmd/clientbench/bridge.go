package main

import (
	"io"
	"net/http"
	"sync/atomic"

	"github.com/zerohttp/zerohttp/agentpool"
	"github.com/zerohttp/zerohttp/nethttp"
)

// runBridge is the nethttp client (an http.Client on http.Transport) with
// the bridge's Transport instead: the same calling code on zerohttp's pool.
func runBridge(addr string, conns, _ int, stop <-chan struct{}, n, errs *atomic.Int64) error {
	a, err := agentpool.NewKeepAliveAgent(&agentpool.Options{MaxSockets: conns})
	if err != nil {
		return err
	}
	defer a.Destroy()
	driveHTTPClient(&http.Client{Transport: &nethttp.Transport{Agent: a}}, addr, conns, stop, n, errs)
	return nil
}

// driveHTTPClient runs conns loops of GET / through c.
func driveHTTPClient(c *http.Client, addr string, conns int, stop <-chan struct{}, n, errs *atomic.Int64) {
	url := "http://" + addr + "/"
	step := func() bool {
		resp, err := c.Get(url)
		if err != nil {
			return false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == 200
	}
	steps := make([]func() bool, conns)
	for i := range steps {
		steps[i] = step
	}
	drive(steps, stop, n, errs)
}

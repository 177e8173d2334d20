package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/zerohttp/zerohttp/agentpool"
	"github.com/zerohttp/zerohttp/benchmarks/internal/latency"
	"github.com/zerohttp/zerohttp/engine"
)

// A client implementation runs j until j.stop is closed.
type clientImpl func(j *job) error

var clients = map[string]clientImpl{
	"zerohttp":           runZerohttp,
	"zerohttp-agent":     runZerohttpAgent,
	"zerohttp-send":      runZerohttpSend,
	"zerohttp-pipelined": runZerohttpPipelined,
	"compat":             runCompat,
	"fasthttp":           runFastHTTP,
	"nethttp":            runNetHTTP,
	"bridge":             runBridge, // nethttp's code on the nethttp.Transport
}

// engineRequest returns j's request for the engine client.
func (j *job) engineRequest() *engine.ClientRequest {
	req := engine.AcquireClientRequest()
	req.SetMethod(j.req.Method)
	req.SetPath(j.req.Path)
	for _, f := range j.fields() {
		req.Header.AddString(f[0], f[1])
	}
	if j.req.Body != "" {
		req.SetBodyString(j.req.Body)
	}
	return req
}

func runZerohttp(j *job) error {
	cli, err := engine.NewClient(&engine.ClientOptions{NumEventLoops: 1})
	if err != nil {
		return err
	}
	defer cli.Close()
	host, port := j.hostPort()
	steps := make([]func() bool, j.conns)
	for i := range steps {
		cc, err := cli.Dial(context.Background(), &engine.DialOptions{Host: host, Port: port})
		if err != nil {
			return err
		}
		req, resp := j.engineRequest(), engine.AcquireClientResponse()
		steps[i] = func() bool {
			if err := cc.Do(req, resp); err != nil {
				j.fail(err.Error())
				return false
			}
			return j.check(resp.StatusCode(), resp.Body())
		}
	}
	j.drive(steps)
	return nil
}

func runZerohttpAgent(j *job) error {
	cli, err := engine.NewClient(&engine.ClientOptions{NumEventLoops: 1})
	if err != nil {
		return err
	}
	defer cli.Close()
	a, err := agentpool.NewAgent(&agentpool.Options{Client: cli, KeepAlive: true, MaxSockets: j.conns})
	if err != nil {
		return err
	}
	defer a.Destroy()
	host, port := j.hostPort()
	steps := make([]func() bool, j.conns)
	for i := range steps {
		req, resp := j.engineRequest(), engine.AcquireClientResponse()
		req.SetHost(host)
		req.SetPort(port)
		steps[i] = func() bool {
			if err := a.Do(req, resp); err != nil {
				j.fail(err.Error())
				return false
			}
			return j.check(resp.StatusCode(), resp.Body())
		}
	}
	j.drive(steps)
	return nil
}

// slot is one of the j.depth requests a pipelined connection keeps in
// flight: its response handler (on the event loop) times it and sends it
// again.
type slot struct {
	j      *job
	active *sync.WaitGroup
	h      *latency.Histogram // the connection's
	t0     int64              // when the request was sent (latency.Now)
}

func (p *slot) HandleResponse(cc *engine.ClientConn, req *engine.ClientRequest, resp *engine.ClientResponse, err error) {
	if err != nil {
		p.j.fail(err.Error())
		p.active.Done()
		return
	}
	if !p.j.check(resp.StatusCode(), resp.Body()) {
		p.active.Done()
		return
	}
	p.j.observe(p.h, p.t0)
	if p.j.stopped() {
		p.active.Done()
		return
	}
	p.t0 = latency.Now()
	if err := cc.Send(req, resp, p); err != nil {
		p.j.fail(err.Error())
		p.active.Done()
	}
}

// runZerohttpSend is the asynchronous form with one request in flight per
// connection: the response handler sends the next request from the event
// loop, as a Node-style program does, so no goroutine blocks.
func runZerohttpSend(j *job) error {
	j.depth = 1
	return runZerohttpPipelined(j)
}

func runZerohttpPipelined(j *job) error {
	cli, err := engine.NewClient(&engine.ClientOptions{NumEventLoops: 1})
	if err != nil {
		return err
	}
	defer cli.Close()
	host, port := j.hostPort()
	var active sync.WaitGroup
	for i := 0; i < j.conns; i++ {
		cc, err := cli.Dial(context.Background(), &engine.DialOptions{Host: host, Port: port})
		if err != nil {
			return err
		}
		h := j.hist(i)
		for d := 0; d < j.depth; d++ {
			req, resp := j.engineRequest(), engine.AcquireClientResponse()
			p := &slot{j: j, active: &active, h: h, t0: latency.Now()}
			active.Add(1)
			if err := cc.Send(req, resp, p); err != nil {
				active.Done()
				return err
			}
		}
	}
	active.Wait()
	return nil
}

func runFastHTTP(j *job) error {
	hc := &fasthttp.HostClient{Addr: j.addr, MaxConns: j.conns, DialDualStack: true} // [::1] too
	steps := make([]func() bool, j.conns)
	for i := range steps {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI(j.url())
		req.Header.SetMethod(j.req.Method)
		for _, f := range j.fields() {
			req.Header.Add(f[0], f[1])
		}
		if j.req.Body != "" {
			req.SetBodyString(j.req.Body)
		}
		steps[i] = func() bool {
			if err := hc.Do(req, resp); err != nil {
				j.fail(err.Error())
				return false
			}
			return j.check(resp.StatusCode(), resp.Body())
		}
	}
	j.drive(steps)
	return nil
}

func runNetHTTP(j *job) error {
	tr := &http.Transport{MaxIdleConnsPerHost: j.conns, MaxIdleConns: j.conns, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	j.driveHTTPClient(&http.Client{Transport: tr})
	return nil
}

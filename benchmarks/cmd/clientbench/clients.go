package main

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/zerohttp/zerohttp/agentpool"
	"github.com/zerohttp/zerohttp/engine"
)

// A client implementation runs conns keep-alive connections to addr until
// stop is closed, counting completed requests in n and failures in errs.
type clientImpl func(addr string, conns, depth int, stop <-chan struct{}, n, errs *atomic.Int64) error

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

func splitHostPort(addr string) (string, int) {
	h, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return h, n
}

func runZerohttp(addr string, conns, _ int, stop <-chan struct{}, n, errs *atomic.Int64) error {
	cli, err := engine.NewClient(&engine.ClientOptions{NumEventLoops: 1})
	if err != nil {
		return err
	}
	defer cli.Close()
	host, port := splitHostPort(addr)
	steps := make([]func() bool, conns)
	for i := range steps {
		cc, err := cli.Dial(context.Background(), &engine.DialOptions{Host: host, Port: port})
		if err != nil {
			return err
		}
		req, resp := engine.AcquireClientRequest(), engine.AcquireClientResponse()
		req.SetPath("/")
		steps[i] = func() bool { return cc.Do(req, resp) == nil && resp.StatusCode() == 200 }
	}
	drive(steps, stop, n, errs)
	return nil
}

func runZerohttpAgent(addr string, conns, _ int, stop <-chan struct{}, n, errs *atomic.Int64) error {
	cli, err := engine.NewClient(&engine.ClientOptions{NumEventLoops: 1})
	if err != nil {
		return err
	}
	defer cli.Close()
	a, err := agentpool.NewAgent(&agentpool.Options{Client: cli, KeepAlive: true, MaxSockets: conns})
	if err != nil {
		return err
	}
	defer a.Destroy()
	host, port := splitHostPort(addr)
	steps := make([]func() bool, conns)
	for i := range steps {
		req, resp := engine.AcquireClientRequest(), engine.AcquireClientResponse()
		req.SetHost(host)
		req.SetPort(port)
		req.SetPath("/")
		steps[i] = func() bool { return a.Do(req, resp) == nil && resp.StatusCode() == 200 }
	}
	drive(steps, stop, n, errs)
	return nil
}

// pipeliner keeps depth requests in flight on one connection: each response
// handler (on the event loop) sends the request again.
type pipeliner struct {
	cc     *engine.ClientConn
	stop   <-chan struct{}
	n      *atomic.Int64
	errs   *atomic.Int64
	active *sync.WaitGroup
}

func (p *pipeliner) HandleResponse(cc *engine.ClientConn, req *engine.ClientRequest, resp *engine.ClientResponse, err error) {
	if err != nil || resp.StatusCode() != 200 {
		p.errs.Add(1)
		p.active.Done()
		return
	}
	p.n.Add(1)
	select {
	case <-p.stop:
		p.active.Done()
		return
	default:
	}
	if err := cc.Send(req, resp, p); err != nil {
		p.errs.Add(1)
		p.active.Done()
	}
}

// runZerohttpSend is the asynchronous form with one request in flight per
// connection: the response handler sends the next request from the event
// loop, as a Node-style program does, so no goroutine blocks.
func runZerohttpSend(addr string, conns, _ int, stop <-chan struct{}, n, errs *atomic.Int64) error {
	return runZerohttpPipelined(addr, conns, 1, stop, n, errs)
}

func runZerohttpPipelined(addr string, conns, depth int, stop <-chan struct{}, n, errs *atomic.Int64) error {
	cli, err := engine.NewClient(&engine.ClientOptions{NumEventLoops: 1})
	if err != nil {
		return err
	}
	defer cli.Close()
	host, port := splitHostPort(addr)
	var active sync.WaitGroup
	for i := 0; i < conns; i++ {
		cc, err := cli.Dial(context.Background(), &engine.DialOptions{Host: host, Port: port})
		if err != nil {
			return err
		}
		p := &pipeliner{cc: cc, stop: stop, n: n, errs: errs, active: &active}
		for d := 0; d < depth; d++ {
			req, resp := engine.AcquireClientRequest(), engine.AcquireClientResponse()
			req.SetPath("/")
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

func runFastHTTP(addr string, conns, _ int, stop <-chan struct{}, n, errs *atomic.Int64) error {
	hc := &fasthttp.HostClient{Addr: addr, MaxConns: conns}
	steps := make([]func() bool, conns)
	for i := range steps {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI("http://" + addr + "/")
		steps[i] = func() bool { return hc.Do(req, resp) == nil && resp.StatusCode() == 200 }
	}
	drive(steps, stop, n, errs)
	return nil
}

func runNetHTTP(addr string, conns, _ int, stop <-chan struct{}, n, errs *atomic.Int64) error {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxIdleConns: conns, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	driveHTTPClient(&http.Client{Transport: tr}, addr, conns, stop, n, errs)
	return nil
}

// drive runs each step in a loop on its own goroutine until stop is closed,
// counting successful steps in n. A failed step is counted in errs and ends
// its goroutine. It returns when every goroutine has ended.
func drive(steps []func() bool, stop <-chan struct{}, n, errs *atomic.Int64) {
	var wg sync.WaitGroup
	for _, step := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if !step() {
					errs.Add(1)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
}

package benchmarks

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/zerohttp/zerohttp/agentpool"
	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/internal/fixedserver"
	"github.com/zerohttp/zerohttp/nethttp"
)

// BenchmarkClient runs keep-alive GETs from b.RunParallel goroutines against
// an in-process fixed-response server, for zerohttp's engine client (one
// connection per goroutine), zerohttp through agentpool, fasthttp's
// HostClient, net/http's Transport, and an http.Client on the nethttp
// bridge's Transport ("bridge"). cmd/clientbench is the pinned,
// out-of-process comparison; this one is quick and reports allocations.
//
// Run it with GOMAXPROCS >= 2: the in-process server's goroutines need a P
// while the client's gnet loop blocks in epoll_wait, and with one P they wait
// for sysmon to retake it, which measures the scheduler rather than the client.
func BenchmarkClient(b *testing.B) {
	addr := fixedserver.Start(b, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")
	host, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)

	b.Run("zerohttp", func(b *testing.B) {
		cli, err := engine.NewClient(&engine.ClientOptions{NumEventLoops: 1})
		if err != nil {
			b.Fatal(err)
		}
		defer cli.Close()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			cc, err := cli.Dial(context.Background(), &engine.DialOptions{Host: host, Port: port})
			if err != nil {
				b.Error(err)
				return
			}
			defer cc.Close()
			req, resp := engine.AcquireClientRequest(), engine.AcquireClientResponse()
			for pb.Next() {
				if err := cc.Do(req, resp); err != nil || resp.StatusCode() != 200 {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("zerohttp-agent", func(b *testing.B) {
		a, err := agentpool.NewAgent(&agentpool.Options{KeepAlive: true})
		if err != nil {
			b.Fatal(err)
		}
		defer a.Destroy()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			req, resp := engine.AcquireClientRequest(), engine.AcquireClientResponse()
			req.SetHost(host)
			req.SetPort(port)
			for pb.Next() {
				if err := a.Do(req, resp); err != nil || resp.StatusCode() != 200 {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("fasthttp", func(b *testing.B) {
		hc := &fasthttp.HostClient{Addr: addr}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			req.SetRequestURI("http://" + addr + "/")
			for pb.Next() {
				if err := hc.Do(req, resp); err != nil || resp.StatusCode() != 200 {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("nethttp", func(b *testing.B) {
		tr := &http.Transport{MaxIdleConnsPerHost: 64}
		defer tr.CloseIdleConnections()
		benchHTTPClient(b, &http.Client{Transport: tr}, "http://"+addr+"/")
	})
	b.Run("bridge", func(b *testing.B) {
		tr := &nethttp.Transport{}
		defer tr.CloseIdleConnections()
		benchHTTPClient(b, &http.Client{Transport: tr}, "http://"+addr+"/")
	})
}

// benchHTTPClient runs GETs of url through c from b.RunParallel goroutines.
func benchHTTPClient(b *testing.B, c *http.Client, url string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

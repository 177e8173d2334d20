package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
	"github.com/zerohttp/zerohttp/internal/fixedserver"
)

// TestRunCount checks that a request budget is met exactly in both modes.
func TestRunCount(t *testing.T) {
	addr := fixedserver.Start(t, resp)
	for _, depth := range []int{1, 4} {
		res, err := run(config{addr: addr, conns: 4, depth: depth, duration: 10 * time.Second, requests: 1000, req: target.Default()}, nil)
		if err != nil {
			t.Fatalf("depth %d: %v", depth, err)
		}
		if res.Requests != 1000 || res.Errors != 0 {
			t.Errorf("depth %d: %d requests, %d errors; want 1000, 0", depth, res.Requests, res.Errors)
		}
		if res.P50us <= 0 || res.P99us < res.P50us {
			t.Errorf("depth %d: p50 %v, p99 %v", depth, res.P50us, res.P99us)
		}
	}
}

// TestRunAllocs checks that the hot loop does not allocate: a run of many
// more requests allocates no more than a short one (setup only), with slack
// for the runtime's own bookkeeping.
func TestRunAllocs(t *testing.T) {
	addr := fixedserver.Start(t, resp)
	mallocs := func(n int64) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := run(config{addr: addr, conns: 2, depth: 2, duration: 20 * time.Second, requests: n, req: target.Default()}, nil); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	mallocs(100) // warm up: the server's per-connection buffers, runtime caches
	short, long := mallocs(100), mallocs(20000)
	if long > short+100 {
		t.Errorf("mallocs: %d for 100 requests, %d for 20000; want no growth with requests", short, long)
	}
}

// TestRunWrongStatus is the run that once reported 25k req/s and no errors
// against a server answering 404: every reply must count as an error, none
// as a request, and the run must fail showing the reply.
func TestRunWrongStatus(t *testing.T) {
	addr := fixedserver.Start(t, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")
	res, err := run(config{addr: addr, conns: 2, depth: 1, duration: 300 * time.Millisecond, req: target.Default()}, nil)
	if err == nil || res.Requests != 0 || res.BadReplies == 0 || res.BadStatus["404"] != res.BadReplies || int64(res.BadReplies) != res.Errors {
		t.Fatalf("run = %+v, %v; want 0 requests, every reply a 404 error, and an error", res, err)
	}
	if !strings.HasPrefix(res.FirstBad, "HTTP/1.1 404 Not Found") {
		t.Errorf("FirstBad = %q; want the 404 reply", res.FirstBad)
	}
}

// TestRunIPv6 drives a server on [::1] with a POST and its body.
func TestRunIPv6(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback:", err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			body, _ := io.ReadAll(req.Body)
			status := "201 Created"
			if req.Method != "POST" || string(body) != "ping" || req.Header.Get("X-A") != "b" {
				status = "400 Bad Request"
			}
			io.WriteString(c, "HTTP/1.1 "+status+"\r\nContent-Length: 4\r\n\r\npong")
		}
	}()
	req := target.Request{Method: "POST", Path: "/x", Header: []string{"X-A: b"}, Body: "ping", Status: 201, ExpectBody: "pong", CheckBody: true}
	res, err := run(config{addr: ln.Addr().String(), conns: 1, depth: 1, duration: 10 * time.Second, requests: 50, req: req}, nil)
	if err != nil || res.Requests != 50 || res.Errors != 0 {
		t.Fatalf("run = %+v, %v; want 50 requests, no errors", res, err)
	}
}

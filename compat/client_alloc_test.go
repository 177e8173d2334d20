//go:build !race

package compat

import (
	"errors"
	"net"
	"strconv"
	"testing"
	"unsafe"

	"github.com/zerohttp/zerohttp/internal/fixedserver"
	"github.com/zerohttp/zerohttp/internal/looptest"
)

// clientAllocsCeiling is the allocations a keep-alive GET costs the compat
// client (see TestClientAllocs): the clientExchange, which also holds the
// response's raw header fields when they fit, as the fixed server's do. It
// was 15 before they were merged, 2 with the fields apart. Lower it when
// the path gets cheaper; a rise fails the test.
const clientAllocsCeiling = 1

// A client exchange is one allocation per request; like serverExchange it
// sits in a size class (1408 bytes, with the 8-byte header Go puts on
// objects over 512 bytes). This fails to compile when a field crosses
// that line: make room rather than raise it.
var _ uint = 1408 - 8 - uint(unsafe.Sizeof(clientExchange{}))

const fixedHello = "HTTP/1.1 200 OK\r\nServer: fixed\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!"

// fixedServerOptions starts a fixedserver and returns the options of a
// GET to it through a keep-alive Agent with one socket.
func fixedServerOptions(t testing.TB) *RequestOptions {
	t.Helper()
	host, portStr, err := net.SplitHostPort(fixedserver.Start(t, fixedHello))
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(portStr)
	agent, err := NewAgent(&AgentOptions{KeepAlive: true, MaxSockets: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(agent.Destroy)
	opts := &RequestOptions{Host: host, Port: port, Path: "/", Agent: agent}
	return opts
}

// clientGet returns one keep-alive GET through a compat Agent against a
// fixedserver, which allocates nothing per request, as the benchmarks'
// clientbench compat program does it: the callback resumes the response
// and waits for 'end'. The callbacks are made once, so the process's
// allocations over a call are the compat client's.
func clientGet(t testing.TB) (get func()) {
	opts := fixedServerOptions(t)
	done := make(chan int, 1)
	var res *IncomingMessage
	onEnd := func() { done <- res.StatusCode }
	onResponse := func(r *IncomingMessage) {
		res = r
		r.Resume()
		r.OnEnd(onEnd)
	}
	return func() {
		if _, err := Get("", opts, onResponse); err != nil {
			t.Fatal(err)
		}
		if status := <-done; status != 200 {
			t.Fatalf("status = %d; want 200", status)
		}
	}
}

// TestClientAllocs pins the allocations of a keep-alive GET through the
// compat client, measured against a server that allocates nothing.
func TestClientAllocs(t *testing.T) {
	get := clientGet(t)
	per, _ := looptest.MinAllocs(5, 500, get)
	if per > clientAllocsCeiling {
		t.Fatalf("allocs per request = %d; want <= %d", per, clientAllocsCeiling)
	}
}

// BenchmarkClientGet is a keep-alive GET through the compat client against
// a fixed loopback server; allocs/op are the client's.
func BenchmarkClientGet(b *testing.B) {
	get := clientGet(b)
	get()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		get()
	}
}

// clientChain returns a run of n keep-alive GETs as clientbench's compat
// program makes them: each from the previous response's 'end' listener,
// on the event loop, while its socket is still busy, so the request waits
// in the agent (MaxSockets 1) and goes out once the socket is freed.
// clientbench also makes its three listeners per request (3 of its 5
// allocations per request); here they are made once, so the allocations
// counted are compat's.
func clientChain(t testing.TB, n int) (run func()) {
	opts := fixedServerOptions(t)
	done := make(chan error, 1)
	var left int
	var res *IncomingMessage
	var next func()
	onError := func(err error) { done <- err }
	onEnd := func() {
		if res.StatusCode != 200 {
			done <- errors.New("status " + strconv.Itoa(res.StatusCode))
			return
		}
		next()
	}
	onResponse := func(r *IncomingMessage) {
		res = r
		r.Resume()
		r.OnEnd(onEnd)
	}
	next = func() {
		if left == 0 {
			done <- nil
			return
		}
		left--
		req, err := Get("", opts, onResponse)
		if err != nil {
			done <- err
			return
		}
		req.OnError(onError)
	}
	return func() {
		left = n
		next()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// TestClientAllocsChained pins the allocations of clientbench's pattern:
// requests made from the previous response's 'end' listener.
func TestClientAllocsChained(t *testing.T) {
	const chain = 20
	run := clientChain(t, chain)
	_, total := looptest.MinAllocs(5, 25, run)
	if per := total / (25 * chain); per > clientAllocsCeiling {
		t.Fatalf("allocs per chained request = %d (%d over %d requests); want <= %d", per, total, 25*chain, clientAllocsCeiling)
	}
}

// BenchmarkClientChained is clientbench's compat pattern on one
// connection; allocs/op are the client's.
func BenchmarkClientChained(b *testing.B) {
	run := clientChain(b, 1)
	run()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
}

package compat

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"
	"weak"
)

// TestIdleConnectionHoldsNoExchange: a kept-alive connection whose
// request was answered holds nothing of it (the connection's value keeps
// the request only while it is in progress), so that idle connections
// cost no exchange each.
func TestIdleConnectionHoldsNoExchange(t *testing.T) {
	var mu sync.Mutex
	var wp weak.Pointer[IncomingMessage]
	s := CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) {
		mu.Lock()
		wp = weak.Make(req)
		mu.Unlock()
		res.EndString("ok")
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.Address().Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		runtime.GC()
		mu.Lock()
		gone := wp.Value() == nil
		mu.Unlock()
		if gone {
			return
		}
	}
	t.Fatal("the answered request is still reachable from its idle connection")
}

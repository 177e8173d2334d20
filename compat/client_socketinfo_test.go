package compat

import (
	"sync"
	"testing"
	"time"
)

// TestClientSocketListenerAddresses: a 'socket' listener gets the
// connection's addresses when the request got a free one, handed over
// inside End, or one freed by the request queued before it; a new one
// is still connecting, its addresses empty, as in Node (see
// TestClientSocketActionsMatchNode).
func TestClientSocketListenerAddresses(t *testing.T) {
	port, agent := okServerAgent(t)
	freed := make(chan struct{}, 8)
	agent.OnFree(func(SocketInfo) { freed <- struct{}{} })
	opts := &RequestOptions{Host: "127.0.0.1", Port: port, Agent: agent}

	var mu sync.Mutex
	var socks []SocketInfo
	closed := make(chan struct{}, 8)
	send := func() {
		req, err := Request("", opts, func(res *IncomingMessage) { res.Resume() })
		if err != nil {
			t.Fatal(err)
		}
		req.OnSocket(func(s SocketInfo) {
			mu.Lock()
			socks = append(socks, s)
			mu.Unlock()
		})
		req.OnClose(func() { closed <- struct{}{} })
		req.OnError(func(err error) { t.Errorf("request: %v", err) })
		if err := req.End(nil); err != nil {
			t.Fatal(err)
		}
	}
	wait := func(ch chan struct{}, what string) {
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s", what)
		}
	}
	send() // a new socket
	wait(closed, "close")
	wait(freed, "free")
	send() // the free socket, handed over inside End
	send() // queued behind it
	wait(closed, "close")
	wait(closed, "close")
	wait(freed, "free")
	mu.Lock()
	defer mu.Unlock()
	if len(socks) != 3 {
		t.Fatalf("%d 'socket' events; want 3", len(socks))
	}
	if socks[0] != (SocketInfo{}) {
		t.Errorf("the new socket's 'socket': %+v; want no addresses yet", socks[0])
	}
	for i, s := range socks[1:] {
		i++
		if s.RemoteAddress != "127.0.0.1" || s.RemotePort != port || s.RemoteFamily != "IPv4" || s.LocalAddress != "127.0.0.1" || s.LocalPort == 0 {
			t.Errorf("request %d's 'socket': %+v; want 127.0.0.1:%d from 127.0.0.1", i, s, port)
		}
	}
}

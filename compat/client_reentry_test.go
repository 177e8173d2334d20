package compat

import (
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestClientEndNotInsideEnd: a response that is whole before End's write
// has returned (the engine then ends it on End's goroutine) emits 'end'
// and 'close' outside End, as Node never emits from inside end(). Inside
// it, a listener that waits for End's caller, as the package example's
// 'end' listener does, hung the caller (seen under load). The agent's
// hook holds the writer after the write until the event loop has had the
// whole response.
func TestClientEndNotInsideEnd(t *testing.T) {
	port, agent := okServerAgent(t)
	var held atomic.Pointer[ClientRequest]
	headSeen := make(chan struct{}, 1)
	agent.sentHook = func(r *ClientRequest) {
		if held.Load() == r {
			<-headSeen
			time.Sleep(200 * time.Millisecond) // the loop ends the 2-byte body at once
		}
	}
	freed := make(chan struct{}, 4)
	agent.OnFree(func(SocketInfo) { freed <- struct{}{} })
	opts := &RequestOptions{Host: "127.0.0.1", Port: port, Agent: agent}

	// The first request opens the socket; the second, on the free socket,
	// is written by End itself.
	events := make(chan string, 8)
	for i, hold := range []bool{false, true} {
		req, err := Request("", opts, func(res *IncomingMessage) {
			if hold {
				headSeen <- struct{}{}
			}
			res.Resume()
			res.OnEnd(func() {
				where := "end outside End"
				if insideEnd() {
					where = "end inside End"
				}
				events <- where
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		req.OnClose(func() { events <- "close" })
		req.OnError(func(err error) { events <- "error " + err.Error() })
		if hold {
			held.Store(req)
		}
		if err := req.End(nil); err != nil {
			t.Fatal(err)
		}
		var got []string
		for len(got) < 2 {
			select {
			case e := <-events:
				got = append(got, e)
			case <-time.After(10 * time.Second):
				t.Fatalf("request %d: events %q, then nothing", i, got)
			}
		}
		if want := "end outside End,close"; strings.Join(got, ",") != want {
			t.Fatalf("request %d: events %q; want %s", i, got, want)
		}
		if i == 0 {
			select {
			case <-freed:
			case <-time.After(10 * time.Second):
				t.Fatal("the first request's socket was not freed")
			}
		}
	}
}

// insideEnd reports whether ClientRequest.End is on the caller's stack.
func insideEnd() bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.Function, ".(*ClientRequest).End") {
			return true
		}
		if !more {
			return false
		}
	}
}

// okServerAgent starts a server answering every request with a 2-byte
// "ok", and returns its port and a keep-alive agent with one socket.
func okServerAgent(t *testing.T) (int, *Agent) {
	port, _ := requestServer(t, func(c net.Conn, _ *http.Request) {
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	})
	agent, err := NewAgent(&AgentOptions{KeepAlive: true, MaxSockets: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(agent.Destroy)
	return port, agent
}

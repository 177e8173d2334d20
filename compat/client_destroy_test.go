package compat

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// holdFirstServer never answers its first connection, and reports on the
// returned channel when that connection's client closes it; it answers
// others with "ok" and a close.
func holdFirstServer(t *testing.T) (int, <-chan struct{}) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	closed := make(chan struct{})
	go func() {
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(first bool) {
				defer c.Close()
				br := bufio.NewReader(c)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				if first {
					c.SetReadDeadline(time.Now().Add(5 * time.Second))
					if _, err := io.Copy(io.Discard, br); err == nil {
						close(closed) // EOF: the client closed it
					}
					return
				}
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}(n == 0)
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, closed
}

// TestClientDestroyMatchesNode: destroying a request that awaits its
// response closes its connection at once, so the next request of a
// MaxSockets: 1 agent gets a socket (before, it queued forever); the
// events match node's.
func TestClientDestroyMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	port, _ := holdFirstServer(t)
	out, err := exec.Command(node, "testdata/client_destroy.js", fmt.Sprint(port)).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	want := strings.TrimSpace(string(out))

	port, closed := holdFirstServer(t)
	agent, err := NewAgent(&AgentOptions{KeepAlive: true, MaxSockets: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(agent.Destroy)
	tr := &trace{}
	finished, bClosed := make(chan struct{}), make(chan struct{})
	mk := func(name string) *ClientRequest {
		r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, Agent: agent}, func(res *IncomingMessage) {
			tr.add("%s response %d", name, res.StatusCode)
			res.OnData(func(c []byte) { tr.add("%s res.data %s", name, c) })
			res.OnEnd(func() { tr.add("%s res.end", name) })
		})
		if err != nil {
			t.Fatal(err)
		}
		r.OnSocket(func(SocketInfo) { tr.add("%s socket", name) })
		r.OnFinish(func() {
			tr.add("%s finish", name)
			if name == "a" {
				close(finished)
			}
		})
		r.OnClose(func() {
			tr.add("%s close", name)
			if name == "b" {
				close(bClosed)
			}
		})
		r.OnError(func(err error) { tr.add("%s error %s", name, nodeError(err)) })
		r.End(nil)
		return r
	}
	// As client_destroy.js: a destroyed 50 ms after its 'finish', the events
	// read 100 ms after b's 'close'.
	a := mk("a")
	mk("b")
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("no 'finish' for the first request")
	}
	time.Sleep(50 * time.Millisecond)
	a.Destroy(nil)
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Error("the destroyed request's connection stayed open")
	}
	select {
	case <-bClosed:
	case <-time.After(10 * time.Second):
		t.Error("no 'close' for the second request")
	}
	time.Sleep(100 * time.Millisecond)
	if got := tr.String(); got != want {
		t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
	}
}

// TestClientAbortMatchesNode: Abort before the request is on a
// connection, once it is sent, and while its response arrives, gives
// node's events.
func TestClientAbortMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	scripts := map[string][]string{
		"now":  {"", ""},
		"sent": {"", ""},
		"head": {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello", "world"},
	}
	for _, when := range []string{"now", "sent", "head"} {
		t.Run(when, func(t *testing.T) {
			t.Parallel()
			port, _ := scriptedServer(t, scripts[when])
			out, err := exec.Command(node, "testdata/client_abort.js", fmt.Sprint(port), when).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			want := strings.TrimSpace(string(out))
			tr := &trace{}
			var r *ClientRequest
			r, err = Request("", &RequestOptions{Host: "127.0.0.1", Port: port, NoAgent: true}, func(res *IncomingMessage) {
				tr.add("response %d", res.StatusCode)
				res.OnData(func(c []byte) { tr.add("res.data %s", c); r.Abort() })
				res.OnEnd(func() { tr.add("res.end") })
				res.OnAborted(func() { tr.add("res.aborted") })
				res.OnError(func(err error) { tr.add("res.error %s", nodeError(err)) })
				res.OnClose(func() { tr.add("res.close complete=%v", res.Complete()) })
			})
			if err != nil {
				t.Fatal(err)
			}
			r.OnSocket(func(SocketInfo) { tr.add("socket") })
			r.OnFinish(func() { tr.add("finish") })
			r.OnAbort(func() { tr.add("abort") })
			r.OnClose(func() { tr.add("close") })
			r.OnError(func(err error) { tr.add("error %s", nodeError(err)) })
			r.End(nil)
			switch when {
			case "now":
				r.Abort()
			case "sent":
				time.Sleep(100 * time.Millisecond)
				r.Abort()
			}
			time.Sleep(400 * time.Millisecond)
			got := tr.String()
			if when == "now" && got != want && strings.HasPrefix(got, "socket\n") {
				// Abort runs on this goroutine while the dial goes on in
				// another, which emits 'socket' as it starts: when that
				// came first (under load), Node's events are those of an
				// abort while connecting, or, once the request was
				// written, the "sent" case's.
				mode := "connecting"
				if strings.Contains(got, "\nfinish") {
					mode = "sent"
				}
				out, err := exec.Command(node, "testdata/client_abort.js", fmt.Sprint(port), mode).Output()
				if err != nil {
					t.Fatalf("node: %v", err)
				}
				t.Logf("'socket' came before Abort; comparing with node's abort %s", mode)
				want = strings.TrimSpace(string(out))
			}
			if got != want {
				t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
			}
		})
	}
}

// TestClientDestroyWhileWritingMatchesNode: a request destroyed while its
// body is being written on a new socket gives 'socket' (emitted when the
// agent gave it the socket), 'error' "socket hang up" and 'close', no
// 'finish', as in node v20 (before, 'socket' never came).
func TestClientDestroyWhileWritingMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	nodePort, _ := holdFirstServer(t)
	out, err := exec.Command(node, "testdata/client_destroy_writing.js", fmt.Sprint(nodePort)).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	want := strings.TrimSpace(string(out))

	port, _ := holdFirstServer(t)
	r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, Method: "POST", NoAgent: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := &trace{}
	done := make(chan struct{})
	sock := make(chan struct{})
	r.OnSocket(func(SocketInfo) { tr.add("socket"); close(sock) })
	r.OnFinish(func() { tr.add("finish") })
	r.OnError(func(err error) { tr.add("error %s", nodeError(err)) })
	r.OnClose(func() { tr.add("close"); close(done) })
	r.WriteString("abc")
	select { // node destroys 100 ms on, its 'socket' long past
	case <-sock:
	case <-time.After(5 * time.Second):
		t.Fatalf("no socket; so far:\n%s", tr)
	}
	time.Sleep(100 * time.Millisecond)
	r.Destroy(nil)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("no close; so far:\n%s", tr)
	}
	time.Sleep(100 * time.Millisecond) // nothing more comes
	if got := tr.String(); got != want {
		t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
	}
}

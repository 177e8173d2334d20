package compat

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// headServer answers a HEAD with head and anything else with "ok", on
// keep-alive connections, and counts the connections.
func headServer(t *testing.T, head string) (port int, conns *atomic.Int32) {
	return requestServer(t, func(c net.Conn, req *http.Request) {
		if req.Method == "HEAD" {
			c.Write([]byte(head))
		} else {
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
		}
	})
}

// requestServer reads the requests of each connection in turn and has
// answer write each one's response; it counts the connections.
func requestServer(t *testing.T, answer func(c net.Conn, req *http.Request)) (port int, conns *atomic.Int32) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns = new(atomic.Int32)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					answer(c, req)
				}
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, conns
}

// TestClientHeadReuse: a HEAD response without Content-Length or
// Transfer-Encoding does not leave its socket in the agent's free list, so
// the next request opens another connection, as in node v20; with a length
// the socket is reused.
func TestClientHeadReuse(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	heads := map[string]string{
		"nolength": "HTTP/1.1 200 OK\r\n\r\n",
		"length":   "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
	}
	for mode, head := range heads {
		t.Run(mode, func(t *testing.T) {
			out, err := exec.Command(node, "testdata/client_head.js", mode).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			want := strings.TrimSpace(string(out))
			port, conns := headServer(t, head)
			agent, err := NewAgent(&AgentOptions{KeepAlive: true})
			if err != nil {
				t.Fatal(err)
			}
			defer agent.Destroy()
			opts := &RequestOptions{Host: "127.0.0.1", Port: port, Agent: agent}
			var lines []string
			get := func(method string) {
				done := make(chan struct{})
				o := *opts
				o.Method = method
				r, err := Request("", &o, func(res *IncomingMessage) {
					res.OnEnd(func() { close(done) })
					res.Resume()
				})
				if err != nil {
					t.Fatal(err)
				}
				r.OnError(func(err error) { t.Errorf("%s: %v", method, err); close(done) })
				r.End(nil)
				select {
				case <-done:
				case <-time.After(3 * time.Second):
					t.Fatalf("%s: no end", method)
				}
			}
			get("HEAD")
			time.Sleep(50 * time.Millisecond)
			lines = append(lines, fmt.Sprintf("free %d", agent.FreeSockets()[agent.GetName(opts)]))
			get("GET")
			lines = append(lines, fmt.Sprintf("conns %d", conns.Load()))
			if got := strings.Join(lines, "\n"); got != want {
				t.Errorf("compat:\n%s\nnode:\n%s", got, want)
			}
		})
	}
}

package compat

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// closeSecondServer answers each connection's first request with "ok",
// kept alive, and closes the connection when a second one arrives,
// without an answer. It records the request paths, each with its
// connection's number.
func closeSecondServer(t *testing.T) (port int, got func() string) {
	var mu sync.Mutex
	var lines []string
	seen := map[net.Conn]int{} // connection number, from 1
	port, _ = requestServer(t, func(c net.Conn, req *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		n, old := seen[c]
		if !old {
			n = len(seen) + 1
			seen[c] = n
		}
		lines = append(lines, fmt.Sprintf("server: conn %d %s", n, req.URL.Path))
		if old {
			c.Close()
			return
		}
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	})
	return port, func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(lines, "\n")
	}
}

// TestClientReusedCloseMatchesNode: a GET on a kept-alive socket that the
// server closes without answering it fails with ECONNRESET "socket hang
// up" and ReusedSocket true, and is not sent again on a new socket, as in
// Node (which leaves the retry to the caller). Events as
// client_reused_reset.js prints them with node v20, and what the server
// got.
func TestClientReusedCloseMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	port, got := closeSecondServer(t)
	out, err := exec.Command(node, "testdata/client_reused_reset.js", fmt.Sprint(port)).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	want := strings.TrimSpace(string(out)) + "\n" + got()
	port, got = closeSecondServer(t)
	agent, err := NewAgent(&AgentOptions{KeepAlive: true, MaxSockets: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Destroy()
	tr := &trace{}
	done := make(chan struct{})
	var get func(i int, then func())
	get = func(i int, then func()) {
		var r *ClientRequest
		r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, Path: fmt.Sprint("/", i), Agent: agent}, func(res *IncomingMessage) {
			tr.add("%d response %d", i, res.StatusCode)
			res.Resume()
			res.OnEnd(func() { tr.add("%d end", i) })
		})
		if err != nil {
			t.Error(err)
			return
		}
		r.OnSocket(func(SocketInfo) { tr.add("%d socket", i) })
		r.OnFinish(func() { tr.add("%d finish", i) })
		r.OnError(func(err error) { tr.add("%d error %s reused %v", i, errCodeMessage(err), r.ReusedSocket()) })
		r.OnClose(func() { tr.add("%d close", i); then() })
		r.End(nil)
	}
	get(1, func() {
		time.AfterFunc(100*time.Millisecond, func() {
			get(2, func() { time.AfterFunc(100*time.Millisecond, func() { close(done) }) })
		})
	})
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("not done; so far:\n%s", tr)
	}
	if got := tr.String() + "\n" + got(); got != want {
		t.Errorf("compat:\n%s\nnode:\n%s", got, want)
	}
}

package engine

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestCloseAllConnections closes an idle connection and one whose handler
// never answers, and the server goes on serving new connections.
func TestCloseAllConnections(t *testing.T) {
	started := make(chan struct{}, 1)
	opened := make(chan struct{}, 3)
	s, addr := startServer(t, func(w *Response, r *Request) {
		if string(r.Path()) == "/hang" {
			w.Detach() // never ends
			started <- struct{}{}
			return
		}
		helloHandler(w, r)
	}, &Options{OnOpen: func(net.Addr, net.Addr) { opened <- struct{}{} }})
	idle, hang := dialServer(t, addr), dialServer(t, addr)
	io.WriteString(hang, "GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
	// Both connections are on their loops (a dial returns before the
	// server has accepted), and the request is in.
	for _, ch := range []chan struct{}{opened, opened, started} {
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
			t.Fatal("connections not open, or no request")
		}
	}
	s.CloseAllConnections()
	for name, c := range map[string]io.Reader{"idle": idle, "hang": hang} {
		idle.SetReadDeadline(time.Now().Add(5 * time.Second))
		hang.SetReadDeadline(time.Now().Add(5 * time.Second))
		if b, err := io.ReadAll(c); err != nil || len(b) != 0 {
			t.Errorf("%s connection: read %q, %v; want a close with no bytes", name, b, err)
		}
	}
	c := dialServer(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 200 ") {
		t.Errorf("new connection after CloseAllConnections: %q, %v", line, err)
	}
}

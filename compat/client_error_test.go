package compat

import (
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// closedPort returns a loopback port nobody listens on.
func closedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// TestClientRefusedMatchesNode: a refused connection gives Node's
// 'socket', then 'error' ECONNREFUSED "connect ECONNREFUSED ip:port" with
// its syscall, errno, address and port, then 'close', and the request is
// destroyed by then.
func TestClientRefusedMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	port := closedPort(t)
	out, err := exec.Command(node, "testdata/client_refused.js", fmt.Sprint(port)).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	want := strings.TrimSpace(string(out))

	tr := &trace{}
	done := make(chan struct{})
	req, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, NoAgent: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.OnSocket(func(SocketInfo) { tr.add("socket destroyed=%v", req.Destroyed()) })
	req.OnFinish(func() { tr.add("finish destroyed=%v", req.Destroyed()) })
	req.OnError(func(err error) {
		var e *Error
		if !errors.As(err, &e) {
			tr.add("error %v", err)
			return
		}
		tr.add("error %s %s syscall=%s errno=%d address=%s port=%v", e.Code, e.Message, e.Syscall, e.Errno, e.Address, e.Port == port)
	})
	req.OnClose(func() { tr.add("close destroyed=%v", req.Destroyed()); close(done) })
	req.End(nil)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("no close")
	}
	if got := tr.String(); got != want {
		t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
	}
}

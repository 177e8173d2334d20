package compat

import (
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tunnelScripts are the scripted answers handing the socket over: the
// head with "EARLY" in one write, then "LATER" 150 ms on, and the end.
var tunnelScripts = map[string][]string{
	"upgrade": {"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nEARLY", "LATER"},
	"connect": {"HTTP/1.1 200 Connection Established\r\n\r\nEARLY", "LATER"},
}

// TestClientUpgradeMatchesNode: a 101 or a CONNECT's 200 gives 'upgrade'
// or 'connect' with the response, the socket and the head, the bytes that
// came with the response head, as a byte slice (Node's Buffer), the socket
// reading on after them; then the request's 'close'. Without a listener
// the socket is closed and only 'close' comes. As node v20.
func TestClientUpgradeMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	for _, mode := range []string{"upgrade", "connect", "nolistener"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			script := tunnelScripts[mode]
			if script == nil {
				script = tunnelScripts["upgrade"]
			}
			port, _ := scriptedServer(t, script)
			out, err := exec.Command(node, "testdata/client_upgrade.js", fmt.Sprint(port), mode).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			want := strings.TrimSpace(string(out))
			if got := upgradeEvents(t, port, mode); got != want {
				t.Errorf("compat:\n%s\nnode:\n%s", got, want)
			}
		})
	}
}

// upgradeEvents runs one client_upgrade.js scenario through compat.
func upgradeEvents(t *testing.T, port int, mode string) string {
	opts := &RequestOptions{Host: "127.0.0.1", Port: port, NoAgent: true,
		Headers: map[string]string{"Connection": "Upgrade", "Upgrade": "echo"}}
	if mode == "connect" {
		opts = &RequestOptions{Host: "127.0.0.1", Port: port, NoAgent: true, Method: "CONNECT", Path: "example.com:443"}
	}
	tr := &trace{}
	done := make(chan struct{})
	var read chan struct{}
	r, err := Request("", opts, func(res *IncomingMessage) { tr.add("response %d", res.StatusCode) })
	if err != nil {
		t.Fatal(err)
	}
	tunnel := func(ev string) func(*IncomingMessage, net.Conn, []byte) {
		return func(res *IncomingMessage, conn net.Conn, head []byte) {
			upgrade := res.Headers()["upgrade"]
			if upgrade == "" {
				upgrade = "-"
			}
			tr.add("%s %d %s head=%s buffer=%v", ev, res.StatusCode, upgrade, strconv.Quote(string(head)), head != nil)
			read = make(chan struct{})
			go func() {
				defer close(read)
				conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				rest, _ := io.ReadAll(conn)
				<-done // logged after the request's 'close', as in Node's order
				tr.add("rest=%s", strconv.Quote(string(rest)))
				conn.Close()
				tr.add("socket close")
			}()
		}
	}
	if mode != "nolistener" {
		r.OnUpgrade(tunnel("upgrade"))
		r.OnConnect(tunnel("connect"))
	}
	r.OnClose(func() { tr.add("close"); close(done) })
	r.OnError(func(err error) { tr.add("error %s", nodeError(err)) })
	r.End(nil)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("no close; so far:\n%s", tr)
	}
	if read != nil {
		<-read
	}
	return tr.String()
}

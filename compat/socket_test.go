package compat

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// upgradeServer echoes upgraded and CONNECT connections in upper case; it
// refuses upgrades to anything but "echo".
func upgradeServer(t *testing.T) string {
	s := CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) { res.EndString("plain") })
	echo := func(req *IncomingMessage, sock *Socket, head string) {
		sock.WriteString(head)
		sock.OnData(func(c []byte) {
			sock.Write(bytes.ToUpper(c))
			if bytes.Contains(c, []byte("bye")) {
				sock.End()
			}
		})
	}
	s.OnUpgrade(func(req *IncomingMessage, sock *Socket) {
		if req.Headers()["upgrade"] != "echo" {
			sock.WriteString(fmt.Sprintf("HTTP/1.1 426 Upgrade Required\r\nX-Why: echo only, upgrade=%v\r\n\r\n", req.Upgrade))
			sock.Destroy()
			return
		}
		echo(req, sock, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	})
	s.OnConnect(func(req *IncomingMessage, sock *Socket) {
		echo(req, sock, fmt.Sprintf("HTTP/1.1 200 Connection Established\r\nX-Upgrade: %v\r\n\r\n", req.Upgrade))
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	return fmt.Sprintf("127.0.0.1:%d", s.Address().Port)
}

// nodeUpgradeServer is upgradeServer under node.
func nodeUpgradeServer(t *testing.T) string {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	cmd := exec.Command(node, "-e", `
const http = require('http');
const s = http.createServer((req, res) => res.end('plain'));
function echo(sock, head, early) {
  sock.write(head);
  const on = c => { sock.write(c.toString('latin1').toUpperCase()); if (c.includes('bye')) sock.end(); };
  if (early.length) on(early);
  sock.on('data', on);
}
s.on('upgrade', (req, sock, early) => {
  if (req.headers.upgrade !== 'echo') { sock.write('HTTP/1.1 426 Upgrade Required\r\nX-Why: echo only, upgrade=' + req.upgrade + '\r\n\r\n'); sock.destroy(); return; }
  echo(sock, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n', early);
});
s.on('connect', (req, sock, early) => echo(sock, 'HTTP/1.1 200 Connection Established\r\nX-Upgrade: ' + req.upgrade + '\r\n\r\n', early));
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopNode(cmd, stdin) })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return "127.0.0.1:" + strings.TrimSpace(line)
}

// tunnelTalk sends head+early, reads the response, then talks; it returns
// a summary that must be the same for node and compat.
func tunnelTalk(t *testing.T, addr, head, early string) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, head+early)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The Connection field is left out: the engine drops the listener's
	// "Connection: Upgrade" from a 101 (it writes Connection itself).
	sum := fmt.Sprintf("%d upgrade=%q why=%q", resp.StatusCode, resp.Header.Get("Upgrade"), resp.Header.Get("X-Why"))
	if resp.StatusCode/100 != 2 && resp.StatusCode != 101 {
		return sum
	}
	want := strings.ToUpper(early)
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil {
		t.Fatalf("early: %v", err)
	}
	io.WriteString(c, "hello bye")
	rest, _ := io.ReadAll(br)
	return sum + " data=" + string(got) + string(rest)
}

func TestServerUpgradeMatchesNode(t *testing.T) {
	compatAddr := upgradeServer(t)
	nodeAddr := nodeUpgradeServer(t)
	cases := []struct{ name, head, early string }{
		{"upgrade", "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n", "early"},
		{"refused", "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: other\r\nConnection: Upgrade\r\n\r\n", ""},
		{"connect", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "early"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			want := tunnelTalk(t, nodeAddr, tt.head, tt.early)
			got := tunnelTalk(t, compatAddr, tt.head, tt.early)
			if got != want {
				t.Errorf("compat: %s\nnode:   %s", got, want)
			}
		})
	}
}

// TestClientUpgrade upgrades and tunnels from the compat client, against
// the compat and the node upgrade servers.
func TestClientUpgrade(t *testing.T) {
	for name, addr := range map[string]string{"compat": upgradeServer(t), "node": nodeUpgradeServer(t)} {
		t.Run(name, func(t *testing.T) {
			host, port, _ := net.SplitHostPort(addr)
			var p int
			fmt.Sscan(port, &p)
			for _, method := range []string{"GET", "CONNECT"} {
				opts := &RequestOptions{Method: method, Host: host, Port: p, NoAgent: true,
					Headers: map[string]string{"Upgrade": "echo", "Connection": "Upgrade"}}
				if method == "CONNECT" {
					opts.Path = "example.com:443"
					opts.Headers = nil
				}
				got := make(chan string, 1)
				r, err := Request("", opts, func(*IncomingMessage) { got <- "response event" })
				if err != nil {
					t.Fatal(err)
				}
				talk := func(res *IncomingMessage, conn net.Conn, head []byte) {
					go func() {
						defer conn.Close()
						conn.SetDeadline(time.Now().Add(5 * time.Second))
						io.WriteString(conn, "hi bye")
						b, _ := io.ReadAll(conn)
						got <- fmt.Sprintf("%d %s%s", res.StatusCode, head, b)
					}()
				}
				r.OnUpgrade(talk)
				r.OnConnect(talk)
				r.OnError(func(err error) { got <- err.Error() })
				r.End(nil)
				select {
				case g := <-got:
					want := "101 HI BYE"
					if method == "CONNECT" {
						want = "200 HI BYE"
					}
					if g != want {
						t.Errorf("%s: got %q; want %q", method, g, want)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("%s: no answer", method)
				}
			}
		})
	}
}

// tunnelWire sends head and early bytes and returns every byte the server
// sent within 300 ms, the Date value masked.
func tunnelWire(t *testing.T, addr, head, early string) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, head+early)
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	b, _ := io.ReadAll(c)
	return dateValue.ReplaceAllString(string(b), "Date: (date)\r")
}

// TestServerUpgradeWireMatchesNode compares the raw bytes of upgrades with
// node's: the head the listener writes goes out as written, and the bytes
// it writes after it follow in order.
func TestServerUpgradeWireMatchesNode(t *testing.T) {
	compatAddr := upgradeServer(t)
	nodeAddr := nodeUpgradeServer(t)
	cases := []struct{ name, head, early string }{
		{"upgrade", "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n", "early"},
		{"refused", "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: other\r\nConnection: Upgrade\r\n\r\n", ""},
		{"connect", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "early"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			want := tunnelWire(t, nodeAddr, tt.head, tt.early)
			got := tunnelWire(t, compatAddr, tt.head, tt.early)
			if got != want {
				t.Errorf("compat sent %q\nnode sent   %q", got, want)
			}
		})
	}
}

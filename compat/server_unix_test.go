package compat

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestServerUnixSocketMatchesNode listens on a unix socket with node and
// with compat: server.address() is the path, and a request's socket has
// no addresses (undefined in Node, zero values here).
func TestServerUnixSocketMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	dir := t.TempDir()
	get := func(path string) {
		c := http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return net.Dial("unix", path)
		}}}
		resp, err := c.Get("http://x/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	nodePath := filepath.Join(dir, "node.sock")
	cmd := exec.Command(node, "-e", `
const http = require('http');
const s = http.createServer((req, res) => {
  const k = req.socket;
  console.log(JSON.stringify([k.remoteAddress, k.remotePort, k.remoteFamily, k.localAddress, k.localPort]));
  res.end('ok');
});
s.listen(process.argv[1], () => console.log(JSON.stringify(s.address())));
process.stdin.on('end', () => process.exit(0)).resume();`, nodePath)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stopNode(cmd, stdin)
	sc := bufio.NewScanner(stdout)
	sc.Scan()
	wantAddr := strings.ReplaceAll(sc.Text(), nodePath, "PATH")
	get(nodePath)
	sc.Scan()
	wantSock := sc.Text()

	path := filepath.Join(dir, "compat.sock")
	got := make(chan string, 1)
	s := CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) {
		k := req.Socket
		undef := func(v any) any {
			if v == "" || v == 0 {
				return nil
			}
			return v
		}
		j, _ := json.Marshal([]any{undef(k.RemoteAddress), undef(k.RemotePort), undef(k.RemoteFamily), undef(k.LocalAddress), undef(k.LocalPort)})
		got <- string(j)
		res.EndString("ok")
	})
	if err := s.ListenAddr("unix://"+path, nil); err != nil {
		t.Fatal(err)
	}
	defer closeServer(t, s)
	j, _ := json.Marshal(s.Address().Address)
	if gotAddr := strings.ReplaceAll(string(j), path, "PATH"); gotAddr != wantAddr {
		t.Errorf("address() = %s; node's %s", gotAddr, wantAddr)
	}
	get(path)
	if g := <-got; g != wantSock {
		t.Errorf("req.socket = %s; node's %s", g, wantSock)
	}
}

package benchmarks

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestServers starts each cmd/server implementation on a free 127.0.0.1 port
// and checks that one GET gets the hello-world response with Date and Server.
func TestServers(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "server")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/server").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/server: %v\n%s", err, out)
	}
	for _, impl := range []string{"zerohttp", "compat", "nethttp", "bridge", "fasthttp", "nbio", "nbio-blocking", "gnet-raw", "node"} {
		t.Run(impl, func(t *testing.T) {
			if impl == "node" {
				if _, err := exec.LookPath("node"); err != nil {
					t.Skip("node not installed")
				}
			}
			addr := freeAddr(t)
			var stderr bytes.Buffer
			cmd := exec.Command(bin, "-impl", impl, "-addr", addr)
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{}) // closed when the server has exited
			go func() {
				cmd.Wait()
				close(exited)
			}()
			t.Cleanup(func() {
				cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-exited:
				case <-time.After(5 * time.Second):
					cmd.Process.Kill()
					<-exited
				}
			})
			if !waitDial(addr, exited) {
				t.Fatalf("server did not listen on %s; stderr:\n%s", addr, stderr.String())
			}
			c := &http.Client{Timeout: 5 * time.Second}
			resp, err := c.Get("http://" + addr + "/hello")
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || string(body) != "Hello, World!" {
				t.Errorf("GET = %d %q; want 200 %q", resp.StatusCode, body, "Hello, World!")
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/plain" {
				t.Errorf("Content-Type = %q; want text/plain", ct)
			}
			if _, err := http.ParseTime(resp.Header.Get("Date")); err != nil {
				t.Errorf("Date = %q: %v", resp.Header.Get("Date"), err)
			}
			if resp.Header.Get("Server") == "" {
				t.Error("no Server header")
			}
		})
	}
}

// freeAddr returns a 127.0.0.1 address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitDial reports whether addr accepts a connection within 10 s, giving up
// early if the server exits.
func waitDial(addr string, exited <-chan struct{}) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp4", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return true
		}
		select {
		case <-exited:
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
	return false
}

package engine

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/headers"
)

// startNginx runs nginx (installed by .ci/run) in the foreground with a
// config whose upstream is upstreamAddr and whose /static/ serves files from
// the returned directory. It returns nginx's address. nginx is stopped by
// its PID at the end of the test.
func startNginx(t *testing.T, upstreamAddr string) (addr, root string) {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		t.Skip("nginx not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	// nginx's workers drop to an unprivileged user when started as root:
	// let them read the test's directory (t.TempDir makes it 0700).
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	root = filepath.Join(dir, "www")
	if err := os.MkdirAll(filepath.Join(root, "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	conf := fmt.Sprintf(`
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	upstream zero {
		server %[2]s;
		keepalive 4;
	}
	server {
		listen %[3]s;
		location /proxy/ {
			proxy_pass http://zero;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_request_buffering off;
			proxy_buffering off;
		}
		location /static/ {
			root %[4]s;
			gzip on;
			gzip_min_length 1;
			gzip_types text/plain;
		}
	}
}
`, dir, upstreamAddr, addr, root)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", confPath, "-g", "daemon off;")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT) // graceful stop of the master we started
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp4", addr); err == nil {
			c.Close()
			return addr, root
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not start: %s", stderr.String())
		}
	}
}

// TestNginxInFront puts nginx in front of the engine as a reverse proxy with
// upstream keep-alive: nginx must reuse a few connections for many requests,
// chunked request bodies must pass through unbuffered, and a streamed
// (chunked) response must reach the client whole.
func TestNginxInFront(t *testing.T) {
	var mu sync.Mutex
	peers := map[string]bool{}
	s, upstream := startServer(t, func(w *Response, r *Request) {
		mu.Lock()
		peers[r.RemoteAddr().String()] = true
		mu.Unlock()
		switch string(r.Path()) {
		case "/proxy/stream":
			for i := range 5 {
				fmt.Fprintf(w, "part %d;", i)
				w.Flush()
			}
		default:
			fmt.Fprintf(w, "%s %s %d", r.MethodBytes(), r.Target(), len(r.Body()))
		}
	}, nil)
	addr, _ := startNginx(t, upstream)
	client := &http.Client{Timeout: 10 * time.Second}

	for i := range 40 {
		resp, err := client.Get(fmt.Sprintf("http://%s/proxy/item?i=%d", addr, i))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf("GET /proxy/item?i=%d 0", i); resp.StatusCode != 200 || string(body) != want {
			t.Fatalf("GET %d through nginx: %d %q; want 200 %q", i, resp.StatusCode, body, want)
		}
	}
	mu.Lock()
	conns := len(peers)
	mu.Unlock()
	if conns > 4 {
		t.Errorf("nginx used %d upstream connections for 40 requests; want at most its keepalive pool of 4", conns)
	}

	// A chunked upload: the client sends no Content-Length, nginx streams it on.
	payload := strings.Repeat("0123456789", 5000)
	req, _ := http.NewRequest("POST", "http://"+addr+"/proxy/upload", io.MultiReader(strings.NewReader(payload)))
	req.ContentLength = -1
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := fmt.Sprintf("POST /proxy/upload %d", len(payload)); string(body) != want {
		t.Fatalf("chunked POST through nginx: %q; want %q", body, want)
	}

	resp, err = client.Get("http://" + addr + "/proxy/stream")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "part 0;part 1;part 2;part 3;part 4;"; string(body) != want {
		t.Fatalf("streamed response through nginx: %q; want %q", body, want)
	}
	if s.NumConns() == 0 {
		t.Errorf("no upstream connection kept alive by nginx")
	}
}

// TestClientAgainstNginx drives the engine client against nginx serving a
// static file: keep-alive reuse, HEAD, a conditional GET (304 with no body)
// and a gzip response, which nginx sends chunked.
func TestClientAgainstNginx(t *testing.T) {
	addr, root := startNginx(t, "127.0.0.1:9") // the upstream is unused here
	content := strings.Repeat("zerohttp static file\n", 2000)
	if err := os.WriteFile(filepath.Join(root, "static", "file.txt"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	cli := newTestClient(t)
	cc := dialTest(t, cli, addr, nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	defer ReleaseClientRequest(req)
	defer ReleaseClientResponse(resp)

	for i := range 20 {
		req.Reset()
		resp.Reset()
		req.SetPath("/static/file.txt")
		if err := cc.Do(req, resp); err != nil {
			t.Fatalf("GET %d: %v", i, err)
		}
		if resp.StatusCode() != 200 || string(resp.Body()) != content || !resp.KeepAlive() {
			t.Fatalf("GET %d: %d, %d bytes, keep-alive %v", i, resp.StatusCode(), len(resp.Body()), resp.KeepAlive())
		}
	}
	if n := cc.Completed(); n < 20 {
		t.Fatalf("connection completed %d requests; want all 20 on one connection", n)
	}
	lastModified := string(resp.HeaderValue("Last-Modified"))

	req.Reset()
	resp.Reset()
	req.SetMethod("HEAD")
	req.SetPath("/static/file.txt")
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 200 || len(resp.Body()) != 0 || string(resp.HeaderValue("Content-Length")) != fmt.Sprint(len(content)) {
		t.Fatalf("HEAD: %d, body %d bytes, Content-Length %q", resp.StatusCode(), len(resp.Body()), resp.HeaderValue("Content-Length"))
	}

	req.Reset()
	resp.Reset()
	req.SetPath("/static/file.txt")
	req.Header.AddString("If-Modified-Since", lastModified)
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 304 || len(resp.Body()) != 0 {
		t.Fatalf("conditional GET: %d with %d body bytes; want 304 and none", resp.StatusCode(), len(resp.Body()))
	}

	req.Reset()
	resp.Reset()
	req.SetPath("/static/file.txt")
	req.Header.AddString("Accept-Encoding", "gzip")
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if te, _ := resp.Header().Get("Transfer-Encoding"); !headers.EqualFold(te, "chunked") {
		t.Fatalf("gzip response Transfer-Encoding %q; want chunked", te)
	}
	zr, err := gzip.NewReader(bytes.NewReader(resp.Body()))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || string(plain) != content {
		t.Fatalf("gzip body: %d bytes, %v; want the file", len(plain), err)
	}
}

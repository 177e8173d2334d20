package compat

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// echoServer answers every request with its method, URL, some headers, the
// body's length and its SHA-256, after the whole body has arrived; the
// response is ended from another goroutine when the URL asks for it.
func echoServer(t *testing.T) (*Server, string) {
	return startServer(t, nil, func(req *IncomingMessage, res *ServerResponse) {
		h := sha256.New()
		n := 0
		req.OnData(func(c []byte) { h.Write(c); n += len(c) })
		req.OnEnd(func() {
			reply := fmt.Sprintf("%s %s %s|%s|%d %s", req.Method, req.URL, req.HTTPVersion,
				req.Headers()["x-multi"], n, hex.EncodeToString(h.Sum(nil))[:16])
			if strings.Contains(req.URL, "async") {
				go func() {
					time.Sleep(5 * time.Millisecond)
					res.SetHeader("X-Async", "yes")
					res.WriteString(reply)
					res.End(nil)
				}()
				return
			}
			res.SetHeader("Content-Type", "text/plain")
			res.EndString(reply)
		})
	})
}

func sum16(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])[:16]
}

func TestServerNetHTTPClient(t *testing.T) {
	_, url := echoServer(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640 KB: streamed by the engine
	cases := []struct {
		name, method, path string
		body               []byte
	}{
		{"get", "GET", "/a?b=c", nil},
		{"post", "POST", "/p", []byte("hello")},
		{"big", "PUT", "/big", big},
		{"async", "POST", "/async", []byte("x")},
		{"async-big", "POST", "/async-big", big},
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, url+tt.path, bytes.NewReader(tt.body))
			req.Header.Add("X-Multi", "1")
			req.Header.Add("X-Multi", "2")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := fmt.Sprintf("%s %s 1.1|1, 2|%d %s", tt.method, tt.path, len(tt.body), sum16(tt.body))
			if string(got) != want {
				t.Errorf("body = %q; want %q", got, want)
			}
		})
	}
}

// TestServerNetHTTPConcurrent runs many keep-alive clients at once.
func TestServerNetHTTPConcurrent(t *testing.T) {
	_, url := echoServer(t)
	client := &http.Client{Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				path := fmt.Sprintf("/c%d-%d", i, j)
				if j%3 == 0 {
					path += "-async"
				}
				body := strings.Repeat("z", j*100)
				resp, err := client.Post(url+path, "text/plain", strings.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want := fmt.Sprintf("POST %s 1.1||%d %s", path, len(body), sum16([]byte(body)))
				if string(got) != want {
					t.Errorf("body = %q; want %q", got, want)
				}
			}
		}(i)
	}
	wg.Wait()
}

func TestServerCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not found")
	}
	_, url := echoServer(t)
	out, err := exec.Command(curl, "-sS", "--max-time", "10", "-H", "X-Multi: a", "-H", "X-Multi: b",
		"--data-binary", "hello", url+"/curl").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("POST /curl 1.1|a, b|5 %s", sum16([]byte("hello")))
	if string(out) != want {
		t.Errorf("curl got %q; want %q", out, want)
	}
	// HTTP/1.0, and a response ended on another goroutine.
	out, err = exec.Command(curl, "-sS", "--max-time", "10", "--http1.0", url+"/curl-async").Output()
	if err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("GET /curl-async 1.0||0 %s", sum16(nil))
	if string(out) != want {
		t.Errorf("curl --http1.0 got %q; want %q", out, want)
	}
}

// TestServerNodeClient uses node's http client against a compat server.
func TestServerNodeClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	s, _ := echoServer(t)
	script := `
const http = require('http');
const port = +process.argv[1];
const agent = new http.Agent({keepAlive: true});
function one(path, body) {
  return new Promise((resolve, reject) => {
    const r = http.request({port, host: '127.0.0.1', path, method: 'POST', agent, headers: {'X-Multi': ['p', 'q']}}, res => {
      let b = ''; res.setEncoding('latin1'); res.on('data', c => b += c); res.on('end', () => resolve(res.statusCode + ' ' + b));
    });
    r.on('error', reject);
    r.write(body.slice(0, 3)); r.end(body.slice(3));
  });
}
(async () => {
  console.log(await one('/n1', 'hello world'));
  console.log(await one('/n2-async', 'x'.repeat(100000)));
  agent.destroy();
})().catch(e => { console.error(e); process.exit(1); });
`
	cmd := exec.Command(node, "-e", script, fmt.Sprint(s.Address().Port))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	want := fmt.Sprintf("200 POST /n1 1.1|p, q|11 %s\n200 POST /n2-async 1.1|p, q|100000 %s\n",
		sum16([]byte("hello world")), sum16(bytes.Repeat([]byte("x"), 100000)))
	if string(out) != want {
		t.Errorf("node client got:\n%s\nwant:\n%s", out, want)
	}
}

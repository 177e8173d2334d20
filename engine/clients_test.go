package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// echoHandler serves the real-client tests: /echo returns the body,
// /stream a chunked body in three flushed parts, anything else the path.
func echoHandler(w *Response, r *Request) {
	switch string(r.Path()) {
	case "/echo":
		w.Write(r.Body())
	case "/stream":
		for i := 0; i < 3; i++ {
			w.WriteString("part")
			w.Flush()
		}
	default:
		w.Write(r.Path())
	}
}

// run runs a command with a time bound and returns its stdout and stderr.
func run(t *testing.T, stdin []byte, name string, args ...string) (string, string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, errb.String())
	}
	return out.String(), errb.String()
}

func TestCurl(t *testing.T) {
	_, addr := startServer(t, echoHandler, nil)
	base := "http://" + addr
	t.Run("keep-alive", func(t *testing.T) {
		out, errs := run(t, nil, "curl", "-sv", base+"/1", base+"/2", base+"/3")
		if out != "/1/2/3" || strings.Count(errs, "Re-using existing connection") != 2 {
			t.Fatalf("out %q, stderr:\n%s", out, errs)
		}
	})
	t.Run("chunked upload", func(t *testing.T) {
		body := strings.Repeat("chunky ", 5000) // under MaxBufferedBody: buffered
		out, errs := run(t, []byte(body), "curl", "-sv", "-T", "-", "-H", "Transfer-Encoding: chunked", base+"/echo")
		if out != body || !strings.Contains(errs, "Transfer-Encoding: chunked") {
			t.Fatalf("echo of %d bytes gave %d; stderr:\n%s", len(body), len(out), errs)
		}
	})
	t.Run("100-continue", func(t *testing.T) {
		body := strings.Repeat("x", 20000)
		start := time.Now()
		out, errs := run(t, []byte(body), "curl", "-sv", "-H", "Expect: 100-continue", "--data-binary", "@-", base+"/echo")
		if out != body || !strings.Contains(errs, "HTTP/1.1 100 Continue") {
			t.Fatalf("got %d bytes; stderr:\n%s", len(out), errs)
		}
		if el := time.Since(start); el > 900*time.Millisecond {
			t.Fatalf("took %v: curl waited out its Expect timeout", el)
		}
	})
	t.Run("HEAD", func(t *testing.T) {
		out, _ := run(t, nil, "curl", "-sI", "--max-time", "5", base+"/hello")
		if !strings.HasPrefix(out, "HTTP/1.1 200 OK") || !strings.Contains(out, "Content-Length: 6") {
			t.Fatalf("HEAD gave %q", out)
		}
	})
	t.Run("chunked download", func(t *testing.T) {
		out, _ := run(t, nil, "curl", "-s", "--raw", base+"/stream")
		if out != "4\r\npart\r\n4\r\npart\r\n4\r\npart\r\n0\r\n\r\n" {
			t.Fatalf("raw body %q", out)
		}
		out, _ = run(t, nil, "curl", "-s", base+"/stream")
		if out != "partpartpart" {
			t.Fatalf("body %q", out)
		}
	})
}

const nodeClient = `
const http = require('http');
const port = +process.argv[1];
const agent = new http.Agent({keepAlive: true, maxSockets: 1});
function req(opts, body) {
  return new Promise((resolve, reject) => {
    const r = http.request({host: '127.0.0.1', port, agent, ...opts}, (res) => {
      let d = '';
      res.on('data', (c) => d += c);
      res.on('end', () => resolve({status: res.statusCode, headers: res.headers, body: d, reused: r.reusedSocket}));
    });
    r.on('error', reject);
    for (const b of body || []) r.write(b);
    r.end();
  });
}
(async () => {
  const out = [];
  out.push(await req({path: '/a'}));
  out.push(await req({path: '/b'}));
  out.push(await req({method: 'POST', path: '/echo'}, ['hello ', 'world']));
  out.push(await req({method: 'HEAD', path: '/head'}));
  out.push(await req({path: '/stream'}));
  out.push(await req({method: 'POST', path: '/echo', headers: {'Expect': '100-continue', 'Content-Length': 5}}, ['12345']));
  console.log(JSON.stringify(out));
  agent.destroy();
})().catch((e) => { console.error(e); process.exit(1); });
`

func TestNodeClient(t *testing.T) {
	_, addr := startServer(t, echoHandler, nil)
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	out, _ := run(t, nil, "node", "-e", nodeClient, port)
	var got []struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
		Reused  bool              `json:"reused"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	want := []string{"/a", "/b", "hello world", "", "partpartpart", "12345"}
	if len(got) != len(want) {
		t.Fatalf("got %d responses", len(got))
	}
	for i, g := range got {
		if g.Status != 200 || g.Body != want[i] {
			t.Errorf("response %d: %d %q; want 200 %q", i, g.Status, g.Body, want[i])
		}
		if i > 0 && !g.Reused {
			t.Errorf("response %d did not reuse the keep-alive socket", i)
		}
		if g.Headers["date"] == "" {
			t.Errorf("response %d has no Date", i)
		}
	}
	if got[3].Headers["content-length"] != strconv.Itoa(len("/head")) {
		t.Errorf("HEAD content-length %q", got[3].Headers["content-length"])
	}
	if got[4].Headers["transfer-encoding"] != "chunked" {
		t.Errorf("stream transfer-encoding %q", got[4].Headers["transfer-encoding"])
	}
	_ = os.Stderr
}

package compat

import (
	"bufio"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// fetch sends a request and waits for its whole response, or its error.
func fetch(t *testing.T, rawURL string, opts *RequestOptions, body string) (*IncomingMessage, string, error) {
	t.Helper()
	type result struct {
		res  *IncomingMessage
		body string
		err  error
	}
	done := make(chan result, 1)
	req, err := Request(rawURL, opts, func(res *IncomingMessage) {
		var b []byte
		res.OnData(func(c []byte) { b = append(b, c...) })
		res.OnEnd(func() { done <- result{res, string(b), nil} })
	})
	if err != nil {
		return nil, "", err
	}
	req.OnError(func(err error) { done <- result{nil, "", err} })
	if body != "" {
		req.WriteString(body[:len(body)/2])
	}
	req.EndString(body[len(body)/2:])
	select {
	case r := <-done:
		return r.res, r.body, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("no response")
	}
	return nil, "", nil
}

func TestClientAgainstCompatServer(t *testing.T) {
	_, url := echoServer(t)
	agent, err := NewAgent(&AgentOptions{KeepAlive: true, MaxSockets: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Destroy()
	for _, opts := range []*RequestOptions{
		{Method: "POST", Agent: agent, Headers: map[string]string{"X-Multi": "m"}},
		{Method: "POST", NoAgent: true, Headers: map[string]string{"X-Multi": "m"}},
		{Method: "POST", Headers: map[string]string{"X-Multi": "m"}}, // global agent
	} {
		for _, path := range []string{"/one", "/two-async"} {
			res, body, err := fetch(t, url+path, opts, "hello client")
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("POST %s 1.1|m|12 %s", path, sum16([]byte("hello client")))
			if res.StatusCode != 200 || body != want {
				t.Errorf("got %d %q; want 200 %q", res.StatusCode, body, want)
			}
			if res.StatusMessage != "OK" || res.HTTPVersion != "1.1" {
				t.Errorf("status message %q, version %q", res.StatusMessage, res.HTTPVersion)
			}
		}
	}
	if got := agent.GetName(&RequestOptions{Host: "127.0.0.1", Port: 81}); got != "127.0.0.1:81:" {
		t.Errorf("GetName = %q", got)
	}
}

func TestClientRefused(t *testing.T) {
	_, _, err := fetch(t, "http://127.0.0.1:1/", &RequestOptions{NoAgent: true}, "")
	if err == nil {
		t.Fatal("no error for a refused connection")
	}
}

func TestClientBadInput(t *testing.T) {
	if _, err := Request("ftp://x/", nil, nil); !errors.Is(err, ErrInvalidProtocol) {
		t.Errorf("ftp: err = %v", err)
	}
	if _, err := Request("", &RequestOptions{Method: "GE T"}, nil); err != ErrInvalidHTTPToken {
		t.Errorf("method: err = %v", err)
	}
	if _, err := Request("", &RequestOptions{Headers: map[string]string{"a": "b\r\nc: d"}}, nil); !errors.Is(err, ErrInvalidChar) {
		t.Errorf("header: err = %v", err)
	}
}

// nodeServer starts a node echo server and returns its URL.
func nodeServer(t *testing.T) string {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	cmd := exec.Command(node, "-e", `
const http = require('http');
const srv = http.createServer((req, res) => {
  let b = ''; req.setEncoding('latin1');
  req.on('data', c => b += c);
  req.on('end', () => {
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.setHeader('X-Echo', req.method + ' ' + req.url + ' ' + (req.headers['transfer-encoding'] || req.headers['content-length']));
    res.write(b.slice(0, 2)); res.end(b.slice(2));
  });
});
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + strings.TrimSpace(line)
}

func TestClientAgainstNodeServer(t *testing.T) {
	url := nodeServer(t)
	for _, tt := range []struct {
		name, body, framing string
		opts                *RequestOptions
	}{
		{"written", "hello node", "chunked", &RequestOptions{Method: "PUT"}},
		{"length", "hello node", "10", &RequestOptions{Method: "PUT", Headers: map[string]string{"Content-Length": "10"}}},
		{"noagent", "hello node", "chunked", &RequestOptions{Method: "PUT", NoAgent: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body, err := fetch(t, url+"/n?q", tt.opts, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if body != tt.body {
				t.Errorf("body = %q; want %q", body, tt.body)
			}
			if got, want := res.Headers()["x-echo"], "PUT /n?q "+tt.framing; got != want {
				t.Errorf("x-echo = %q; want %q", got, want)
			}
			if got := res.HeadersDistinct()["set-cookie"]; len(got) != 2 || got[0] != "a=1" || got[1] != "b=2" {
				t.Errorf("set-cookie = %q", got)
			}
		})
	}
}

// TestClientEventOrder runs each client scenario under node and under
// compat (against a compat server) and compares the event sequences.
func TestClientEventOrder(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	s, _ := startServer(t, nil, func(req *IncomingMessage, res *ServerResponse) {
		req.Resume()
		req.OnEnd(func() { res.EndString("pong") })
	})
	agent, err := NewAgent(&AgentOptions{KeepAlive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Destroy()
	for _, mode := range []string{"noagent", "keepalive", "refused"} {
		t.Run(mode, func(t *testing.T) {
			out, err := exec.Command(node, "testdata/client_events.js", mode).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			want := strings.TrimSpace(string(out))
			tr := &trace{}
			opts := &RequestOptions{Host: "127.0.0.1", Port: s.Address().Port, Method: "POST"}
			switch mode {
			case "noagent":
				opts.NoAgent = true
			case "keepalive":
				opts.Agent = agent
			case "refused":
				opts.Port, opts.NoAgent = 1, true
			}
			r, err := Request("", opts, func(res *IncomingMessage) {
				tr.add("response %d", res.StatusCode)
				res.OnData(func(c []byte) { tr.add("res.data %s", c) })
				res.OnEnd(func() { tr.add("res.end") })
				res.OnClose(func() { tr.add("res.close") })
			})
			if err != nil {
				t.Fatal(err)
			}
			r.OnSocket(func(SocketInfo) { tr.add("socket") })
			r.OnFinish(func() { tr.add("finish") })
			r.OnClose(func() { tr.add("close") })
			r.OnError(func(error) { tr.add("error") })
			r.WriteString("pi")
			r.EndString("ng")
			time.Sleep(200 * time.Millisecond)
			if got := tr.String(); got != want {
				t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
			}
		})
	}
}

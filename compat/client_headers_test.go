package compat

import (
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordingServer records each connection's request bytes, read until
// the client has been quiet for 300 ms, then answers an empty 200.
func recordingServer(t *testing.T) (port int, heads func() []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var got []string
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var b []byte
				buf := make([]byte, 4096)
				for {
					c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
					n, err := c.Read(buf)
					b = append(b, buf[:n]...)
					if err != nil {
						break
					}
				}
				mu.Lock()
				got = append(got, string(b))
				mu.Unlock()
				c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// headerScenario makes client_headers.js's request MODE with compat's
// client and returns what it reports, as the script prints it.
func headerScenario(t *testing.T, port int, mode string) string {
	var out []string
	base := RequestOptions{Host: "127.0.0.1", Port: port, NoAgent: true}
	var req *ClientRequest
	var err error
	switch mode {
	case "default":
		o := base
		o.Method, o.Path = "post", "/d"
		req, err = Request("", &o, nil)
		if err == nil {
			out = append(out, fmt.Sprintf("host=%s names=%s method=%s", req.GetHeader("host"), jsonList(req.GetHeaderNames()), req.Method))
		}
	case "nohost":
		o := base
		o.NoHost = true
		req, err = Request("", &o, nil)
		if err == nil {
			h := req.GetHeader("host")
			if !req.HasHeader("host") {
				h = "undefined"
			}
			out = append(out, "host="+h)
		}
	case "userhost":
		o := base
		o.Headers = map[string]string{"X-B": "1", "HOST": "example.com:81"}
		req, err = Request("", &o, nil)
		if err == nil {
			out = append(out, "host="+req.GetHeader("host"))
		}
	case "sethost":
		if req, err = Request("", &base, nil); err == nil {
			err = req.SetHeader("Host", "example.com:82")
		}
	case "sethostcase":
		if req, err = Request("", &base, nil); err == nil {
			err = req.SetHeader("host", req.GetHeader("host"))
		}
	case "auth":
		o := base
		o.Host, o.Port = "", 0
		o.Headers = map[string]string{"X-A": "1"}
		req, err = Request("http://us%20er:p%40ss@127.0.0.1:"+strconv.Itoa(port)+"/a", &o, nil)
	case "values":
		req, err = Request("", &base, nil)
		if err == nil {
			req.SetHeaderValues("X-Arr", []string{"a", "b"})
			req.SetHeader("X-Num", strconv.Itoa(42))
			req.AppendHeader("X-App", "1")
			req.AppendHeader("x-app", "2", "3")
			req.SetHeader("X-Latin", "caf\u00e9")
			out = append(out, "raw="+jsonList(req.GetRawHeaderNames())+" app="+jsonList(req.GetHeaderValues("x-app")))
			if err := req.SetHeader("X-Bad", "\u0100"); err != nil {
				out = append(out, "bad "+err.(*Error).Code)
			}
		}
	case "trailers":
		o := base
		o.Method = "POST"
		req, err = Request("", &o, nil)
		if err == nil {
			req.WriteString("abc")
			req.AddTrailers("X-T", "v")
		}
	case "badport":
		o := base
		o.Port = 70000
		_, err = Request("", &o, nil)
	case "https":
		_, err = Request("https://127.0.0.1:"+strconv.Itoa(port)+"/", nil, nil)
	case "space":
		o := base
		o.Path = "/a b"
		_, err = Request("", &o, nil)
	}
	if err != nil {
		out = append(out, "throw "+nodeError(err))
		return strings.Join(out, "\n")
	}
	done := make(chan struct{})
	req.OnResponse(func(res *IncomingMessage) { res.OnEnd(func() { close(done) }); res.Resume() })
	req.OnError(func(err error) { out = append(out, "error "+nodeError(err)); close(done) })
	req.End(nil)
	select {
	case <-done:
	case <-time.After(3 * time.Second):
	}
	return strings.Join(out, "\n")
}

func jsonList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// TestClientHeadersMatchNode: the request head compat sends, byte for
// byte, and what its header API reports, against node v20's for the same
// options: the Host Node makes (first, visible to getHeader; none with
// setHost false; a user HOST in its case; a Host set again, last, with a
// new value or in lower case), auth from a URL's
// percent-encoding after Host, arrays, appendHeader, getRawHeaderNames,
// latin1 values and a value above U+00FF refused, trailers, an upper-cased
// method, and the errors Node throws for a bad port, https: and a space
// in the path.
func TestClientHeadersMatchNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	for _, mode := range []string{"default", "nohost", "userhost", "sethost", "sethostcase", "auth", "values", "trailers", "badport", "https", "space"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			nport, nheads := recordingServer(t)
			out, err := exec.Command(node, "testdata/client_headers.js", fmt.Sprint(nport), mode).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			cport, cheads := recordingServer(t)
			got := headerScenario(t, cport, mode)
			want := strings.TrimSpace(strings.ReplaceAll(string(out), strconv.Itoa(nport), "PORT"))
			got = strings.ReplaceAll(got, strconv.Itoa(cport), "PORT")
			if got != want {
				t.Errorf("compat reports:\n%s\nnode reports:\n%s", got, want)
			}
			nw := strings.ReplaceAll(strings.Join(nheads(), "|"), strconv.Itoa(nport), "PORT")
			cw := strings.ReplaceAll(strings.Join(cheads(), "|"), strconv.Itoa(cport), "PORT")
			if cw != nw {
				t.Errorf("compat sent:\n%q\nnode sent:\n%q", cw, nw)
			}
		})
	}
}

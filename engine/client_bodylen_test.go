package engine

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// recordingListener answers each connection's request head with an empty
// 200 once 200 ms have passed with nothing more arriving, and sends what
// each connection received on the returned channel.
func recordingListener(t *testing.T) (string, <-chan string) {
	got := make(chan string, 4)
	addr := acceptEach(t, func(c net.Conn) {
		defer c.Close()
		var all []byte
		buf := make([]byte, 4096)
		for {
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			n, err := c.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil {
				break
			}
		}
		if bytes.Contains(all, []byte("\r\n\r\n")) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
		}
		got <- string(all)
	})
	return addr, got
}

// TestClientStreamBodyLength: SetEmptyBodyStream sends a head with no
// framing field and a request with no body; a stream that yields more than
// its head declared (0 for SetEmptyBodyStream, Content-Length otherwise)
// fails the request with none of its bytes sent, where before the bytes
// up to the read that crossed it went out and would pass for the next
// request.
func TestClientStreamBodyLength(t *testing.T) {
	addr, got := recordingListener(t)
	cli := newTestClient(t)
	const head = "GET / HTTP/1.1\r\nHost: HOST\r\nConnection: keep-alive\r\n"
	for _, tc := range []struct {
		name  string
		set   func(*ClientRequest)
		fails bool
		want  string
	}{
		{"empty", func(r *ClientRequest) { r.SetEmptyBodyStream(strings.NewReader("")) }, false, head + "\r\n"},
		{"empty with data", func(r *ClientRequest) { r.SetEmptyBodyStream(strings.NewReader("abc")) }, true, head + "\r\n"},
		{"length exceeded", func(r *ClientRequest) { r.SetBodyStream(strings.NewReader("abcdef"), 3) }, true, head + "Content-Length: 3\r\n\r\n"},
	} {
		cc := dialTest(t, cli, addr, nil)
		req, resp := AcquireClientRequest(), AcquireClientResponse()
		tc.set(req)
		err := cc.Do(req, resp)
		ReleaseClientRequest(req)
		ReleaseClientResponse(resp)
		if (err != nil) != tc.fails {
			t.Errorf("%s: Do: %v; want failure %v", tc.name, err, tc.fails)
		}
		select {
		case s := <-got:
			s = strings.Replace(s, addr, "HOST", 1)
			if s != tc.want {
				t.Errorf("%s: server got %q; want %q", tc.name, s, tc.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the server got nothing", tc.name)
		}
	}
}

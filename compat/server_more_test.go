package compat

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func dial(t *testing.T, s *Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.Address().Port))
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

func TestServerCheckContinue(t *testing.T) {
	s := CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) {
		res.EndString("request event")
	})
	s.OnCheckContinue(func(req *IncomingMessage, res *ServerResponse) {
		if req.Headers()["x-reject"] != "" {
			res.StatusCode = 417
			res.End(nil)
			return
		}
		res.WriteContinue()
		var body []byte
		req.OnData(func(c []byte) { body = append(body, c...) })
		req.OnEnd(func() { res.EndString("checked " + string(body)) })
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	defer closeServer(t, s)

	c := dial(t, s)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
	br := bufio.NewReader(c)
	line, _ := br.ReadString('\n')
	if line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("first line = %q; want 100 Continue", line)
	}
	br.ReadString('\n')
	io.WriteString(c, "body")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "checked body" {
		t.Errorf("body = %q", b)
	}

	c2 := dial(t, s)
	io.WriteString(c2, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nX-Reject: 1\r\nContent-Length: 4\r\n\r\n")
	resp, err = http.ReadResponse(bufio.NewReader(c2), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 417 {
		t.Errorf("status = %d; want 417", resp.StatusCode)
	}

	// Without Expect the request goes to 'request'.
	c3 := dial(t, s)
	io.WriteString(c3, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err = http.ReadResponse(bufio.NewReader(c3), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	if string(b) != "request event" {
		t.Errorf("body = %q", b)
	}
}

func TestServerListenClose(t *testing.T) {
	var ev []string
	s := CreateServer(nil, nil)
	s.OnListening(func() { ev = append(ev, "listening") })
	s.OnClose(func() { ev = append(ev, "close") })
	if s.Listening() {
		t.Error("Listening before Listen")
	}
	closed0 := make(chan error, 1)
	s.Close(func(err error) { closed0 <- err })
	if err := <-closed0; err != ErrServerNotRunning {
		t.Errorf("Close before Listen: %v; want ErrServerNotRunning", err)
	}
	if err := s.Listen(0, "127.0.0.1", func() { ev = append(ev, "callback") }); err != nil {
		t.Fatal(err)
	}
	if !s.Listening() || s.Address().Port == 0 || s.Address().Family != "IPv4" || s.Address().Address != "127.0.0.1" {
		t.Errorf("Listening %v, Address %+v", s.Listening(), s.Address())
	}
	if err := s.Listen(0, "127.0.0.1", nil); err != ErrServerAlreadyListen {
		t.Errorf("second Listen: %v", err)
	}
	done := make(chan error, 1)
	s.Close(func(err error) { done <- err })
	if err := <-done; err != nil {
		t.Errorf("Close callback: %v", err)
	}
	<-s.Closed()
	if got := strings.Join(ev, ","); got != "close,listening,callback,close" {
		t.Errorf("events %s", got)
	}
	if s.Listening() {
		t.Error("Listening after Close")
	}

	// Listening on a port in use fails with 'error'.
	other := CreateServer(nil, nil)
	var gotErr error
	other.OnError(func(err error) { gotErr = err })
	if err := other.Listen(s.Address().Port, "127.0.0.1", nil); err == nil {
		// The port was free again: nothing to check.
		other.Close(nil)
		<-other.Closed()
	}
	_ = gotErr
}

// TestServerCloseWaitsForResponse checks that Close lets an open response
// finish, and that CloseAllConnections does not wait.
func TestServerCloseWaitsForResponse(t *testing.T) {
	release := make(chan struct{})
	s := CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) {
		go func() {
			<-release
			res.EndString("late")
		}()
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	s.Close(nil)
	select {
	case <-s.Closed():
		t.Fatal("closed with a response open")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "late" || !resp.Close {
		t.Errorf("body %q, close %v", b, resp.Close)
	}
	select {
	case <-s.Closed():
	case <-time.After(5 * time.Second):
		t.Fatal("not closed")
	}

	s2 := CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) {})
	if err := s2.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	c2 := dial(t, s2)
	io.WriteString(c2, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	s2.CloseAllConnections()
	c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c2.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("read after CloseAllConnections: %v; want EOF", err)
	}
	if !s2.Listening() {
		t.Error("CloseAllConnections stopped the server; Node's keeps listening")
	}
	closeServer(t, s2)
}

// TestServerPausedBigBody pauses a streamed body and resumes it later: the
// body must arrive whole and in order.
func TestServerPausedBigBody(t *testing.T) {
	_, url := startServer(t, nil, func(req *IncomingMessage, res *ServerResponse) {
		var n int
		var sum byte
		req.OnData(func(c []byte) {
			for _, b := range c {
				if b != byte(n%251) {
					sum = 1
				}
				n++
			}
			req.Pause()
			go func() { time.Sleep(time.Millisecond); req.Resume() }()
		})
		req.OnEnd(func() { res.EndString(fmt.Sprintf("%d %d", n, sum)) })
	})
	body := make([]byte, 3<<20)
	for i := range body {
		body[i] = byte(i % 251)
	}
	resp, err := http.Post(url, "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != fmt.Sprintf("%d 0", len(body)) {
		t.Errorf("got %q", b)
	}
}

// TestServerRequestFields checks the message's properties against a raw request.
func TestServerRequestFields(t *testing.T) {
	got := make(chan *IncomingMessage, 1)
	s, _ := startServer(t, &ServerOptions{}, func(req *IncomingMessage, res *ServerResponse) {
		req.OnEnd(func() { got <- req; res.End(nil) })
		req.Resume()
	})
	c := dial(t, s)
	io.WriteString(c, "POST /p?q=1 HTTP/1.1\r\nHost: h\r\nCookie: a=1\r\nCookie: b=2\r\nContent-Type: x\r\nContent-Type: y\r\n"+
		"X-A: 1\r\nx-a: 2\r\nSet-Cookie: s=1\r\nSet-Cookie: t=2\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 9\r\n\r\n")
	var req *IncomingMessage
	select {
	case req = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no request")
	}
	h := req.Headers()
	want := map[string]string{"host": "h", "cookie": "a=1; b=2", "content-type": "x", "x-a": "1, 2",
		"set-cookie": "s=1, t=2", "transfer-encoding": "chunked"}
	for k, v := range want {
		if h[k] != v {
			t.Errorf("Headers()[%q] = %q; want %q", k, h[k], v)
		}
	}
	if d := req.HeadersDistinct()["x-a"]; len(d) != 2 {
		t.Errorf("HeadersDistinct x-a = %q", d)
	}
	if req.RawHeaders[0] != "Host" || req.RawHeaders[12] != "x-a" {
		t.Errorf("RawHeaders = %q", req.RawHeaders)
	}
	if req.Trailers()["x-t"] != "9" || len(req.RawTrailers()) != 2 {
		t.Errorf("trailers %v %q", req.Trailers(), req.RawTrailers())
	}
	if req.Method != "POST" || req.URL != "/p?q=1" || req.HTTPVersion != "1.1" || !req.Complete() {
		t.Errorf("%s %s %s complete=%v", req.Method, req.URL, req.HTTPVersion, req.Complete())
	}
	if req.Socket.RemoteAddress != "127.0.0.1" || req.Socket.RemotePort == 0 || req.Socket.LocalPort != s.Address().Port {
		t.Errorf("socket %+v", req.Socket)
	}
}

// TestServerNoGoroutineLeak starts and closes servers and checks that
// their goroutines are gone.
func TestServerNoGoroutineLeak(t *testing.T) {
	run := func() {
		s := CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) {
			go res.EndString("x")
		})
		if err := s.Listen(0, "127.0.0.1", nil); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", s.Address().Port))
		if err == nil {
			io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		s.Close(nil)
		<-s.Closed()
	}
	run() // warm up: pools, the http client
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		run()
	}
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestServerRequestBeforeBody checks that 'request' comes once the head has
// arrived, before the body, as in Node, and that the body then streams in.
func TestServerRequestBeforeBody(t *testing.T) {
	got := make(chan string, 4)
	s, _ := startServer(t, nil, func(req *IncomingMessage, res *ServerResponse) {
		got <- "request"
		req.OnData(func(c []byte) { got <- "data " + string(c) })
		req.OnEnd(func() { res.EndString("ok") })
	})
	c := dial(t, s)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc")
	for _, want := range []string{"request", "data abc"} {
		select {
		case g := <-got:
			if g != want {
				t.Fatalf("got %q; want %q", g, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %q before the body's end", want)
		}
	}
	io.WriteString(c, "def")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "ok" || <-got != "data def" {
		t.Errorf("body %q", b)
	}
}

// serverCloseJS is TestServerCloseMatchesNode's scenario under node.
const serverCloseJS = `
const http = require('http');
const s = http.createServer();
const err = e => e ? e.code + ' ' + e.message : 'none';
s.on('close', () => console.log('close'));
s.close(e => {
  console.log('close0 cb ' + err(e));
  s.listen(0, '127.0.0.1', () => {
    console.log('listening');
    s.close(e => console.log('close1 cb ' + err(e)));
    s.close(e => console.log('close2 cb ' + err(e)));
    console.log('after closes');
    setTimeout(() => s.close(e => console.log('close3 cb ' + err(e))), 100);
  });
});
`

// TestServerCloseMatchesNode: Close before Listen, twice in a row, and
// after the server closed, with their 'close' events and callbacks, as
// node v20 has them.
func TestServerCloseMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	out, err := exec.Command(node, "-e", serverCloseJS).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(string(out))

	var mu sync.Mutex
	var ev []string
	add := func(format string, args ...any) {
		mu.Lock()
		ev = append(ev, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	errText := func(err error) string {
		if e, ok := err.(*Error); ok {
			return e.Code + " " + e.Message
		}
		return "none"
	}
	s := CreateServer(nil, nil)
	s.OnClose(func() { add("close") })
	step := make(chan struct{}, 4)
	s.Close(func(err error) { add("close0 cb %s", errText(err)); step <- struct{}{} })
	<-step
	if err := s.Listen(0, "127.0.0.1", func() { add("listening") }); err != nil {
		t.Fatal(err)
	}
	s.Close(func(err error) { add("close1 cb %s", errText(err)) })
	s.Close(func(err error) { add("close2 cb %s", errText(err)); step <- struct{}{} })
	add("after closes")
	<-step
	time.Sleep(100 * time.Millisecond) // the second close's 'close'
	s.Close(func(err error) { add("close3 cb %s", errText(err)); step <- struct{}{} })
	<-step
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	got := strings.Join(ev, "\n")
	mu.Unlock()
	if got != want {
		t.Errorf("compat:\n%s\nnode:\n%s", got, want)
	}
}

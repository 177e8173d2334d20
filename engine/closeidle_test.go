package engine

import (
	"bufio"
	"io"
	"net/http"
	"testing"
	"time"
)

// TestCloseIdleConnections checks that only connections owing no response
// are closed, and that the server keeps serving.
func TestCloseIdleConnections(t *testing.T) {
	held := make(chan *Deferred, 1)
	s, addr := startServer(t, func(w *Response, r *Request) {
		if string(r.Path()) == "/slow" {
			held <- w.Detach()
			return
		}
		helloHandler(w, r)
	}, nil)

	idle := dialServer(t, addr)
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	idleR := bufio.NewReader(idle)
	if resp, err := http.ReadResponse(idleR, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("idle connection's request: %v %v", resp, err)
	} else {
		io.ReadAll(resp.Body)
	}
	busy := dialServer(t, addr)
	io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
	d := <-held

	s.CloseIdleConnections()
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := idleR.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle connection: read %d, %v; want EOF", n, err)
	}

	d.Do(func(w *Response) { w.WriteString("late"); w.End() })
	resp, err := http.ReadResponse(bufio.NewReader(busy), nil)
	if err != nil {
		t.Fatalf("busy connection after CloseIdleConnections: %v", err)
	}
	if body, _ := io.ReadAll(resp.Body); string(body) != "late" {
		t.Fatalf("busy connection body %q; want late", body)
	}

	fresh := dialServer(t, addr)
	io.WriteString(fresh, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp, err := http.ReadResponse(bufio.NewReader(fresh), nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("new connection after CloseIdleConnections: %v %v", resp, err)
	}
}

func TestSendDate(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		w.SetSendDate(string(r.Path()) != "/nodate")
		helloHandler(w, r)
	}, nil)
	for path, want := range map[string]bool{"/": true, "/nodate": false} {
		c := dialServer(t, addr)
		io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Header.Get("Date") != ""; got != want {
			t.Errorf("GET %s: Date present = %v; want %v", path, got, want)
		}
	}
}

type closeRecorder struct{ closed chan error }

func (c *closeRecorder) OnClose(r *Request, err error) { c.closed <- err }

// TestCloseHandler checks that a request whose client goes away before its
// response ends is told so, and that a finished request is not.
func TestCloseHandler(t *testing.T) {
	rec := &closeRecorder{closed: make(chan error, 2)}
	_, addr := startServer(t, func(w *Response, r *Request) {
		r.SetCloseHandler(rec)
		if string(r.Path()) == "/hang" {
			w.Detach() // never ends
			return
		}
		helloHandler(w, r)
	}, nil)
	c := dialServer(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	br := bufio.NewReader(c)
	if resp, err := http.ReadResponse(br, nil); err != nil {
		t.Fatal(err)
	} else {
		io.ReadAll(resp.Body)
	}
	io.WriteString(c, "GET /hang HTTP/1.1\r\nHost: a\r\n\r\n")
	time.Sleep(50 * time.Millisecond) // let the handler run
	c.Close()
	select {
	case <-rec.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("OnClose not called for the unfinished request")
	}
	select {
	case err := <-rec.closed:
		t.Fatalf("OnClose called twice (second: %v); the finished request must not be told", err)
	case <-time.After(100 * time.Millisecond):
	}
}

package compat

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestClientInformation(t *testing.T) {
	_, url := startServer(t, nil, func(req *IncomingMessage, res *ServerResponse) {
		res.WriteEarlyHints("Link", "</a.css>; rel=preload")
		res.EndString("done")
	})
	var info []Information
	done := make(chan string, 1)
	r, err := Request(url, &RequestOptions{NoAgent: true}, func(res *IncomingMessage) {
		var b []byte
		res.OnData(func(c []byte) { b = append(b, c...) })
		res.OnEnd(func() { done <- string(b) })
	})
	if err != nil {
		t.Fatal(err)
	}
	r.OnInformation(func(i Information) { info = append(info, i) })
	r.End(nil)
	select {
	case b := <-done:
		if b != "done" {
			t.Errorf("body %q", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no response")
	}
	if len(info) != 1 || info[0].StatusCode != 103 || info[0].Headers["link"] != "</a.css>; rel=preload" {
		t.Errorf("information = %+v", info)
	}
}

func TestClientTimeoutDestroy(t *testing.T) {
	release := make(chan struct{})
	_, url := startServer(t, nil, func(req *IncomingMessage, res *ServerResponse) {
		go func() { <-release; res.EndString("late") }()
	})
	defer close(release)
	r, err := Request(url, &RequestOptions{Timeout: 50 * time.Millisecond, NoAgent: true}, func(*IncomingMessage) {
		t.Error("response after Destroy")
	})
	if err != nil {
		t.Fatal(err)
	}
	var ev []string
	done := make(chan struct{})
	r.OnTimeout(func() { ev = append(ev, "timeout"); r.Destroy(nil) })
	r.OnError(func(err error) {
		if !errors.Is(err, ErrSocketHangUp) {
			t.Errorf("error %v", err)
		}
		ev = append(ev, "error")
	})
	r.OnClose(func() { ev = append(ev, "close"); close(done) })
	r.End(nil)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no close")
	}
	if got := strings.Join(ev, ","); got != "timeout,error,close" {
		t.Errorf("events %s", got)
	}
	if !r.Destroyed() {
		t.Error("not Destroyed")
	}
	if _, err := r.WriteString("x"); err != ErrWriteAfterEnd {
		t.Errorf("write after end: %v", err)
	}
}

// TestServerPipelined sends requests in one write, the first answered late
// from another goroutine: the responses come in request order.
func TestServerPipelined(t *testing.T) {
	s, _ := startServer(t, nil, func(req *IncomingMessage, res *ServerResponse) {
		if req.URL == "/slow" {
			go func() { time.Sleep(30 * time.Millisecond); res.EndString(req.URL) }()
			return
		}
		res.EndString(req.URL)
	})
	c := dial(t, s)
	io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	br := bufio.NewReader(c)
	var got []string
	for i := 0; i < 3; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		got = append(got, string(b))
	}
	if fmt.Sprint(got) != "[/slow /b /c]" {
		t.Errorf("responses %v", got)
	}
}

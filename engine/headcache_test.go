package engine

import (
	"strings"
	"testing"
	"time"
)

// TestHeadCache serves requests whose responses alternate between heads on
// one connection, so that the loop's head cache is hit, missed and
// invalidated, and checks every response byte for byte.
func TestHeadCache(t *testing.T) {
	h := func(w *Response, r *Request) {
		switch string(r.Path()) {
		case "/a":
			w.Header().AddString("Content-Type", "text/a")
		case "/b":
			w.Header().AddString("Content-Type", "text/b")
			w.Header().AddString("X-B", "1")
		case "/del":
			w.Header().AddString("X-Gone", "1")
			w.Header().AddString("Content-Type", "text/a")
			w.Header().Del("X-Gone") // the lines no longer match the fields
		case "/set":
			w.Header().AddString("Content-Type", "text/b")
			w.Header().Set("Content-Type", "text/a") // replaced in place
		case "/close":
			w.Header().AddString("Connection", "close")
		case "/404":
			w.SetStatus(404)
			w.Header().AddString("Content-Type", "text/a")
		case "/nodate":
			w.SetSendDate(false)
			w.Header().AddString("Content-Type", "text/a")
		case "/long":
			w.Header().AddString("Content-Type", "text/a")
			w.WriteString("long-") // the same head with another length
		case "/bad":
			w.Header().AddString("X-Bad", "a\r\nInjected: 1")
			w.Header().AddString("Content-Type", "text/a")
		}
		w.WriteString("ok")
	}
	s := NewServer(h, &Options{ServerName: "zerohttp", KeepAliveTimeout: -1})
	l := newLoop(s, nil)
	f := &fakeConn{keep: true}
	c := newConn(s, l, f)
	serve := func(path string) string {
		f.in, f.off, f.out = []byte("GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"), 0, f.out[:0]
		c.onTraffic()
		return string(f.out)
	}
	date := func() string { return string(appendDate(nil)) }
	head := func(status, fields string) string {
		return status + "\r\nServer: zerohttp\r\n" + date() + fields + "Content-Length: 2\r\n\r\nok"
	}
	a := head("HTTP/1.1 200 OK", "Content-Type: text/a\r\n")
	b := head("HTTP/1.1 200 OK", "Content-Type: text/b\r\nX-B: 1\r\n")
	steps := []struct{ path, want string }{
		{"/a", a}, {"/a", a}, {"/b", b}, {"/a", a}, {"/del", a}, {"/a", a}, {"/set", a}, {"/b", b},
		{"/404", head("HTTP/1.1 404 Not Found", "Content-Type: text/a\r\n")},
		{"/a", a},
		{"/nodate", "HTTP/1.1 200 OK\r\nServer: zerohttp\r\nContent-Type: text/a\r\nContent-Length: 2\r\n\r\nok"},
		{"/a", a},
		{"/long", strings.Replace(a, "Content-Length: 2\r\n\r\nok", "Content-Length: 7\r\n\r\nlong-ok", 1)},
		{"/a", a},
		{"/bad", a},
		{"/", head("HTTP/1.1 200 OK", "")},
	}
	for i, st := range steps {
		if got := serve(st.path); got != st.want {
			t.Fatalf("step %d, %s:\n got %q\nwant %q", i, st.path, got, st.want)
		}
	}
	// A new Date line invalidates the cached head.
	before := serve("/a")
	dates.refresh(time.Now().Add(5 * time.Second))
	defer dates.refresh(time.Now())
	after := serve("/a")
	if want := head("HTTP/1.1 200 OK", "Content-Type: text/a\r\n"); after != want || after == before {
		t.Fatalf("after a Date change:\n got %q\nwant %q (before: %q)", after, want, before)
	}
	// Connection: close from the cached head still closes.
	if got := serve("/close"); !strings.Contains(got, "Connection: close\r\n") || !c.closeAfter {
		t.Fatalf("close: got %q, closeAfter %v", got, c.closeAfter)
	}
}

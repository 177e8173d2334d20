package engine

import (
	"bufio"
	"io"
	"net/http"
	"testing"
)

// TestDeferredHijack upgrades from another goroutine through Deferred.Do: the
// 101 head must go out before the tunnel starts.
func TestDeferredHijack(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		d := w.Detach()
		go d.Do(func(w *Response) {
			w.SetStatus(101)
			w.Header().AddString("Upgrade", "echo")
			if _, err := w.Hijack(echoTunnel{}); err != nil {
				t.Errorf("Hijack: %v", err)
			}
		})
	}, nil)
	c := dialServer(t, addr)
	io.WriteString(c, "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 || resp.Header.Get("Connection") != "Upgrade" {
		t.Fatalf("resp %v, err %v", resp, err)
	}
	io.WriteString(c, "xyz")
	buf := make([]byte, 3)
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "XYZ" {
		t.Fatalf("tunnel got %q, %v", buf, err)
	}
}

func TestCustomReason(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		switch string(r.Path()) {
		case "/custom":
			w.SetStatus(404)
			w.SetReason("Nothing Here")
		case "/bad":
			w.SetStatus(404)
			w.SetReason("Bad\r\nX-Injected: 1")
		case "/509":
			w.SetStatus(509)
		}
	}, nil)
	for path, want := range map[string]string{"/custom": "404 Nothing Here", "/bad": "404 Not Found", "/509": "509 Bandwidth Limit Exceeded"} {
		c := dialServer(t, addr)
		io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.Status != want || resp.Header.Get("X-Injected") != "" {
			t.Errorf("GET %s: status %q, err %v; want %q", path, resp.Status, err, want)
		}
	}
}

// TestTakeover checks that Takeover writes no head, even with fields set:
// the tunnel's first bytes are the handler's own.
func TestTakeover(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		w.SetStatus(500)
		w.Header().AddString("X-Not-Sent", "1")
		w.WriteString("not sent")
		tn, err := w.Takeover(echoTunnel{})
		if err != nil {
			t.Errorf("Takeover: %v", err)
			return
		}
		tn.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"))
	}, nil)
	c := dialServer(t, addr)
	io.WriteString(c, "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nabc")
	want := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nABC"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != want {
		t.Fatalf("read %q, %v; want %q", got, err, want)
	}
}

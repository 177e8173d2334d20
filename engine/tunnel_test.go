package engine

import (
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHijackWriteFollowsHead writes a first frame from the handler right
// after Hijack, inline and from Deferred.Do: it must reach the client after
// the 101 head, never before it.
func TestHijackWriteFollowsHead(t *testing.T) {
	hijack := func(w *Response) {
		w.SetStatus(101)
		w.Header().AddString("Upgrade", "echo")
		tn, err := w.Hijack(echoTunnel{})
		if err != nil {
			panic(err)
		}
		tn.Write([]byte("first-frame"))
	}
	_, addr := startServer(t, func(w *Response, r *Request) {
		if string(r.Path()) == "/deferred" {
			d := w.Detach()
			go d.Do(hijack)
			return
		}
		hijack(w)
	}, nil)
	for _, path := range []string{"/inline", "/deferred"} {
		c := dialServer(t, addr)
		io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		var got []byte
		buf := make([]byte, 512)
		for !strings.HasSuffix(string(got), "first-frame") {
			n, err := c.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		if !strings.HasPrefix(string(got), "HTTP/1.1 101 ") || !strings.HasSuffix(string(got), "\r\n\r\nfirst-frame") {
			t.Errorf("%s: read %q; want the 101 head, then first-frame", path, got)
		}
	}
}

// TestConnectWithoutHijackCloses answers CONNECT with 200 without taking
// the connection: the bytes the client then sends into the tunnel must not
// be served as requests (RFC 9110 §9.3.6); the connection closes instead.
func TestConnectWithoutHijackCloses(t *testing.T) {
	var mu sync.Mutex
	var served []string
	_, addr := startServer(t, func(w *Response, r *Request) {
		mu.Lock()
		served = append(served, string(r.MethodBytes())+" "+string(r.Target()))
		mu.Unlock()
		w.SetStatus(200)
	}, nil)
	got := rawExchange(t, addr, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"+
		"GET /inside-tunnel HTTP/1.1\r\nHost: example.com\r\n\r\n", 2*time.Second)
	if n := strings.Count(got, "HTTP/1.1 "); n != 1 || !strings.HasPrefix(got, "HTTP/1.1 200 ") {
		t.Errorf("read %q; want one 200 and the connection closed", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(served) != 1 || served[0] != "CONNECT example.com:443" {
		t.Fatalf("handler served %q; want only the CONNECT", served)
	}
	// 101 without Hijack: the same.
	_, addr = startServer(t, func(w *Response, r *Request) { w.SetStatus(101) }, nil)
	got = rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"+
		"GET /after-upgrade HTTP/1.1\r\nHost: x\r\n\r\n", 2*time.Second)
	if n := strings.Count(got, "HTTP/1.1 "); n != 1 || !strings.HasPrefix(got, "HTTP/1.1 101 ") {
		t.Errorf("101 without Hijack: read %q; want one 101 and the connection closed", got)
	}
}

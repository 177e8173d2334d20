package compat

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestClientRawHeadersKept: a response's RawHeaders stay as received after
// later responses on the same socket, whether their text fits in the
// exchange (128 bytes; one under, at and over that line) or not, and with
// more fields than the exchange's array holds.
func TestClientRawHeadersKept(t *testing.T) {
	pad := func(n int) string { return strings.Repeat("v", n) }
	// Each case's fields before the Content-Length: 2 every response ends
	// with (15 bytes of text); the 2nd and 3rd make 128 and 129 with it.
	fieldSets := [][]string{
		{"Server", "fixed", "Content-Type", "text/plain"},
		{"X-Pad", pad(128 - 15 - len("X-Pad"))},
		{"X-Pad", pad(129 - 15 - len("X-Pad"))},
		{"A", "1", "B", "2", "C", "3", "D", "4", "E", "5", "X-Pad", pad(300)},
		{"Content-Type", "text/plain", "Date", "Sun, 06 Dec 2026 04:09:05 GMT", "Connection", "keep-alive", "Keep-Alive", "timeout=5"},
	}
	// The path is the case's index; every request comes on one socket.
	port, conns := requestServer(t, func(c net.Conn, req *http.Request) {
		i, _ := strconv.Atoi(strings.TrimPrefix(req.URL.Path, "/"))
		fs := fieldSets[i]
		var b strings.Builder
		b.WriteString("HTTP/1.1 200 OK\r\n")
		for i := 0; i < len(fs); i += 2 {
			b.WriteString(fs[i] + ": " + fs[i+1] + "\r\n")
		}
		b.WriteString("Content-Length: 2\r\n\r\nok")
		c.Write([]byte(b.String()))
	})
	agent, err := NewAgent(&AgentOptions{KeepAlive: true, MaxSockets: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Destroy()
	var got [][]string
	for i := range fieldSets {
		done := make(chan *IncomingMessage, 1)
		req, err := Get("", &RequestOptions{Host: "127.0.0.1", Port: port, Path: "/" + strconv.Itoa(i), Agent: agent}, func(res *IncomingMessage) {
			res.Resume()
			res.OnEnd(func() { done <- res })
		})
		if err != nil {
			t.Fatal(err)
		}
		req.OnError(func(err error) { t.Errorf("request %d: %v", i, err) })
		select {
		case res := <-done:
			got = append(got, res.RawHeaders)
		case <-time.After(10 * time.Second):
			t.Fatalf("request %d: no response", i)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections; want 1", n)
	}
	for i, fs := range fieldSets {
		want := strings.Join(append(append([]string(nil), fs...), "Content-Length", "2"), "|")
		if g := strings.Join(got[i], "|"); g != want {
			t.Errorf("response %d's RawHeaders after all %d:\n got %q\nwant %q", i, len(fieldSets), g, want)
		}
	}
}

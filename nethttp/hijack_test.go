package nethttp

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

// upgradeEcho hijacks an Upgrade request, answers 101 itself and echoes
// lines upper-cased until the client closes, as a WebSocket library does
// with its handshake and frames.
func upgradeEcho(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") != "echo" {
		http.Error(w, "upgrade required", http.StatusUpgradeRequired)
		return
	}
	conn, brw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	brw.Flush()
	for {
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		line, err := brw.ReadString('\n')
		if err != nil {
			return
		}
		brw.WriteString(strings.ToUpper(line))
		brw.Flush()
	}
}

func TestHijackUpgrade(t *testing.T) {
	both(t, http.HandlerFunc(upgradeEcho), func(t *testing.T, addr string) {
		c := dial(t, addr)
		// The first tunnel bytes ride with the request head.
		io.WriteString(c, "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nfirst\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Upgrade") != "echo" || resp.Header.Get("Date") != "" {
			t.Fatalf("handshake: %v %v", resp, err)
		}
		for _, msg := range []string{"first\n", "second\n"} {
			if msg == "second\n" {
				io.WriteString(c, msg)
			}
			got, err := br.ReadString('\n')
			if err != nil || got != strings.ToUpper(msg) {
				t.Fatalf("echo = %q, %v; want %q", got, err, strings.ToUpper(msg))
			}
		}
	})
}

// TestHijackReadDeadline checks that a hijacked connection's read deadline
// ends a Read with a timeout.
func TestHijackReadDeadline(t *testing.T) {
	errs := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			errs <- err
			return
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		_, err = conn.Read(make([]byte, 1))
		errs <- err
	})
	both(t, h, func(t *testing.T, addr string) {
		c := dial(t, addr)
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
		err := <-errs
		var ne interface{ Timeout() bool }
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("Read after the deadline: %v; want a timeout", err)
		}
	})
}

// TestHijackNeedsUpgrade pins the bridge's one difference from net/http
// here: the engine hands over only Upgrade and CONNECT connections.
func TestHijackNeedsUpgrade(t *testing.T) {
	errs := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _, err := w.(http.Hijacker).Hijack()
		errs <- err
		io.WriteString(w, "served")
	})
	c := dial(t, startBridge(t, h, nil))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if err := <-errs; !errors.Is(err, engine.ErrNotUpgrade) {
		t.Fatalf("Hijack of a plain request: %v; want engine.ErrNotUpgrade", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(resp.Body); string(body) != "served" {
		t.Fatalf("body %q after a refused Hijack", body)
	}
}

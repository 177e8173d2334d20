package nethttp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestResponseControllerReadDeadline: a body Read waiting past the
// deadline fails with a timeout after the bytes that arrived, and the
// handler can still answer; a deadline moved away lets the rest be read.
// The bodies are streamed ones (over 64 KiB): the bridge runs the handler
// of a smaller one once it has arrived whole.
func TestResponseControllerReadDeadline(t *testing.T) {
	const head = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n"
	rest := strings.Repeat("w", 100000-5)
	got := make(chan string, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
			got <- "SetReadDeadline: " + err.Error()
			return
		}
		start := time.Now()
		b, err := io.ReadAll(r.Body)
		waited := time.Since(start)
		fmt.Fprintf(w, "read %q timeout=%v", b, errors.Is(err, os.ErrDeadlineExceeded))
		got <- fmt.Sprintf("read %q, %v after %v", b, err, waited.Round(50*time.Millisecond))
	})
	both(t, h, func(t *testing.T, addr string) {
		c := dial(t, addr)
		io.WriteString(c, head+"hello")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != `read "hello" timeout=true` {
			t.Errorf("response %q; want the bytes that arrived, then a timeout", body)
		}
		if s := <-got; !strings.Contains(s, "i/o timeout after 100ms") {
			t.Errorf("handler: %s", s)
		}
	})
	h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		p := make([]byte, 10)
		n, err1 := r.Body.Read(p)
		_, err2 := r.Body.Read(p[n:])
		rc.SetReadDeadline(time.Time{})
		rest, err3 := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%q %v, %v; then %d %v", p[:n], err1, errors.Is(err2, os.ErrDeadlineExceeded), len(rest), err3)
	})
	both(t, h, func(t *testing.T, addr string) {
		c := dial(t, addr)
		io.WriteString(c, head+"hello")
		time.Sleep(150 * time.Millisecond)
		go io.WriteString(c, rest)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != `"hello" <nil>, true; then 99995 <nil>` {
			t.Errorf("response %q", body)
		}
	})
}

// TestResponseControllerWriteDeadline: a handler writing to a client that
// reads nothing gets a timeout from Write once its deadline passes, where
// it would wait for ever; a deadline removed (the zero time) or not
// reached changes nothing.
func TestResponseControllerWriteDeadline(t *testing.T) {
	errs := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if r.URL.Path == "/cleared" {
			rc.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
			rc.SetWriteDeadline(time.Time{})
			time.Sleep(100 * time.Millisecond)
			io.WriteString(w, "cleared")
			return
		}
		if r.URL.Path == "/in-time" {
			rc.SetWriteDeadline(time.Now().Add(time.Second))
			io.WriteString(w, "in time")
			return
		}
		if err := rc.SetWriteDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
			errs <- err
			return
		}
		chunk := []byte(strings.Repeat("x", 32<<10))
		for i := 0; i < 4096; i++ { // 128 MiB
			if _, err := w.Write(chunk); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	})
	both(t, h, func(t *testing.T, addr string) {
		for _, path := range []string{"/cleared", "/in-time"} {
			c := dial(t, addr)
			io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			body, err := io.ReadAll(resp.Body)
			if want := strings.TrimPrefix(strings.ReplaceAll(path, "-", " "), "/"); string(body) != want || err != nil {
				t.Errorf("%s: %q, %v; want %q", path, body, err, want)
			}
		}
		c := dial(t, addr)
		io.WriteString(c, "GET /stuck HTTP/1.1\r\nHost: a\r\n\r\n")
		select {
		case err := <-errs:
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("Write past the deadline: %v; want a timeout", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Write still waiting 5 s after its deadline")
		}
	})
}

// TestWriteDeadlineEndsWithRequest pins a difference from net/http, whose
// deadline stays on the connection: a write deadline met by one request
// does not touch the connection's next one, even once it has passed.
func TestWriteDeadlineEndsWithRequest(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/first" {
			http.NewResponseController(w).SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
		}
		io.WriteString(w, r.URL.Path)
	})
	c := dial(t, startBridge(t, h, nil))
	br := bufio.NewReader(c)
	for _, path := range []string{"/first", "/second"} {
		io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, err := io.ReadAll(resp.Body)
		if string(body) != path || err != nil {
			t.Fatalf("%s: %q, %v", path, body, err)
		}
		time.Sleep(100 * time.Millisecond) // past the first one's deadline
	}
}

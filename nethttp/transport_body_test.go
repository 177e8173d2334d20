package nethttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/internal/fixedserver"
)

// bodyServer answers /n/<size> with size bytes (a repeating pattern) in
// 4 KiB writes, chunked, and /cut with a head that promises more than it
// sends before the connection closes.
func bodyServer(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/cut" {
			c, bw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			bw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
			bw.Flush()
			c.Close()
			return
		}
		var size int
		fmt.Sscanf(r.URL.Path, "/n/%d", &size)
		piece := []byte(strings.Repeat("0123456789abcdef", 256))
		for size > 0 {
			n := min(size, len(piece))
			w.Write(piece[:n])
			size -= n
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestTransportBodyWriteTo checks that io.Copy, which takes the body's
// WriteTo, gives the bytes and errors that http.Transport's body gives.
func TestTransportBodyWriteTo(t *testing.T) {
	s := bodyServer(t)
	std := &http.Transport{}
	defer std.CloseIdleConnections()
	ours := &Transport{}
	defer ours.CloseIdleConnections()
	copyBody := func(rt http.RoundTripper, path string) (string, string) {
		resp, err := (&http.Client{Transport: rt}).Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if rt == ours {
			if _, ok := resp.Body.(io.WriterTo); !ok {
				t.Fatalf("%T is no io.WriterTo", resp.Body)
			}
		}
		var b bytes.Buffer
		_, err = io.Copy(&b, resp.Body)
		return b.String(), errClass(err)
	}
	for _, path := range []string{"/n/0", "/n/13", "/n/5000", "/n/3000000", "/cut"} {
		got, gotErr := copyBody(ours, path)
		want, wantErr := copyBody(std, path)
		if got != want || gotErr != wantErr {
			t.Errorf("%s: Transport %d bytes, error %q; http.Transport %d bytes, error %q", path, len(got), gotErr, len(want), wantErr)
		}
	}
}

// failAfter accepts n bytes, then fails.
type failAfter struct{ n int }

var errWriterFull = errors.New("writer full")

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errWriterFull
	}
	w.n -= len(p)
	return len(p), nil
}

// TestTransportBodyWriteToFails checks that a failing writer stops WriteTo
// with its error and its count, and that the body closes afterwards.
func TestTransportBodyWriteToFails(t *testing.T) {
	s := bodyServer(t)
	tr := &Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(s.URL + "/n/3000000")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(&failAfter{n: 100000}, resp.Body)
	if n != 100000 || !errors.Is(err, errWriterFull) {
		t.Fatalf("io.Copy = %d, %v; want 100000, %v", n, err, errWriterFull)
	}
	resp.Body.Close()
	if _, err := resp.Body.Read(make([]byte, 1)); err == nil {
		t.Fatal("Read after Close succeeded")
	}
}

// TestTransportSmallBodyBesideHead checks that a body kept in the trip's
// room after the head's bytes leaves the head's values intact, whether it
// fits there or grows out of it.
func TestTransportSmallBodyBesideHead(t *testing.T) {
	value := strings.Repeat("v", 90)
	for _, size := range []int{40, 150, 5000} {
		body := strings.Repeat("b", size)
		url := "http://" + fixedserver.Start(t, fmt.Sprintf("HTTP/1.1 200 OK\r\nX-One: %s\r\nX-Two: %s\r\nContent-Length: %d\r\n\r\n%s", value, value, size, body))
		tr := &Transport{}
		resp, err := (&http.Client{Transport: tr}).Get(url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		if err != nil || string(got) != body {
			t.Errorf("size %d: body %q, %v", size, got, err)
		}
		if resp.Header.Get("X-One") != value || resp.Header.Get("X-Two") != value || resp.Header.Get("Content-Length") != fmt.Sprint(size) {
			t.Errorf("size %d: head changed under the body: %q", size, resp.Header)
		}
	}
}

// TestRequestTargetAsRequestURI checks requestTarget against
// url.URL.RequestURI on targets with and without queries, escapes, raw
// paths and lengths past its buffer.
func TestRequestTargetAsRequestURI(t *testing.T) {
	long := strings.Repeat("q", 600)
	for _, raw := range []string{
		"http://h/", "http://h", "http://h/a/b", "http://h/a?x=1", "http://h?x=1", "http://h/a?",
		"http://h/a%2Fb?x=%20y", "http://h/a b?c d", "http://h/ü?ä=1", "http://h/*", "http://h/a;p=1?q",
		"http://h/a?" + long, "http://h/" + long + "?x", "http://h/a?x=1#frag",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		var buf [512]byte
		if got, want := requestTarget(u, buf[:0]), u.RequestURI(); got != want {
			t.Errorf("%q: requestTarget = %q; RequestURI = %q", raw, got, want)
		}
	}
	opaque := &url.URL{Scheme: "http", Opaque: "//h/o", RawQuery: "x=1"}
	if got, want := requestTarget(opaque, nil), opaque.RequestURI(); got != want {
		t.Errorf("opaque: requestTarget = %q; RequestURI = %q", got, want)
	}
}

// TestTrailerFilledAtEOF checks that the response's Trailer gets its values
// when Read returns io.EOF, as with http.Transport, and not when the body
// arrives: a caller may read the map until then (ReverseProxy does), and
// the loop writing into it raced with that.
func TestTrailerFilledAtEOF(t *testing.T) {
	done := make(chan struct{}, 1)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		io.WriteString(w, "body")
		w.Header().Set("X-Sum", "42")
		done <- struct{}{}
	}))
	defer s.Close()
	for name, rt := range map[string]http.RoundTripper{"http.Transport": &http.Transport{}, "Transport": &Transport{}} {
		t.Run(name, func(t *testing.T) {
			resp, err := (&http.Client{Transport: rt}).Get(s.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			<-done
			time.Sleep(50 * time.Millisecond) // the whole body has arrived
			if v, ok := resp.Trailer["X-Sum"]; !ok || v != nil {
				t.Errorf("Trailer before EOF = %v; want the declared key with no value", resp.Trailer)
			}
			if b, err := io.ReadAll(resp.Body); string(b) != "body" || err != nil {
				t.Fatalf("body %q, %v", b, err)
			}
			if got := resp.Trailer.Get("X-Sum"); got != "42" {
				t.Errorf("Trailer at EOF = %v; want X-Sum 42", resp.Trailer)
			}
		})
	}
}

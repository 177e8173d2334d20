package engine

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHalfClosedClient sends requests and then shuts down its sending side
// (FIN), as `nc -N` and some health checkers do: the FIN ends the requests,
// not the responses owed, so every response must arrive, then the close.
func TestHalfClosedClient(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	bigs := []string{big, big, big, big, big, big, big, big}
	late := func(w *Response, r *Request) {
		path := string(r.Path())
		d := w.Detach()
		go func() {
			time.Sleep(200 * time.Millisecond)
			d.Do(func(w *Response) {
				w.WriteString(path)
				w.End()
			})
		}()
	}
	echoPath := func(w *Response, r *Request) { w.Write(r.Path()) }
	countBody := func(w *Response, r *Request) {
		n, err := io.Copy(io.Discard, r.BodyReader())
		if err != nil {
			w.SetStatus(500)
		}
		w.WriteString(strconv.FormatInt(n, 10))
	}
	const mib = 1 << 20
	post := "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(mib) + "\r\n\r\n" + strings.Repeat("p", mib)
	get := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n" }
	tests := []struct {
		name  string
		h     Handler
		o     Options
		reqs  string
		wait  time.Duration // before the client reads
		wants []string
	}{
		{"inline now", echoPath, Options{}, get("/a") + get("/b"), 0, []string{"/a", "/b"}},
		// More than the socket buffers hold (~4 MiB on loopback).
		{"inline now large", func(w *Response, r *Request) { w.WriteString(big) }, Options{},
			strings.Repeat(get("/"), 8), 300 * time.Millisecond, bigs},
		{"detached later", late, Options{}, get("/a") + get("/bb"), 0, []string{"/a", "/bb"}},
		{"workers", echoPath, Options{Workers: 2}, get("/a") + get("/b") + get("/c"), 0, []string{"/a", "/b", "/c"}},
		{"workers large", func(w *Response, r *Request) { w.WriteString(big) }, Options{Workers: 2},
			strings.Repeat(get("/"), 8), 300 * time.Millisecond, bigs},
		{"workers post", countBody, Options{Workers: 2}, post, 0, []string{strconv.Itoa(mib)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			_, addr := startServer(t, tt.h, &o)
			c := dialSlowReader(t, addr)
			if _, err := io.WriteString(c, tt.reqs); err != nil {
				t.Fatal(err)
			}
			if err := c.CloseWrite(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(tt.wait)
			br := bufio.NewReader(c)
			for i, want := range tt.wants {
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatalf("response %d: %v", i, err)
				}
				if b, err := io.ReadAll(resp.Body); err != nil || string(b) != want {
					t.Fatalf("response %d: %d bytes (%v); want %d", i, len(b), err, len(want))
				}
			}
			if n, err := br.Read(make([]byte, 1)); err != io.EOF {
				t.Fatalf("after the responses: %d bytes, %v; want the connection closed", n, err)
			}
		})
	}
}

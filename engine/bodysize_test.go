package engine

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// sendBody writes a POST of body, with Content-Length or chunked in pieces
// of 8 KiB, and returns the response's status and body. Writes run aside,
// so a server that answers before reading everything is seen.
func sendBody(t *testing.T, addr, body string, chunked bool) (int, string) {
	t.Helper()
	c := dialServer(t, addr)
	go func() {
		if !chunked {
			io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
			return
		}
		bw := bufio.NewWriter(c)
		bw.WriteString("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
		for rest := body; len(rest) > 0; {
			n := min(len(rest), 8<<10)
			fmt.Fprintf(bw, "%x\r\n%s\r\n", n, rest[:n])
			rest = rest[n:]
		}
		bw.WriteString("0\r\n\r\n")
		bw.Flush()
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("ReadResponse: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the response body: %v", err)
	}
	return resp.StatusCode, string(b)
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return strconv.Itoa(len(b)) + " " + hex.EncodeToString(sum[:8])
}

// TestBodyWholeEverySize: a handler that reads only Body(), and one that
// decodes JSON from BodyReader(), get the whole body for every size the
// server accepts by default, inline and on workers, with Content-Length and
// chunked. Before, a body over 64 KiB gave nil from both (json.NewDecoder
// panicked on the nil reader on the loop).
func TestBodyWholeEverySize(t *testing.T) {
	sizes := []int{0, 1 << 10, 64<<10 + 1, 1 << 20}
	raw := func(w *Response, r *Request) { w.WriteString(digest(r.Body())) }
	decode := func(w *Response, r *Request) {
		var v struct{ D string }
		if err := json.NewDecoder(r.BodyReader()).Decode(&v); err != nil {
			w.WriteString(err.Error())
			return
		}
		w.WriteString(strconv.Itoa(len(v.D)))
	}
	for _, workers := range []int{0, 2} {
		for _, chunked := range []bool{false, true} {
			name := fmt.Sprintf("workers=%d/chunked=%v", workers, chunked)
			t.Run(name+"/Body", func(t *testing.T) {
				_, addr := startServer(t, raw, &Options{Workers: workers})
				for _, n := range sizes {
					body := strings.Repeat("0123456789abcdef", n/16+1)[:n]
					status, got := sendBody(t, addr, body, chunked)
					if want := digest([]byte(body)); status != 200 || got != want {
						t.Errorf("%d bytes: %d %q; want 200 %q", n, status, got, want)
					}
				}
			})
			t.Run(name+"/BodyReader", func(t *testing.T) {
				_, addr := startServer(t, decode, &Options{Workers: workers})
				for _, n := range sizes {
					body, want := "", "EOF"
					if n > 0 {
						d := strings.Repeat("x", max(n-8, 0))
						body, want = `{"D":"`+d+`"}`, strconv.Itoa(len(d))
					}
					status, got := sendBody(t, addr, body, chunked)
					if status != 200 || got != want {
						t.Errorf("%d bytes: %d %q; want 200 %q", len(body), status, got, want)
					}
				}
			})
		}
	}
}

// TestBodyOverBufferLimit: without StreamBodies, a body over
// MaxBufferedBody is refused with 413 and Connection: close before the
// handler runs, whether its length is declared or only found while reading
// chunks. Before, the handler ran with a nil body and answered 200.
func TestBodyOverBufferLimit(t *testing.T) {
	const limit = 64 << 10
	for _, workers := range []int{0, 2} {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("workers=%d/chunked=%v", workers, chunked), func(t *testing.T) {
				var ran atomic.Int32
				_, addr := startServer(t, func(w *Response, r *Request) {
					ran.Add(1)
					w.WriteString(digest(r.Body()))
				}, &Options{NumLoops: 1, Workers: workers, MaxBufferedBody: limit})
				body := strings.Repeat("z", limit)
				if status, got := sendBody(t, addr, body, chunked); status != 200 || got != digest([]byte(body)) {
					t.Fatalf("at the limit: %d %q; want 200", status, got)
				}
				c := dialServer(t, addr)
				br := bufio.NewReader(c)
				go func() {
					if chunked {
						fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n", limit, body, 1, "z")
					} else {
						fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", limit+1)
					}
				}()
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatalf("over the limit: %v", err)
				}
				if resp.StatusCode != 413 || !resp.Close {
					t.Errorf("over the limit: status %d, close %v; want 413 and close", resp.StatusCode, resp.Close)
				}
				if ran.Load() != 1 {
					t.Errorf("handler ran %d times; want once, for the body at the limit", ran.Load())
				}
			})
		}
	}
}

// TestStreamedBodyOnLoop: with StreamBodies on the event loop, a body over
// MaxBufferedBody is streamed: Body is nil and BodyReader's Read fails at
// once with ErrBodyStreamed, instead of BodyReader returning nil (a handler
// that used it panicked); SetBodyHandler still gets the body.
func TestStreamedBodyOnLoop(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		rd := r.BodyReader()
		if rd == nil {
			w.WriteString("nil reader")
			return
		}
		_, err := rd.Read(make([]byte, 16))
		fmt.Fprintf(w, "streaming=%v body=%v err=%v", r.Streaming(), r.Body() != nil, errors.Is(err, ErrBodyStreamed))
	}, &Options{StreamBodies: true})
	body := strings.Repeat("s", DefaultStreamedBodyBuffer+1)
	status, got := sendBody(t, addr, body, false)
	if want := "streaming=true body=false err=true"; status != 200 || got != want {
		t.Errorf("got %d %q; want 200 %q", status, got, want)
	}
	// Under the threshold the body is still buffered and readable on the loop.
	status, got = sendBody(t, addr, "small", false)
	if want := "streaming=false body=true err=false"; status != 200 || got != want {
		t.Errorf("small body: got %d %q; want 200 %q", status, got, want)
	}
}

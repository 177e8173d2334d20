package engine

import (
	"bufio"
	"io"
	"log"
	"net/http"
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/headers"
)

// TestHandlerPanic checks that a panicking handler costs its own connection
// only: a pipelined request before it is answered, the panicking one gets 500
// with Connection: close, and the server goes on serving new connections.
func TestHandlerPanic(t *testing.T) {
	prev := log.Writer()
	log.SetOutput(io.Discard) // the panics are logged with their stacks
	t.Cleanup(func() { log.SetOutput(prev) })
	for _, workers := range []int{0, 2} {
		_, addr := startServer(t, func(w *Response, r *Request) {
			switch string(r.Path()) {
			case "/panic":
				w.WriteString("partial, never sent")
				panic("handler bug")
			case "/panic-after-flush":
				w.WriteString("first part")
				w.Flush()
				panic("handler bug after flush")
			}
			helloHandler(w, r)
		}, &Options{Workers: workers})

		c := dialServer(t, addr)
		io.WriteString(c, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /panic HTTP/1.1\r\nHost: a\r\n\r\nGET /ok HTTP/1.1\r\nHost: a\r\n\r\n")
		br := bufio.NewReader(c)
		for i, want := range []int{200, 500} {
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("workers=%d response %d: %v", workers, i, err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != want || (want == 500 && (!resp.Close || strings.Contains(string(body), "partial"))) {
				t.Fatalf("workers=%d response %d: %d close=%v body %q; want %d", workers, i, resp.StatusCode, resp.Close, body, want)
			}
		}
		if n, err := br.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("workers=%d: after the 500 read %d bytes, err %v; want EOF", workers, n, err)
		}

		// Part of the response went out: the connection is cut, not answered twice.
		c2 := dialServer(t, addr)
		io.WriteString(c2, "GET /panic-after-flush HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c2), nil)
		if err != nil {
			t.Fatalf("workers=%d after flush: %v", workers, err)
		}
		if body, err := io.ReadAll(resp.Body); err == nil && resp.StatusCode == 200 {
			t.Fatalf("workers=%d after flush: body %q read cleanly; want a truncated chunked body", workers, body)
		}

		// The server still serves.
		c3 := dialServer(t, addr)
		io.WriteString(c3, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n")
		if resp, err := http.ReadResponse(bufio.NewReader(c3), nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("workers=%d after panics: %v %v", workers, resp, err)
		}
	}
}

// panicBody panics on the first piece of a streamed body.
type panicBody struct{}

func (panicBody) OnBody(*Request, []byte)            { panic("body callback bug") }
func (panicBody) OnBodyEnd(*Request, *headers.Table) {}

// TestBodyCallbackPanic checks that a panic in a streamed body's callback is
// recovered like a handler's: 500 with Connection: close, and the server
// goes on serving.
func TestBodyCallbackPanic(t *testing.T) {
	prev := log.Writer()
	log.SetOutput(io.Discard)
	t.Cleanup(func() { log.SetOutput(prev) })
	_, addr := startServer(t, func(w *Response, r *Request) {
		if r.Streaming() {
			r.SetBodyHandler(panicBody{})
			return
		}
		helloHandler(w, r)
	}, &Options{MaxBufferedBody: 16, StreamBodies: true})
	c := dialServer(t, addr)
	io.WriteString(c, "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 64\r\n\r\n")
	io.WriteString(c, strings.Repeat("x", 64))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 500 || !resp.Close {
		t.Fatalf("got %v, %v; want 500 with Connection: close", resp, err)
	}
	c2 := dialServer(t, addr)
	io.WriteString(c2, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp, err := http.ReadResponse(bufio.NewReader(c2), nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the panic: %v %v", resp, err)
	}
}

// TestResponseAbort checks that Abort closes the connection after the
// responses owed before it, sending nothing of an unstarted response and
// cutting a started one short, inline and on a worker.
func TestResponseAbort(t *testing.T) {
	for _, workers := range []int{0, 2} {
		_, addr := startServer(t, func(w *Response, r *Request) {
			switch string(r.Path()) {
			case "/abort":
				w.WriteString("never sent")
				w.Abort()
				w.WriteString("nor this")
				return
			case "/abort-after-flush":
				w.WriteString("first part")
				w.Flush()
				w.Abort()
				return
			}
			helloHandler(w, r)
		}, &Options{Workers: workers})

		c := dialServer(t, addr)
		io.WriteString(c, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /abort HTTP/1.1\r\nHost: a\r\n\r\nGET /ok HTTP/1.1\r\nHost: a\r\n\r\n")
		br := bufio.NewReader(c)
		if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("workers=%d first response: %v %v", workers, resp, err)
		} else {
			io.ReadAll(resp.Body)
		}
		if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
			t.Fatalf("workers=%d after the aborted request read %q, %v; want a clean close", workers, rest, err)
		}

		c2 := dialServer(t, addr)
		io.WriteString(c2, "GET /abort-after-flush HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c2), nil)
		if err != nil {
			t.Fatalf("workers=%d after flush: %v", workers, err)
		}
		if body, err := io.ReadAll(resp.Body); err == nil {
			t.Fatalf("workers=%d after flush: body %q read cleanly; want a truncated chunked body", workers, body)
		}
	}
}

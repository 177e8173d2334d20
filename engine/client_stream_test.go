package engine

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// streamRecorder is a ResponseStreamer and ResponseHandler that records
// what it gets, as text, and signals each event on ev.
type streamRecorder struct {
	mu   sync.Mutex
	log  []string
	body int
	ev   chan string
	// onHead, if set, runs in ResponseHead.
	onHead func(cc *ClientConn)
}

func (s *streamRecorder) add(e string) {
	s.mu.Lock()
	s.log = append(s.log, e)
	s.mu.Unlock()
	s.ev <- e
}

func (s *streamRecorder) ResponseHead(cc *ClientConn, resp *ClientResponse) {
	if s.onHead != nil {
		s.onHead(cc)
	}
	s.add(fmt.Sprintf("head %d %s", resp.StatusCode(), resp.HeaderValue("x-a")))
}

func (s *streamRecorder) ResponseBody(_ *ClientConn, chunk []byte) {
	s.mu.Lock()
	s.body += len(chunk)
	s.mu.Unlock()
	if len(chunk) <= 16 {
		s.add("body " + string(chunk))
	}
}

func (s *streamRecorder) HandleResponse(_ *ClientConn, _ *ClientRequest, resp *ClientResponse, err error) {
	if err != nil {
		s.add("error " + fmt.Sprint(IsNoResponse(err)))
		return
	}
	s.add(fmt.Sprintf("done body=%q trailer=%d", resp.Body(), resp.Trailer().Len()))
}

func (s *streamRecorder) wait(t *testing.T, want string) {
	t.Helper()
	select {
	case e := <-s.ev:
		if e != want {
			t.Fatalf("event %q; want %q", e, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no event; want %q", want)
	}
}

// stepServer answers one request with the pieces of script, sending the
// next one each time step is signalled, then closes (or resets with a
// "RST" piece).
func stepServer(t *testing.T, script ...string) (string, chan<- struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	step := make(chan struct{}, len(script))
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		for i, p := range script {
			if i > 0 {
				select {
				case <-step:
				case <-time.After(10 * time.Second):
					return
				}
			}
			if p == "RST" {
				c.(*net.TCPConn).SetLinger(0)
				return
			}
			c.Write([]byte(p))
		}
		time.Sleep(100 * time.Millisecond)
	}()
	return ln.Addr().String(), step
}

// TestClientStreamedResponse: a streamed response reaches its streamer at
// the head, before the rest of the body is sent, and then piece by piece;
// a cut body ends in an error after the pieces that came.
func TestClientStreamedResponse(t *testing.T) {
	cli := newTestClient(t)
	for _, tt := range []struct {
		name   string
		script []string
		want   []string
	}{
		{"length", []string{"HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 15\r\n\r\nhello", "12345", "abcde"},
			[]string{"head 200 1", "body hello+", "body 12345+", "body abcde", `done body="" trailer=0`}},
		{"chunked", []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "5\r\n12345\r\n", "0\r\nT: v\r\n\r\n"},
			[]string{"head 200 ", "body hello+", "body 12345+", `done body="" trailer=1`}},
		{"cut", []string{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", ""},
			[]string{"head 200 ", "body hello+", "error false"}},
		{"reset", []string{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "RST"},
			[]string{"head 200 ", "body hello+", "error false"}},
		{"noHead", []string{""}, []string{"error true"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr, step := stepServer(t, tt.script...)
			cc := dialTest(t, cli, addr, nil)
			rec := &streamRecorder{ev: make(chan string, 16)}
			req, resp := AcquireClientRequest(), AcquireClientResponse()
			resp.SetStreamer(rec)
			if err := cc.Send(req, resp, rec); err != nil {
				t.Fatal(err)
			}
			// A "+" sends the server's next piece once the event is in.
			for _, w := range tt.want {
				rec.wait(t, strings.TrimSuffix(w, "+"))
				if strings.HasSuffix(w, "+") {
					step <- struct{}{}
				}
			}
		})
	}
}

// TestClientStreamPause: a streamer that pauses reading holds a bounded
// part of a large body while the server's writes block; resuming gets the
// rest. Without the pause the client would read all of it.
func TestClientStreamPause(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("pausing reads is Linux-only")
	}
	const size = 64 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var sent atomic.Int64
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		http.ReadRequest(bufio.NewReader(c))
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", size)
		piece := []byte(strings.Repeat("x", 64<<10))
		for n := 0; n < size; n += len(piece) {
			c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write(piece); err != nil {
				return
			}
			sent.Add(int64(len(piece)))
		}
		time.Sleep(time.Second)
	}()
	cli := newTestClient(t)
	cc := dialTest(t, cli, ln.Addr().String(), nil)
	rec := &streamRecorder{ev: make(chan string, 16), onHead: func(cc *ClientConn) { cc.SetReadPaused(true) }}
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	resp.SetStreamer(rec)
	if err := cc.Send(req, resp, rec); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "head 200 ")
	// Wait until the server's writes have stalled.
	last := int64(-1)
	for i := 0; i < 100; i++ {
		time.Sleep(50 * time.Millisecond)
		if s := sent.Load(); s == last {
			break
		} else {
			last = s
		}
	}
	rec.mu.Lock()
	got := rec.body
	rec.mu.Unlock()
	if s := sent.Load(); s >= size || got > 1<<20 {
		t.Fatalf("paused: server sent %d of %d, client took %d; want both stalled, client under 1 MiB", s, size, got)
	}
	cc.SetReadPaused(false)
	rec.wait(t, `done body="" trailer=0`)
	if rec.body != size {
		t.Fatalf("body %d; want %d", rec.body, size)
	}
	if cap(resp.buf) > 1<<20 {
		t.Fatalf("response buffer grew to %d", cap(resp.buf))
	}
}

// sentRecorder is a streamRecorder that also records RequestSent.
type sentRecorder struct{ streamRecorder }

func (s *sentRecorder) RequestSent(*ClientConn) { s.add("sent") }

// TestClientCancel: Cancel closes the connection of a request awaiting its
// response, after RequestSent; once the response is complete it does
// nothing and the connection stays usable.
func TestClientCancel(t *testing.T) {
	cli := newTestClient(t)
	addr, _ := stepServer(t, "", "")
	cc := dialTest(t, cli, addr, nil)
	rec := &sentRecorder{streamRecorder{ev: make(chan string, 16)}}
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	resp.SetStreamer(rec)
	if err := cc.Send(req, resp, rec); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "sent")
	if !cc.Cancel(resp) {
		t.Fatal("Cancel of a request in flight = false")
	}
	rec.wait(t, "error true")
	waitClosed(t, cc)

	addr, step := stepServer(t, "", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	cc = dialTest(t, cli, addr, nil)
	resp.Reset()
	if err := cc.Send(req, resp, rec); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "sent")
	step <- struct{}{}
	rec.wait(t, "head 200 ")
	rec.wait(t, "body ok")
	rec.wait(t, `done body="" trailer=0`)
	if cc.Cancel(resp) || cc.Closed() {
		t.Fatal("Cancel after the response closed the connection")
	}
}

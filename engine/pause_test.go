//go:build linux

package engine

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/headers"
)

// pausingReader pauses at the first chunk, signals, and counts the body.
type pausingReader struct {
	w      *Response
	r      *Request
	n      int
	paused chan struct{}
}

func (p *pausingReader) OnBody(r *Request, chunk []byte) {
	if p.n == 0 {
		r.Pause()
		close(p.paused)
	}
	p.n += len(chunk)
}

func (p *pausingReader) OnBodyEnd(r *Request, _ *headers.Table) {
	p.w.WriteString(strconv.Itoa(p.n))
	p.w.End()
}

// TestPauseBackPressure checks that a paused body reader stops the server
// from reading the socket: the client's writes stall at about the socket
// buffers' size instead of the whole body going into server memory.
func TestPauseBackPressure(t *testing.T) {
	if epfd := epollFD(nil); epfd != -1 {
		t.Fatalf("epollFD(nil) = %d", epfd)
	}
	readers := make(chan *pausingReader, 1)
	_, addr := startServer(t, func(w *Response, r *Request) {
		p := &pausingReader{w: w, r: r, paused: make(chan struct{})}
		r.SetBodyHandler(p)
		readers <- p
	}, &Options{MaxBufferedBody: 1024, StreamBodies: true, NumLoops: 1, MaxBodyBytes: -1})
	c := dialServer(t, addr)
	c.SetDeadline(time.Now().Add(60 * time.Second))
	const size = 256 << 20
	u := startUpload(c, size)
	p := <-readers
	<-p.paused
	stalled := u.requireStalled(t)
	p.r.Resume()
	if err := <-u.done; err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != strconv.Itoa(size) {
		t.Fatalf("server counted %q; want %d (stalled at %d)", b, size, stalled)
	}
	t.Logf("paused at %d bytes in flight", stalled)
}

package engine

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
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
	}, &Options{MaxBufferedBody: 1024, NumLoops: 1, MaxBodyBytes: -1})
	c := dialServer(t, addr)
	c.SetDeadline(time.Now().Add(60 * time.Second))
	const size = 256 << 20
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "+strconv.Itoa(size)+"\r\n\r\n")
	var written atomic.Int64
	writeErr := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for written.Load() < size {
			n, err := c.Write(buf[:min(len(buf), size-int(written.Load()))])
			written.Add(int64(n))
			if err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	}()
	p := <-readers
	<-p.paused
	time.Sleep(time.Second)
	stalled := written.Load()
	if stalled >= 64<<20 {
		t.Fatalf("client wrote %d bytes while the reader was paused", stalled)
	}
	time.Sleep(200 * time.Millisecond)
	if w := written.Load(); w-stalled > 1<<20 {
		t.Fatalf("client kept writing while paused: %d then %d bytes", stalled, w)
	}
	p.r.Resume()
	if err := <-writeErr; err != nil {
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

package engine

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestWriteNoCopy sends two 8 MiB bodies with WriteNoCopy, and a small one
// between them, to a client that pipelines the three requests and reads
// only after a pause, and slowly, so that the first body is still being
// sent when the next response is queued behind it. The server must not copy the bodies
// (without WriteNoCopy each costs 8 MiB of allocation), every body must
// arrive whole and in order, and the caller's buffer must be left as it was.
func TestWriteNoCopy(t *testing.T) {
	const size = 8 << 20
	big := make([]byte, size)
	for i := range big {
		big[i] = byte(i % 251)
	}
	want := bytes.Clone(big)
	h := func(w *Response, r *Request) {
		if string(r.Target()) == "/small" {
			w.WriteString("small")
			return
		}
		w.SetContentLength(size)
		w.Flush()
		if n, err := w.WriteNoCopy(big); n != size || err != nil {
			t.Errorf("WriteNoCopy = %d, %v", n, err)
		}
	}
	_, addr := startServer(t, h, &Options{NumLoops: 1})
	c := dialServer(t, addr)
	br := bufio.NewReaderSize(c, 64<<10)
	body := make([]byte, size)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\nGET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(200 * time.Millisecond)
	for i, path := range []string{"/big", "/small", "/big"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		if path == "/small" {
			b, err := io.ReadAll(resp.Body)
			if err != nil || string(b) != "small" {
				t.Fatalf("response %d: %q, %v", i, b, err)
			}
			continue
		}
		// Read slowly, so that the server resumes while part of the body
		// is still unsent and queues the next response behind it.
		for off := 0; off < size; {
			n, err := resp.Body.Read(body[off:min(off+16<<10, size)])
			if err != nil && off+n < size {
				t.Fatalf("response %d at %d: %v", i, off+n, err)
			}
			off += n
			if off%(256<<10) == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		if !bytes.Equal(body, want) {
			t.Fatalf("response %d: body differs from what was written", i)
		}
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/2 {
		t.Errorf("serving two %d-byte bodies allocated %d bytes: they were copied", size, alloc)
	}
	if !bytes.Equal(big, want) {
		i := 0
		for big[i] == want[i] {
			i++
		}
		t.Fatalf("the caller's buffer was written into at offset %d", i)
	}
}

// TestWriteNoCopyPipelinedUnread is the hostile shape of a large body:
// connections pipeline requests for a 1 MiB body sent with WriteNoCopy
// and read nothing for a while. Each response's body must be queued
// behind the head by reference, the next request waiting until the socket
// has taken it all: before, the next response resumed at the low-water
// mark, copied the rest of the lent body with its head, and then copied
// its whole body (8 connections x 10 responses allocated 25 MB, the
// heap 18 MB over its start while unread; now 0.1 MB). Every
// response must then be read back whole and in order.
func TestWriteNoCopyPipelinedUnread(t *testing.T) {
	const (
		size  = 1 << 20
		conns = 8
		reqs  = 10
	)
	big := make([]byte, size)
	for i := range big {
		big[i] = byte(i % 251)
	}
	h := func(w *Response, r *Request) {
		w.SetContentLength(size)
		w.Flush()
		if n, err := w.WriteNoCopy(big); n != size || err != nil {
			t.Errorf("WriteNoCopy = %d, %v", n, err)
		}
	}
	_, addr := startServer(t, h, &Options{NumLoops: 2})
	batch := strings.Repeat("GET /big HTTP/1.1\r\nHost: x\r\n\r\n", reqs)
	cs := make([]net.Conn, conns)
	brs := make([]*bufio.Reader, conns)
	bodies := make([][]byte, conns) // the readers' buffers, made before counting
	for i := range cs {
		cs[i] = dialServer(t, addr)
		brs[i] = bufio.NewReaderSize(cs[i], 64<<10)
		bodies[i] = make([]byte, size)
	}
	var before, held, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, c := range cs {
		if _, err := io.WriteString(c, batch); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond) // unread: the server is blocked on every connection
	runtime.ReadMemStats(&held)
	errs := make(chan error, conns)
	for k, c := range cs {
		br, body := brs[k], bodies[k]
		go func() {
			c.SetDeadline(time.Now().Add(60 * time.Second))
			for i := range reqs {
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					errs <- fmt.Errorf("response %d: %v", i, err)
					return
				}
				if _, err := io.ReadFull(resp.Body, body); err != nil || !bytes.Equal(body, big) {
					errs <- fmt.Errorf("response %d: body not whole (%v)", i, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range conns {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	t.Logf("heap %d -> %d bytes while unread; %d bytes allocated for %d MiB served",
		before.HeapAlloc, held.HeapAlloc, after.TotalAlloc-before.TotalAlloc, conns*reqs*size>>20)
	// The bounds leave room for other goroutines of the test binary.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("serving %d x %d bodies allocated %d bytes: they were copied", conns, reqs, alloc)
	}
	if grew := int64(held.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Errorf("the heap grew by %d bytes while the responses were unread", grew)
	}
}

// TestWriteNoCopyBehindOutput writes a body piece with WriteNoCopy behind
// 16 MiB the socket has not taken yet (more than loopback buffers hold),
// to a client that reads late: the piece waits by reference and goes out
// after them (/queued), or is copied behind them when the response writes
// more while it waits (/tail). Each body must arrive in the order written,
// and the caller's buffer untouched.
func TestWriteNoCopyBehindOutput(t *testing.T) {
	const pre, size = 16 << 20, 1 << 20
	big := make([]byte, size)
	for i := range big {
		big[i] = byte(i % 251)
	}
	want := bytes.Clone(big)
	first := bytes.Repeat([]byte{'a'}, pre)
	h := func(w *Response, r *Request) {
		tail := string(r.Target()) == "/tail"
		n := pre + size
		if tail {
			n += len("tail")
		}
		w.SetContentLength(int64(n))
		w.Flush()
		w.Write(first) // copied, and more than the socket takes at once
		w.WriteNoCopy(big)
		if tail {
			w.WriteString("tail")
		}
	}
	_, addr := startServer(t, h, &Options{NumLoops: 1})
	c := dialServer(t, addr)
	c.SetDeadline(time.Now().Add(60 * time.Second))
	io.WriteString(c, "GET /queued HTTP/1.1\r\nHost: x\r\n\r\nGET /tail HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(200 * time.Millisecond)
	br := bufio.NewReaderSize(c, 64<<10)
	for _, path := range []string{"/queued", "/tail"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		exp := append(append(bytes.Clone(first), want...), "tail"...)
		if path == "/queued" {
			exp = exp[:pre+size]
		}
		if !bytes.Equal(b, exp) {
			t.Fatalf("%s: body of %d bytes differs from the %d written", path, len(b), len(exp))
		}
	}
	if !bytes.Equal(big, want) {
		t.Fatal("the caller's buffer was written into")
	}
}

package engine

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"runtime"
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

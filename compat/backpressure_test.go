package compat

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// TestServerWriteBackPressure streams a 32 MiB body the Node way (write
// until it returns false, go on at 'drain') to a client that reads nothing
// for a while: the writer stalls with a few MiB handed over (what the
// kernel's socket buffers hold), the heap does not grow by the body, and
// once the client reads, every byte arrives in order. The writer runs in
// the listeners ("loop") or on a goroutine of its own that waits for
// 'drain' ("goroutine").
func TestServerWriteBackPressure(t *testing.T) {
	for _, onLoop := range []bool{true, false} {
		name := "goroutine"
		if onLoop {
			name = "loop"
		}
		t.Run(name, func(t *testing.T) { testWriteBackPressure(t, onLoop) })
	}
}

func testWriteBackPressure(t *testing.T, onLoop bool) {
	const total, chunkSize = 32 << 20, 16 << 10
	var sent, drains atomic.Int64
	s := CreateServer(&ServerOptions{NumLoops: 1}, func(req *IncomingMessage, res *ServerResponse) {
		res.SetHeader("Content-Length", strconv.Itoa(total))
		chunk := make([]byte, chunkSize)
		// write writes chunks until one returns false, and reports whether the body is done.
		write := func() bool {
			for sent.Load() < total {
				i := sent.Load() / chunkSize
				for j := range chunk {
					chunk[j] = byte('a' + i%26)
				}
				sent.Add(chunkSize)
				if !res.WriteChunk(chunk, nil) {
					return false
				}
			}
			res.End(nil)
			return true
		}
		if onLoop {
			res.OnDrain(func() {
				drains.Add(1)
				write()
			})
			write()
			return
		}
		drained := make(chan struct{}, 1)
		res.OnDrain(func() {
			drains.Add(1)
			drained <- struct{}{}
		})
		go func() {
			for !write() {
				<-drained
			}
		}()
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(s.Address().Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(64 << 10)
	c.SetDeadline(time.Now().Add(60 * time.Second))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")

	// Wait until the writer has stalled: sent stops growing.
	var stalled int64
	for i := 0; i < 100; i++ {
		time.Sleep(50 * time.Millisecond)
		n := sent.Load()
		if n == stalled && n > 0 {
			break
		}
		stalled = n
	}
	var during runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&during)
	grown := int64(during.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("writer stalled after %d bytes of %d; heap grew %d bytes", stalled, total, grown)
	if stalled > 8<<20 {
		t.Errorf("the writer handed over %d bytes to a client that reads nothing; want <= 8 MiB (socket buffers and the 16 KiB bound)", stalled)
	}
	if grown > 8<<20 {
		t.Errorf("heap grew by %d bytes while the client did not read; want <= 8 MiB", grown)
	}

	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, chunkSize)
	for i := 0; i < total/chunkSize; i++ {
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
		want := byte('a' + i%26)
		for j, b := range buf {
			if b != want {
				t.Fatalf("chunk %d byte %d = %q; want %q", i, j, b, want)
			}
		}
	}
	if n, _ := io.Copy(io.Discard, resp.Body); n != 0 {
		t.Fatalf("%d bytes after the body", n)
	}
	if drains.Load() == 0 {
		t.Errorf("no 'drain'")
	}
}

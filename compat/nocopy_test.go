package compat

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestServerEndLargeNoCopy: res.end(buf) with an 8 MiB Buffer sends it from
// the caller's memory, as Node's socket keeps a written Buffer, instead of
// copying it into the connection's output (twice from a goroutine: 437 MiB
// peak for 20 such responses in cmd/hostile's reset-large); so does
// res.write(buf) under a Content-Length. Two pipelined requests, from the
// loop and from a goroutine.
func TestServerEndLargeNoCopy(t *testing.T) {
	for _, tt := range []struct {
		name          string
		onLoop, write bool
	}{
		{"loop", true, false},
		{"goroutine", false, false},
		{"write", true, true},
	} {
		t.Run(tt.name, func(t *testing.T) { testEndLargeNoCopy(t, tt.onLoop, tt.write) })
	}
}

func testEndLargeNoCopy(t *testing.T, onLoop, write bool) {
	const size = 8 << 20
	big := make([]byte, size)
	for i := range big {
		big[i] = byte(i % 251)
	}
	want := bytes.Clone(big)
	s := CreateServer(&ServerOptions{NumLoops: 1}, func(req *IncomingMessage, res *ServerResponse) {
		if write {
			res.SetHeader("Content-Length", strconv.Itoa(size))
			res.Write(big)
			res.End(nil)
			return
		}
		if onLoop {
			res.End(big)
			return
		}
		go res.End(big)
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	// TotalAlloc is the process's: other goroutines of the test binary
	// (a race-detector run, earlier tests' leftovers) add to it, so a copy
	// is concluded only when every one of three tries allocates too much.
	var alloc uint64
	for try := 0; try < 3; try++ {
		if alloc = endLargeTwice(t, s.Address().Port, want); alloc <= size/2 {
			break
		}
	}
	if alloc > size/2 {
		t.Errorf("two res.end of %d bytes allocated %d bytes: the body was copied", size, alloc)
	}
	if !bytes.Equal(big, want) {
		t.Fatal("the Buffer ended with was written into")
	}
}

// endLargeTwice asks for two pipelined responses of len(want) bytes, checks
// them, and returns how many bytes the process allocated meanwhile.
func endLargeTwice(t *testing.T, port int, want []byte) uint64 {
	size := len(want)
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReaderSize(c, 64<<10)
	body := make([]byte, size)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	io.WriteString(c, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(100 * time.Millisecond) // the first body waits, partly unsent
	for i := 0; i < 2; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		if resp.ContentLength != int64(size) {
			t.Fatalf("response %d: Content-Length %d", i, resp.ContentLength)
		}
		if _, err := io.ReadFull(resp.Body, body); err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		if !bytes.Equal(body, want) {
			t.Fatalf("response %d: body differs from the Buffer ended with", i)
		}
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

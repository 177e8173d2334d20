//go:build !race

package compat

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// watchMemory samples the heap in use and the RSS growth every 20 ms
// until the returned function is called, which returns their peaks.
func watchMemory() (stop func() (heap, rss int64)) {
	runtime.GC()
	baseRSS := rssBytes()
	var peakHeap, peakRSS int64
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, int64(ms.HeapInuse))
			peakRSS = max(peakRSS, rssBytes()-baseRSS)
			select {
			case <-quit:
				return
			case <-tick.C:
			}
		}
	}()
	return func() (int64, int64) {
		close(quit)
		<-done
		return peakHeap, peakRSS
	}
}

// TestServerBigUpload streams request bodies larger than the engine's
// 64 MiB default bound through a compat server, as Node, which bounds no
// body, does: a Content-Length body of bigSize() and a chunked one of
// 65 MiB reach a 'data' listener whole, with the heap in use and the RSS
// growth under 64 MiB throughout.
func TestServerBigUpload(t *testing.T) {
	var received atomic.Int64
	s := CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) {
		var got int64
		req.OnData(func(c []byte) { got += int64(len(c)) })
		req.OnEnd(func() {
			received.Store(got)
			res.EndString(strconv.FormatInt(got, 10))
		})
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	addr := fmt.Sprintf("127.0.0.1:%d", s.Address().Port)

	piece := make([]byte, 64<<10)
	for i := range piece {
		piece[i] = byte(i)
	}
	for _, tt := range []struct {
		name    string
		n       int64
		chunked bool
	}{{"length", bigSize(), false}, {"chunked", 65 << 20, true}} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			stop := watchMemory()
			start := time.Now()
			head := fmt.Sprintf("PUT /big HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", tt.n)
			if tt.chunked {
				head = "PUT /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
			}
			bw := bufio.NewWriterSize(c, 128<<10)
			bw.WriteString(head)
			for sent := int64(0); sent < tt.n; sent += int64(len(piece)) {
				if tt.chunked {
					fmt.Fprintf(bw, "%x\r\n", len(piece))
				}
				if _, err := bw.Write(piece); err != nil {
					t.Fatalf("upload stopped at %d: %v", sent, err)
				}
				if tt.chunked {
					bw.WriteString("\r\n")
				}
			}
			if tt.chunked {
				bw.WriteString("0\r\n\r\n")
			}
			if err := bw.Flush(); err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(2 * time.Minute))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			heap, rss := stop()
			want := strconv.FormatInt(tt.n, 10)
			if resp.StatusCode != 200 || string(body) != want || received.Load() != tt.n {
				t.Fatalf("%d %q, received %d; want 200 %q", resp.StatusCode, body, received.Load(), want)
			}
			t.Logf("%d MiB in %v; peak heap in use %.1f MiB, peak RSS growth %.1f MiB",
				tt.n>>20, time.Since(start).Round(time.Millisecond), float64(heap)/(1<<20), float64(rss)/(1<<20))
			if heap >= 64<<20 || rss >= 64<<20 {
				t.Fatalf("peak heap in use %d, RSS growth %d; want both under 64 MiB", heap, rss)
			}
		})
	}
}

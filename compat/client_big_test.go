//go:build !race

package compat

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// bigSize is how much TestClientBigBothWays sends each way: 1 GiB, or
// 256 MiB with -short.
func bigSize() int64 {
	if testing.Short() {
		return 256 << 20
	}
	return 1 << 30
}

// rssBytes returns the process's resident set size, or 0 where /proc has
// none.
func rssBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestClientBigBothWays uploads bigSize() bytes through a compat client
// (WriteChunk, waiting for 'drain' when it returns false) to a server that
// counts them and then streams as many back, read as 'data': the heap in
// use and the RSS growth stay under 64 MiB throughout. (The server is
// net/http's: compat's own refuses a body over the engine's 64 MiB
// default, where Node has no bound.)
func TestClientBigBothWays(t *testing.T) {
	n := bigSize()
	piece := make([]byte, 64<<10)
	for i := range piece {
		piece[i] = byte(i)
	}
	var received atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := io.Copy(io.Discard, r.Body)
		received.Store(got)
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		for sent := int64(0); sent < n; sent += int64(len(piece)) {
			if _, err := w.Write(piece); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	url := srv.URL

	runtime.GC()
	baseRSS := rssBytes()
	var peakHeap, peakRSS atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if h := int64(ms.HeapInuse); h > peakHeap.Load() {
				peakHeap.Store(h)
			}
			if r := rssBytes() - baseRSS; r > peakRSS.Load() {
				peakRSS.Store(r)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()

	start := time.Now()
	type result struct {
		got int64
		err error
	}
	done := make(chan result, 2)
	req, err := Request(url+"/big", &RequestOptions{Method: "PUT", NoAgent: true}, func(res *IncomingMessage) {
		var got int64
		res.OnData(func(c []byte) { got += int64(len(c)) })
		res.OnEnd(func() { done <- result{got, nil} })
	})
	if err != nil {
		t.Fatal(err)
	}
	req.OnError(func(err error) { done <- result{0, err} })
	drained := make(chan struct{}, 1)
	req.OnDrain(func() {
		select {
		case drained <- struct{}{}:
		default:
		}
	})
	for sent := int64(0); sent < n; sent += int64(len(piece)) {
		if !req.WriteChunk(piece, nil) {
			select {
			case <-drained:
			case r := <-done:
				t.Fatalf("upload stopped at %d: %v", sent, r.err)
			case <-time.After(30 * time.Second):
				t.Fatalf("no drain at %d bytes", sent)
			}
		}
	}
	req.End(nil)
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Minute):
		t.Fatal("no end")
	}
	close(stop)
	<-sampled
	if r.err != nil || r.got != n || received.Load() != n {
		t.Fatalf("uploaded %d, downloaded %d, %v; want %d each way", received.Load(), r.got, r.err, n)
	}
	elapsed := time.Since(start)
	t.Logf("%d MiB each way in %v; peak heap in use %.1f MiB, peak RSS growth %.1f MiB",
		n>>20, elapsed.Round(time.Millisecond), float64(peakHeap.Load())/(1<<20), float64(peakRSS.Load())/(1<<20))
	if h, rs := peakHeap.Load(), peakRSS.Load(); h >= 64<<20 || rs >= 64<<20 {
		t.Fatalf("peak heap in use %d, RSS growth %d; want both under 64 MiB", h, rs)
	}
}

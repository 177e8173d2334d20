//go:build linux && !race

// Not under the race detector: its shadow memory stays resident after the
// heap it shadows is returned.

package engine

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// reclaimChildEnv makes the test binary run TestReclaimAfterBurst's burst in
// a process of its own, so that its RSS is the server's alone. The value is
// the ReclaimInterval to use.
const reclaimChildEnv = "ZEROHTTP_RECLAIM_CHILD"

// TestReclaimAfterBurst sends a burst of 8 MiB responses to clients that
// reset after 64 KiB (the hostile tool's reset-large), then leaves the
// server idle: its RSS must come back within 2x of its start within 10 s.
// Without the forced collection no collection runs while the server is
// idle, and the RSS stays near its peak.
func TestReclaimAfterBurst(t *testing.T) {
	if v := os.Getenv(reclaimChildEnv); v != "" {
		every, err := time.ParseDuration(v)
		if err != nil {
			fmt.Println("bad interval:", err)
			os.Exit(2)
		}
		reclaimChild(every)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReclaimAfterBurst$", "-test.count=1")
	cmd.Env = append(os.Environ(), reclaimChildEnv+"=100ms", "GOGC=100", "GOMEMLIMIT=off")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\nstdout: %s\nstderr: %s", err, out, stderr.String())
	}
	line := string(out)
	if i := strings.Index(line, "rss "); i >= 0 {
		line = line[i:]
	}
	var base, peak, after, forced int
	var tookMS int
	if _, err := fmt.Sscanf(line, "rss %d %d %d %d %d", &base, &peak, &after, &forced, &tookMS); err != nil {
		t.Fatalf("child's report %q: %v\nstderr: %s", out, err, stderr.String())
	}
	t.Logf("RSS %d KiB at rest, %d KiB peak, %d KiB %d ms after the burst; %d forced collections",
		base, peak, after, tookMS, forced)
	if peak < 3*base {
		t.Fatalf("the burst raised the RSS to only %d KiB from %d KiB: it tests nothing", peak, base)
	}
	if after > 2*base {
		t.Fatalf("RSS %d KiB 10 s after the burst; want within 2x of %d KiB at rest", after, base)
	}
}

// reclaimChild serves a burst of 8 MiB bodies to resetting clients and
// prints "rss BASE PEAK AFTER FORCED TOOK", sizes in KiB: AFTER is the
// first RSS within 2x of BASE, or the last one seen 10 s after the burst,
// TOOK the milliseconds from the burst's end to AFTER.
func reclaimChild(every time.Duration) {
	big := bytes.Repeat([]byte("x"), 8<<20)
	h := func(w *Response, r *Request) { w.Write(big) }
	s := NewServer(h, &Options{NumLoops: 2, ReclaimInterval: every})
	if err := s.Start("tcp://127.0.0.1:0"); err != nil {
		fmt.Println("start:", err)
		os.Exit(1)
	}
	defer s.Close()
	addr := s.Addr().String()
	time.Sleep(200 * time.Millisecond)
	base := rssKiB()
	peak := base
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resetAfter(addr, 64<<10)
			if r := rssKiB(); r > 0 {
				mu.Lock()
				peak = max(peak, r)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	start := time.Now()
	after := rssKiB()
	for after > 2*base && time.Since(start) < 10*time.Second {
		time.Sleep(50 * time.Millisecond)
		after = rssKiB()
	}
	fmt.Printf("rss %d %d %d %d %v\n", base, peak, after, reclaim.forced.Load(), time.Since(start).Milliseconds())
}

// resetAfter asks for /big, reads n bytes of the answer and resets the
// connection.
func resetAfter(addr string, n int64) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return
	}
	io.CopyN(io.Discard, c, n)
	c.(*net.TCPConn).SetLinger(0)
}

// rssKiB returns the process's resident set in KiB, or 0.
func rssKiB() int {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.Atoi(f[1])
	return pages * os.Getpagesize() / 1024
}

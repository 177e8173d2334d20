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
	base, peak, after, forced, tookMS := runRSSChild(t, "TestReclaimAfterBurst", reclaimChildEnv+"=100ms")
	t.Logf("RSS %d KiB at rest, %d KiB peak, %d KiB %d ms after the burst; %d forced collections",
		base, peak, after, tookMS, forced)
	if peak < 3*base {
		t.Fatalf("the burst raised the RSS to only %d KiB from %d KiB: it tests nothing", peak, base)
	}
	if after > 2*base {
		t.Fatalf("RSS %d KiB 10 s after the burst; want within 2x of %d KiB at rest", after, base)
	}
}

// runRSSChild runs the test name in a child process with env set and
// returns its report: "rss BASE PEAK AFTER FORCED TOOK" (see reclaimChild).
func runRSSChild(t *testing.T, name, env string) (base, peak, after, forced, tookMS int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env, "GOGC=100", "GOMEMLIMIT=off")
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
	if _, err := fmt.Sscanf(line, "rss %d %d %d %d %d", &base, &peak, &after, &forced, &tookMS); err != nil {
		t.Fatalf("child's report %q: %v\nstderr: %s", out, err, stderr.String())
	}
	return base, peak, after, forced, tookMS
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
	peak := &peakRSS{kib: base}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resetAfter(addr, 64<<10)
			peak.note()
		}()
	}
	wg.Wait()
	start := time.Now()
	after := rssKiB()
	for after > 2*base && time.Since(start) < 10*time.Second {
		time.Sleep(50 * time.Millisecond)
		after = rssKiB()
	}
	fmt.Printf("rss %d %d %d %d %v\n", base, peak.kib, after, reclaim.forced.Load(), time.Since(start).Milliseconds())
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

// peakRSS is the largest RSS seen, in KiB.
type peakRSS struct {
	mu  sync.Mutex
	kib int
}

// note looks at the RSS now.
func (p *peakRSS) note() {
	if r := rssKiB(); r > 0 {
		p.mu.Lock()
		p.kib = max(p.kib, r)
		p.mu.Unlock()
	}
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

// churnChildEnv makes the test binary run TestReclaimAfterChurn's burst in
// a process of its own.
const churnChildEnv = "ZEROHTTP_CHURN_CHILD"

// TestReclaimAfterChurn: a handler that allocates per request (2 KiB of
// garbage, as compat allocates its request and response objects) beside a
// 16 MiB live heap serves a burst of 60,000 pipelined requests, then the
// server is idle. No large buffer is dropped, but the garbage and the spans
// it took make the RSS grow by about the live heap; it must give back at
// least half of that growth within 5 s. Without the allocation trigger no
// collection runs while the server is idle and the RSS stays at its peak.
func TestReclaimAfterChurn(t *testing.T) {
	if os.Getenv(churnChildEnv) != "" {
		churnChild()
		return
	}
	base, peak, after, forced, tookMS := runRSSChild(t, "TestReclaimAfterChurn", churnChildEnv+"=1")
	t.Logf("RSS %d KiB at rest, %d KiB peak, %d KiB %d ms after the burst; %d forced collections",
		base, peak, after, tookMS, forced)
	if peak-base < 6<<10 {
		t.Fatalf("the burst raised the RSS by only %d KiB from %d KiB: it tests nothing", peak-base, base)
	}
	if after-base > (peak-base)/2 {
		t.Fatalf("RSS %d KiB 5 s after the burst, from %d KiB at rest and %d KiB at the peak; want at least half the growth given back", after, base, peak)
	}
}

// churnSink keeps the handler's garbage from being optimized away, and
// churnBallast the live heap.
var churnSink, churnBallast []byte

// churnChild serves 60,000 pipelined requests whose handler allocates 2 KiB
// each and prints "rss BASE PEAK AFTER FORCED TOOK" as reclaimChild does,
// AFTER being the first RSS that gave back half the growth, or the last
// one seen 5 s after the burst.
func churnChild() {
	churnBallast = bytes.Repeat([]byte("b"), 16<<20)
	h := func(w *Response, r *Request) {
		churnSink = make([]byte, 2048)
		w.WriteString("ok")
	}
	s := NewServer(h, &Options{NumLoops: 2, ReclaimInterval: 100 * time.Millisecond})
	if err := s.Start("tcp://127.0.0.1:0"); err != nil {
		fmt.Println("start:", err)
		os.Exit(1)
	}
	defer s.Close()
	addr := s.Addr().String()
	time.Sleep(1500 * time.Millisecond) // past a forced collection for the start's allocations
	base := rssKiB()
	peak := &peakRSS{kib: base}
	var wg sync.WaitGroup
	batch := strings.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 100)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(60 * time.Second))
			go func() {
				for j := 0; j < 150; j++ {
					if _, err := io.WriteString(c, batch); err != nil {
						return
					}
				}
			}()
			// 15,000 responses of 'ok' with their heads; read them all.
			buf := make([]byte, 64<<10)
			seen := 0
			for seen < 15000 {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				seen += bytes.Count(buf[:n], []byte("\r\n\r\nok"))
				peak.note()
			}
		}()
	}
	wg.Wait()
	start := time.Now()
	after := rssKiB()
	for after-base > (peak.kib-base)/2 && time.Since(start) < 5*time.Second {
		time.Sleep(50 * time.Millisecond)
		after = rssKiB()
	}
	fmt.Printf("rss %d %d %d %d %v\n", base, peak.kib, after, reclaim.forced.Load(), time.Since(start).Milliseconds())
}

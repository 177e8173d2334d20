package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/benchmarks/internal/latency"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target/targettest"
)

// slowDelay is how long slowServer takes over every reply.
const slowDelay = 20 * time.Millisecond

// slowServer answers every request with 200 after slowDelay.
func slowServer(t *testing.T) string {
	return targettest.Listen(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(slowDelay)
		w.Write([]byte("slow"))
	}))
}

// TestSlowTargetLatency runs every client against a server that takes 20 ms
// over each reply: every latency a client records includes that wait, so
// its p50 (which Quantile never reports below the true value) must be at
// least 20 ms, with p50 <= p90 <= p99 <= max.
func TestSlowTargetLatency(t *testing.T) {
	addr := slowServer(t)
	check := func(t *testing.T, p50, p90, p99, maxUs float64) {
		t.Helper()
		t.Logf("latency µs p50 %.0f, p90 %.0f, p99 %.0f, max %.0f", p50, p90, p99, maxUs)
		if p50 < float64(slowDelay.Microseconds()) || p90 < p50 || p99 < p90 || maxUs < p99 || maxUs > 30e6 {
			t.Errorf("latency µs p50 %.0f, p90 %.0f, p99 %.0f, max %.0f; want p50 >= %d and in order", p50, p90, p99, maxUs, slowDelay.Microseconds())
		}
	}
	for name, impl := range clients {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // most of the time is the server's sleep
			j := &job{addr: addr, conns: 2, depth: 2, req: target.Default()}
			j.measuring.Store(true)
			runFor(t, impl, j, 300*time.Millisecond)
			h := j.latencies()
			if h.Count() == 0 || j.errs.Load() != 0 {
				t.Fatalf("%d latencies, %d errors (first: %s); want some and none", h.Count(), j.errs.Load(), j.bad())
			}
			r := round{result: result{Lat: ptr(h.Sparse())}}
			r.fillLatency()
			check(t, r.P50us, r.P90us, r.P99us, r.MaxUs)
		})
	}
	t.Run("node", func(t *testing.T) {
		if _, err := exec.LookPath("node"); err != nil {
			t.Skip("node not installed")
		}
		t.Parallel()
		o := options{duration: 300 * time.Millisecond, warmup: 100 * time.Millisecond, req: target.Default()}
		out, err := nodeCommand(o, &job{addr: addr, conns: 2, req: o.req}).Output()
		if err != nil {
			t.Fatalf("node: %v", err)
		}
		var r round
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			json.Unmarshal(sc.Bytes(), &r.result)
		}
		if r.Impl != "node" || r.Lat == nil || r.Errs != 0 {
			t.Fatalf("node reported %q; want its result with latencies and no errors", out)
		}
		r.fillLatency()
		check(t, r.P50us, r.P90us, r.P99us, r.MaxUs)
	})
}

func ptr[T any](v T) *T { return &v }

// TestNodeBucket checks that node's copy of the histogram's bucket function
// (jsBucket) files every latency where latency.Histogram does, around each
// power of two up to 2^52 ns.
func TestNodeBucket(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	var vals []int64
	for i := range 53 {
		for _, d := range []int64{-1, 0, 1, 3} {
			if v := int64(1)<<i + d; v >= 0 {
				vals = append(vals, v, v*3/2)
			}
		}
	}
	vals = append(vals, 20e6, 123456789, 999999999999)
	in, _ := json.Marshal(vals)
	out, err := exec.Command("node", "-e", jsBucket+`console.log(JSON.stringify(JSON.parse(process.argv[1]).map(bucket)))`, string(in)).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got []int
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(vals) {
		t.Fatalf("node printed %q (%v); want %d buckets", out, err, len(vals))
	}
	for i, v := range vals {
		var h latency.Histogram
		h.Record(v)
		if want := h.Sparse().Buckets[0][0]; uint64(got[i]) != want {
			t.Errorf("bucket(%d): node %d, Go %d", v, got[i], want)
		}
	}
}

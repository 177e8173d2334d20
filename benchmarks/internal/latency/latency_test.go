package latency

import (
	"sync"
	"testing"
	"time"
)

func TestBucketRoundTrip(t *testing.T) {
	for _, v := range []uint64{0, 1, 31, 63, 64, 65, 100, 1000, 12345, 1e6, 3e9, 1 << 62} {
		top := bucketTop(bucket(v))
		if top < v || float64(top-v) > 0.032*float64(v) {
			t.Errorf("bucketTop(bucket(%d)) = %d; want within 3.2%% above", v, top)
		}
	}
	for v := uint64(1); v < 1<<40; v = v*3/2 + 1 {
		if bucket(v) < bucket(v-1) {
			t.Fatalf("bucket(%d) = %d < bucket(%d) = %d", v, bucket(v), v-1, bucket(v-1))
		}
		if b := bucket(v); b > 0 && bucketTop(b-1) >= v {
			t.Fatalf("bucket(%d) = %d, but bucketTop(%d) = %d holds it", v, b, b-1, bucketTop(b-1))
		}
	}
}

// TestQuantile records known latencies and checks each reported percentile
// against the true one: never below it, at most 3.2% above, and exact where
// a bucket holds one value (below 64 ns) or the value is the maximum.
func TestQuantile(t *testing.T) {
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	tests := []struct {
		name  string
		in    []time.Duration
		q     float64
		want  time.Duration
		exact bool
	}{
		{"1..100 ms p50", seq(1, 100, ms), 0.50, ms(50), false},
		{"1..100 ms p90", seq(1, 100, ms), 0.90, ms(90), false},
		{"1..100 ms p99", seq(1, 100, ms), 0.99, ms(99), false},
		{"1..100 ms p100", seq(1, 100, ms), 1, ms(100), true},
		{"1..60 ns p50", seq(1, 60, func(v int) time.Duration { return time.Duration(v) }), 0.5, 30, true},
		{"one value", []time.Duration{ms(20), ms(20), ms(20)}, 0.5, ms(20), true},
		{"one outlier p99", append(seq(1, 99, func(int) time.Duration { return time.Millisecond }), time.Second), 0.99, time.Millisecond, false},
		{"one outlier max", append(seq(1, 99, func(int) time.Duration { return time.Millisecond }), time.Second), 1, time.Second, true},
	}
	for _, tt := range tests {
		var h Histogram
		for _, d := range tt.in {
			h.Record(int64(d))
		}
		got := h.Quantile(tt.q)
		if got < tt.want || float64(got-tt.want) > 0.032*float64(tt.want) || tt.exact && got != tt.want {
			t.Errorf("%s: Quantile(%v) = %v; want %v (exact: %v)", tt.name, tt.q, got, tt.want, tt.exact)
		}
	}
	var empty Histogram
	if got := empty.Quantile(0.5); got != 0 {
		t.Errorf("empty: Quantile(0.5) = %v; want 0", got)
	}
}

func seq(from, to int, f func(int) time.Duration) []time.Duration {
	var v []time.Duration
	for i := from; i <= to; i++ {
		v = append(v, f(i))
	}
	return v
}

// TestMergeWhileRecording merges workers' histograms while they record, as
// the client benchmark does at the end of its window, then checks that the
// merged counts, maximum and the Sparse round trip add up.
func TestMergeWhileRecording(t *testing.T) {
	const workers, each = 4, 20000
	hs := make([]Histogram, workers)
	var wg sync.WaitGroup
	for w := range hs {
		wg.Go(func() {
			for i := range each {
				hs[w].Record(int64(1000 + i + w))
			}
		})
	}
	var early Histogram
	for w := range hs {
		early.Merge(&hs[w]) // races with Record by design; -race must not object
	}
	wg.Wait()
	var all Histogram
	for w := range hs {
		all.Merge(&hs[w])
	}
	if n := all.Count(); n != workers*each || early.Count() > n {
		t.Fatalf("merged %d (early %d); want %d", n, early.Count(), workers*each)
	}
	if m := all.Max(); m != time.Duration(1000+each-1+workers-1) {
		t.Errorf("Max = %d; want %d", m, 1000+each-1+workers-1)
	}
	back := all.Sparse().Histogram()
	for _, q := range []float64{0.5, 0.9, 0.99, 1} {
		if a, b := all.Quantile(q), back.Quantile(q); a != b {
			t.Errorf("Quantile(%v) = %v; through Sparse %v", q, a, b)
		}
	}
}

// BenchmarkRecord is the cost the clients pay per request: two clock
// reads (Now and Since) and an uncontended atomic increment.
func BenchmarkRecord(b *testing.B) {
	var h Histogram
	for b.Loop() {
		h.Since(Now())
	}
}

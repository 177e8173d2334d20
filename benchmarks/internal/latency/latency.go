// Package latency records request latencies in a fixed-size histogram: one
// per worker, recorded into without allocating and merged at the end, for
// the load generator and the client benchmark.
package latency

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram counts latencies in log-linear buckets: 32 per power of two, so
// a reported value is at most about 3% above the true one. Recording is a
// bucket index and an atomic increment on the recording worker's own
// histogram (uncontended, a few ns), so that a reader can merge it while
// the worker goes on: the client benchmark's clients are not stopped before
// their window is read. The zero value is empty and ready; it is 16 KiB.
type Histogram struct {
	counts [64 << subBits]atomic.Uint64
	max    atomic.Int64
}

const subBits = 5

// bucket returns the bucket of a latency of v nanoseconds. node.go's
// JavaScript copy (jsBucket) must stay the same: TestNodeBucket compares them.
func bucket(v uint64) int {
	if v < 1<<(subBits+1) {
		return int(v)
	}
	e := bits.Len64(v) - subBits - 1
	return (e+1)<<subBits + int(v>>e) - 1<<subBits
}

// bucketTop returns the largest value, in nanoseconds, in bucket i.
func bucketTop(i int) uint64 {
	if i < 1<<(subBits+1) {
		return uint64(i)
	}
	e := i>>subBits - 1
	low := uint64(i&(1<<subBits-1)+1<<subBits) << e
	return low + 1<<e - 1
}

// Record counts one latency of ns nanoseconds (a negative one as 0).
func (h *Histogram) Record(ns int64) { h.RecordN(ns, 1) }

// RecordN counts n latencies of ns nanoseconds each.
func (h *Histogram) RecordN(ns int64, n uint64) {
	ns = max(ns, 0)
	h.counts[bucket(uint64(ns))].Add(n)
	h.raiseMax(ns)
}

// raiseMax makes the maximum at least ns; the swap is needed only when a
// latency is the largest so far, rarely once a run has warmed up.
func (h *Histogram) raiseMax(ns int64) {
	for {
		m := h.max.Load()
		if ns <= m || h.max.CompareAndSwap(m, ns) {
			return
		}
	}
}

// Merge adds o's counts to h. o may be recorded into meanwhile: what it
// records during the merge may or may not be counted.
func (h *Histogram) Merge(o *Histogram) {
	for i := range o.counts {
		if c := o.counts[i].Load(); c != 0 {
			h.counts[i].Add(c)
		}
	}
	h.raiseMax(o.max.Load())
}

// Count returns how many latencies h holds.
func (h *Histogram) Count() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// Max returns the largest latency recorded, exactly.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) }

// Quantile returns the latency at quantile q (0 < q <= 1): the top of the
// bucket holding the value of rank ceil(q·count), capped at Max, so the true
// value is at most the one returned and within about 3% of it. It returns 0
// for an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	total := h.Count()
	if total == 0 {
		return 0
	}
	rank := max(uint64(math.Ceil(q*float64(total)-1e-9)), 1)
	var seen uint64
	for i := range h.counts {
		if seen += h.counts[i].Load(); seen >= rank {
			return min(time.Duration(bucketTop(i)), h.Max())
		}
	}
	return h.Max()
}

// Sparse is a histogram as JSON carries it from a client process: the
// non-empty buckets as (index, count) pairs, and the maximum in nanoseconds.
type Sparse struct {
	Buckets [][2]uint64 `json:"buckets"`
	MaxNS   int64       `json:"max_ns"`
}

// Sparse returns h's non-empty buckets.
func (h *Histogram) Sparse() Sparse {
	s := Sparse{MaxNS: h.max.Load()}
	for i := range h.counts {
		if c := h.counts[i].Load(); c != 0 {
			s.Buckets = append(s.Buckets, [2]uint64{uint64(i), c})
		}
	}
	return s
}

// Histogram returns s as a histogram; buckets out of range are ignored.
func (s Sparse) Histogram() *Histogram {
	h := new(Histogram)
	for _, b := range s.Buckets {
		if b[0] < uint64(len(h.counts)) {
			h.counts[b[0]].Add(b[1])
		}
	}
	h.raiseMax(s.MaxNS)
	return h
}

// epoch makes Now a single monotonic clock read: time.Since of a time with
// a monotonic reading reads only the monotonic clock (~20 ns through the
// vDSO), where time.Now reads the wall clock too.
var epoch = time.Now()

// Now returns a monotonic time in nanoseconds, for Since.
func Now() int64 { return int64(time.Since(epoch)) }

// Since records the latency from t0, a Now reading, to now.
func (h *Histogram) Since(t0 int64) { h.Record(Now() - t0) }

package main

import "math/bits"

// histogram counts latencies in log-linear buckets: 32 per power of two, so a
// reported value is within about 3% of the true one. Recording is an index and
// an increment, with no allocation; each connection has its own and they are
// merged at the end.
type histogram struct {
	counts [64 << subBits]uint64
	total  uint64
}

const subBits = 5

// bucket returns the bucket of a latency of v nanoseconds.
func bucket(v uint64) int {
	if v < 1<<(subBits+1) {
		return int(v)
	}
	e := bits.Len64(v) - subBits - 1
	return (e+1)<<subBits + int(v>>e) - 1<<subBits
}

// bucketMid returns the midpoint, in nanoseconds, of the values in bucket i.
func bucketMid(i int) uint64 {
	if i < 1<<(subBits+1) {
		return uint64(i)
	}
	e := i>>subBits - 1
	low := uint64(i&(1<<subBits-1)+1<<subBits) << e
	return low + (uint64(1)<<e)/2
}

func (h *histogram) record(ns int64) {
	if ns < 0 {
		ns = 0
	}
	h.counts[bucket(uint64(ns))]++
	h.total++
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
}

// quantile returns the latency in nanoseconds at quantile q (0 < q <= 1), or 0
// for an empty histogram.
func (h *histogram) quantile(q float64) uint64 {
	if h.total == 0 {
		return 0
	}
	rank := uint64(q*float64(h.total) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return bucketMid(i)
		}
	}
	return bucketMid(len(h.counts) - 1)
}

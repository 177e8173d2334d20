// Package stats summarises a figure measured over several rounds, so that a
// reader can tell a real difference from noise.
package stats

import (
	"math"
	"slices"
	"strconv"
)

// Spread is the minimum, median and maximum of a figure over the rounds, and
// its coefficient of variation (standard deviation over mean).
type Spread struct {
	Min, Median, Max, CV float64
	N                    int
}

// Of returns v's spread; v is not modified.
func Of(v []float64) Spread {
	if len(v) == 0 {
		return Spread{}
	}
	v = slices.Clone(v)
	slices.Sort(v)
	s := Spread{Min: v[0], Max: v[len(v)-1], N: len(v), Median: v[len(v)/2]}
	if len(v)%2 == 0 {
		s.Median = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	var sum, sq float64
	for _, x := range v {
		sum += x
	}
	mean := sum / float64(len(v))
	for _, x := range v {
		sq += (x - mean) * (x - mean)
	}
	if mean != 0 {
		s.CV = math.Sqrt(sq/float64(len(v))) / mean
	}
	return s
}

// Cell prints s for a table: "median (min–max)" with digits decimals, the
// median alone for one round, "–" for none.
func (s Spread) Cell(digits int) string {
	switch s.N {
	case 0:
		return "–"
	case 1:
		return strconv.FormatFloat(s.Median, 'f', digits, 64)
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', digits, 64) }
	return f(s.Median) + " (" + f(s.Min) + "–" + f(s.Max) + ")"
}

// Ratios returns x[i]/ref[i] for each round i in which both are non-zero
// (a failed round's figure is 0): rounds run moments apart, so the ratio
// cancels slow drifts of the machine that a ratio of medians would keep.
func Ratios(x, ref []float64) []float64 {
	var v []float64
	for i := range min(len(x), len(ref)) {
		if x[i] != 0 && ref[i] != 0 {
			v = append(v, x[i]/ref[i])
		}
	}
	return v
}

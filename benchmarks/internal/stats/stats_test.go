package stats

import (
	"math"
	"slices"
	"testing"
)

func TestOf(t *testing.T) {
	v := []float64{30, 10, 20, 40}
	s := Of(v)
	// mean 25, population standard deviation sqrt(125)
	if s.Min != 10 || s.Max != 40 || s.Median != 25 || s.N != 4 || math.Abs(s.CV-math.Sqrt(125)/25) > 1e-12 {
		t.Errorf("Of(%v) = %+v", v, s)
	}
	if !slices.Equal(v, []float64{30, 10, 20, 40}) {
		t.Error("Of sorted its input")
	}
	if got := Of([]float64{1, 3, 2}).Cell(1); got != "2.0 (1.0–3.0)" {
		t.Errorf("Cell = %q", got)
	}
	if got := Of([]float64{7}).Cell(0); got != "7" {
		t.Errorf("one round: Cell = %q", got)
	}
	if got := Of(nil).Cell(0); got != "–" {
		t.Errorf("no rounds: Cell = %q", got)
	}
}

func TestRatios(t *testing.T) {
	got := Ratios([]float64{10, 0, 30, 8}, []float64{5, 4, 0, 2, 9})
	if !slices.Equal(got, []float64{2, 4}) {
		t.Errorf("Ratios = %v; want [2 4] (rounds where either failed dropped)", got)
	}
}

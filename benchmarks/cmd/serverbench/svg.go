package main

import (
	"fmt"
	"io"

	"github.com/zerohttp/zerohttp/benchmarks/internal/plot"
	"github.com/zerohttp/zerohttp/benchmarks/internal/stats"
)

// writeSVG draws, for each mode, requests per server CPU-second per target
// and its p50 and p99 latency, each bar the rounds' median with a whisker
// from their min to their max; base is drawn in the reference colour.
func writeSVG(w io.Writer, results []result, base string) {
	var groups []plot.Group
	for _, m := range modes {
		eff := plot.Group{Title: m.name + ": requests per server CPU-second (longer is better)"}
		lat := plot.Group{Title: m.name + ": latency p50 and p99 in µs (shorter is better)"}
		for i := range results {
			r := &results[i]
			if r.mode != m.name || r.median.skip != "" {
				continue
			}
			if s := stats.Of(r.figure(perCPU)); s.N > 0 && s.Median > 0 {
				eff.Bars = append(eff.Bars, plot.Bar{Name: r.target.Name, Value: s.Median, Min: s.Min, Max: s.Max,
					Label: fmt.Sprintf("%.0f", s.Median), Base: r.target.Name == base})
			}
			for _, p := range []struct {
				name string
				get  func(run) float64
			}{{"p50", func(x run) float64 { return x.p50 }}, {"p99", func(x run) float64 { return x.p99 }}} {
				s := stats.Of(r.figure(p.get))
				lat.Bars = append(lat.Bars, plot.Bar{Name: r.target.Name + " " + p.name, Value: s.Median, Min: s.Min, Max: s.Max,
					Label: fmt.Sprintf("%.0f", s.Median), Base: r.target.Name == base})
			}
		}
		groups = append(groups, eff, lat)
	}
	plot.Bars(w, groups)
}

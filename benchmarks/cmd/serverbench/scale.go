package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/zerohttp/zerohttp/benchmarks/internal/stats"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
)

// scaleRun is one core count of a scaling run: every target measured with
// its server pinned to the first cores CPUs of -server-cpus, its loops or
// GOMAXPROCS (and a command's {cores}) following.
type scaleRun struct {
	cores   int
	results []result
}

// benchScaling runs the whole interleaved benchmark once per core count,
// 1 up to the length of -server-cpus (1 when unpinned).
func benchScaling(o options, targets []target.Target) []scaleRun {
	var out []scaleRun
	for k := 1; k <= max(1, len(o.cpus[0])); k++ {
		ko := o
		if len(o.cpus[0]) > 0 {
			ko.cpus[0] = o.cpus[0][:k]
		}
		out = append(out, scaleRun{cores: k, results: benchAll(ko, targets)})
	}
	return out
}

// writeScaling prints a mode's requests per server CPU-second, a row per
// target and a column per core count, each the rounds' median (min–max) and
// CV: a server that scales keeps the figure as cores are added.
func writeScaling(w io.Writer, runs []scaleRun, mode string) {
	fmt.Fprint(w, "| target |")
	for _, r := range runs {
		fmt.Fprintf(w, " %d core%s: req per CPU-s (min–max), CV |", r.cores, map[bool]string{true: "s"}[r.cores > 1])
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---:|", len(runs)))
	if len(runs) == 0 {
		return
	}
	for i, first := range runs[0].results {
		if first.mode != mode {
			continue
		}
		fmt.Fprintf(w, "| %s |", first.target.Name)
		for _, r := range runs {
			res := r.results[i]
			s := stats.Of(res.figure(perCPU))
			switch {
			case res.median.skip != "":
				fmt.Fprintf(w, " skipped: %s |", oneLine(res.median.skip))
			case s.N == 0 || s.Median <= 0:
				fmt.Fprint(w, " – |")
			default:
				fmt.Fprintf(w, " %.0f (%.0f–%.0f), %.1f%% |", s.Median, s.Min, s.Max, s.CV*100)
			}
		}
		fmt.Fprintln(w)
	}
}

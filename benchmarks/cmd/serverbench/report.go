package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/zerohttp/zerohttp/benchmarks/internal/stats"
)

// figure returns get of every round that succeeded.
func (r *result) figure(get func(run) float64) []float64 {
	var v []float64
	for _, x := range r.rounds {
		if x.skip == "" {
			v = append(v, get(x))
		}
	}
	return v
}

// ratios returns get(r)/get(ref) of each round in which both succeeded
// (see stats.Ratios); every result has one run per round, in order.
func ratios(r, ref *result, get func(run) float64) []float64 {
	byRound := func(x *result) []float64 {
		v := make([]float64, len(x.rounds))
		for i, y := range x.rounds {
			if y.skip == "" {
				v[i] = get(y)
			}
		}
		return v
	}
	return stats.Ratios(byRound(r), byRound(ref))
}

func rps(x run) float64    { return x.rps }
func perCPU(x run) float64 { return x.perCPU }

// writeRuns prints one mode's results with each figure's spread over the
// rounds, and per-round ratios to each of refs (by default gnet-raw, the
// ceiling, and fasthttp, the fastest common Go server): the median ratio with
// its min–max. A ratio above 1 means more than the reference. When the load
// generator's CPU is near 100% and the server's is not, req/s measures the
// load generator; req per CPU-s still compares the servers.
func writeRuns(w io.Writer, results []result, mode string, refs []string) {
	var refRes []*result
	var refNames []string
	for _, name := range refs {
		for i := range results {
			if r := &results[i]; r.target.Name == name && r.mode == mode && r.median.skip == "" {
				refRes, refNames = append(refRes, r), append(refNames, name)
			}
		}
	}
	head := "| target | rounds | req/s (min–max) | p50 µs | p99 µs | server CPU | load CPU | req per CPU-s (min–max) | CV | peak RSS MiB |"
	rule := "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for _, n := range refNames {
		head += fmt.Sprintf(" req/CPU-s ÷ %s (min–max) | req/s ÷ %s |", n, n)
		rule += "---:|---:|"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for i := range results {
		r := &results[i]
		if r.mode != mode {
			continue
		}
		m := r.median
		if m.skip != "" {
			fmt.Fprintf(w, "| %s | 0 | skipped: %s |%s\n", r.target.Name, oneLine(m.skip), strings.Repeat(" |", 7+2*len(refNames)))
			continue
		}
		sr, sc := stats.Of(r.figure(rps)), stats.Of(r.figure(perCPU))
		cpu, eff, cv := "–", "–", "–"
		if m.perCPU > 0 {
			cpu = fmt.Sprintf("%.0f%%", m.cpuShare*100)
			eff = fmt.Sprintf("%.0f (%.0f–%.0f)", sc.Median, sc.Min, sc.Max)
			cv = fmt.Sprintf("%.1f%%", sc.CV*100)
		}
		fmt.Fprintf(w, "| %s | %d | %.0f (%.0f–%.0f) | %.0f | %.0f | %s | %.0f%% | %s | %s | %s |",
			r.target.Name, m.rounds, sr.Median, sr.Min, sr.Max, m.p50, m.p99, cpu, m.loadShare*100, eff, cv, mib(m.peakKB))
		for _, ref := range refRes {
			fmt.Fprintf(w, " %s | %s |", stats.Of(ratios(r, ref, perCPU)).Cell(2), stats.Of(ratios(r, ref, rps)).Cell(2))
		}
		fmt.Fprintln(w)
	}
}

func mib(kb int64) string {
	if kb <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", float64(kb)/1024)
}

// oneLine keeps a table cell on one line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", "\\|")
}

// writeIdle prints the idle-connection memory table.
func writeIdle(w io.Writer, idles []idleRun) {
	fmt.Fprintln(w, "| target | RSS empty MiB | RSS with connections MiB | bytes per connection |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, r := range idles {
		if r.skip != "" {
			fmt.Fprintf(w, "| %s | skipped: %s | | |\n", r.impl, oneLine(r.skip))
			continue
		}
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %.0f |\n", r.impl, float64(r.emptyKB)/1024, float64(r.kB)/1024, r.perConnBytes)
	}
}

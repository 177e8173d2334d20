package main

import (
	"fmt"
	"io"
)

// writeRuns prints one mode's runs with ratios to gnet-raw (the ceiling) and
// fasthttp (the fastest common Go server). A ratio above 1 means more than
// the reference. When the load generator's CPU is near 100% and the server's
// is not, req/s measures the load generator; req per CPU-s still compares
// the servers.
func writeRuns(w io.Writer, runs []run, mode string) {
	find := func(impl string) *run {
		for i := range runs {
			if runs[i].impl == impl && runs[i].mode == mode && runs[i].skip == "" {
				return &runs[i]
			}
		}
		return nil
	}
	raw, fh := find("gnet-raw"), find("fasthttp")
	ratio := func(v float64, ref *run, get func(*run) float64) string {
		if ref == nil || get(ref) == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f", v/get(ref))
	}
	rps := func(r *run) float64 { return r.rps }
	eff := func(r *run) float64 { return r.perCPU }
	fmt.Fprintln(w, "| impl | rounds | req/s | p50 µs | p99 µs | server CPU | load CPU | req per CPU-s | peak RSS MiB | req/s ÷ gnet-raw | req/s ÷ fasthttp | req/CPU-s ÷ gnet-raw | req/CPU-s ÷ fasthttp |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range runs {
		if r.mode != mode {
			continue
		}
		if r.skip != "" {
			fmt.Fprintf(w, "| %s | 0 | skipped: %s | | | | | | | | | | |\n", r.impl, r.skip)
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %.0f | %.0f | %.0f | %.0f%% | %.0f%% | %.0f | %.1f | %s | %s | %s | %s |\n",
			r.impl, r.rounds, r.rps, r.p50, r.p99, r.cpuShare*100, r.loadShare*100, r.perCPU, float64(r.peakKB)/1024,
			ratio(r.rps, raw, rps), ratio(r.rps, fh, rps), ratio(r.perCPU, raw, eff), ratio(r.perCPU, fh, eff))
	}
}

// writeIdle prints the idle-connection memory table.
func writeIdle(w io.Writer, idles []idleRun) {
	fmt.Fprintln(w, "| impl | RSS empty MiB | RSS with connections MiB | bytes per connection |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, r := range idles {
		if r.skip != "" {
			fmt.Fprintf(w, "| %s | skipped: %s | | |\n", r.impl, r.skip)
			continue
		}
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %.0f |\n", r.impl, float64(r.emptyKB)/1024, float64(r.kB)/1024, r.perConnBytes)
	}
}

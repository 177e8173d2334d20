package main

import (
	"fmt"
	"io"
	"time"
)

// writeTables prints the servers side by side: what they held, and what
// each attack got from them.
func writeTables(w io.Writer, rs []result) {
	fmt.Fprintf(w, "| server | RSS start | RSS peak | RSS after | within 2x after | fds start | fds peak | fds after | goroutines start / after | probes answered | slowest probe | serving after |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, r := range rs {
		serving := "yes"
		if r.servingAfter != nil {
			serving = "NO: " + r.servingAfter.Error()
		}
		within := "no"
		if r.recovered >= 0 {
			within = r.recovered.Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %d/%d | %v | %s |\n", r.name,
			mib(r.rssBase), mib(r.rssPeak), mib(r.rssEnd), within, count(r.fdBase), count(r.fdPeak), count(r.fdEnd), count(r.goBase), count(r.goEnd),
			r.probe.Answered.Load(), r.probe.Sent.Load(), time.Duration(r.probe.MaxLatency.Load()).Round(time.Millisecond), serving)
	}
	if len(rs) == 0 || len(rs[0].attacks) == 0 {
		return
	}
	fmt.Fprintf(w, "\nPer attack: sent / answered / cut by the server / unanswered (for slowloris, sent counts connections; for oversized heads, answered means refused with a 4xx and unanswered means accepted).\n\n")
	fmt.Fprintf(w, "| server |")
	for _, a := range rs[0].attacks {
		fmt.Fprintf(w, " %s |", a.name)
	}
	fmt.Fprintf(w, "\n|---|")
	for range rs[0].attacks {
		fmt.Fprintf(w, "--:|")
	}
	fmt.Fprintln(w)
	for _, r := range rs {
		fmt.Fprintf(w, "| %s |", r.name)
		for _, a := range r.attacks {
			fmt.Fprintf(w, " %d / %d / %d / %d |", a.st.Sent.Load(), a.st.Answered.Load(), a.st.Cut.Load(), a.st.Failed.Load())
		}
		fmt.Fprintln(w)
	}
}

func mib(kb int64) string {
	if kb <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(kb)/1024)
}

func count(n int) string {
	if n < 0 {
		return "n/a"
	}
	return fmt.Sprint(n)
}

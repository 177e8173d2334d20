package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/zerohttp/zerohttp/benchmarks/internal/export"
	"github.com/zerohttp/zerohttp/benchmarks/internal/machine"
	"github.com/zerohttp/zerohttp/benchmarks/internal/plot"
	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
	"github.com/zerohttp/zerohttp/benchmarks/internal/stats"
)

// report is everything a run measured: every round's raw figures, their
// spreads, and what they were measured on.
type report struct {
	Machine  machine.Machine `json:"machine"`
	Request  string          `json:"request"`
	Conns    int             `json:"conns"`
	Depth    int             `json:"depth"`
	Rounds   int             `json:"rounds"`
	Warmup   string          `json:"warmup"`
	Duration string          `json:"duration"`
	CPUs     [2][]int        `json:"cpus"` // server, client; null unpinned
	Warning  string          `json:"warning,omitempty"`
	Runs     []series        `json:"runs"`
}

// series is one client against one target over the rounds.
type series struct {
	Target string  `json:"target"`
	Kind   string  `json:"kind"` // builtin, command or address
	Client string  `json:"client"`
	Skip   string  `json:"skip,omitempty"` // the server did not start
	Rounds []round `json:"rounds"`

	// Spreads over the rounds that succeeded.
	RPS       stats.Spread `json:"rps"`
	PerCPU    stats.Spread `json:"req_per_cpu_s"`
	ClientCPU stats.Spread `json:"client_cpu"`
	ServerCPU stats.Spread `json:"server_cpu"`
	Allocs    stats.Spread `json:"allocs"`
	Bytes     stats.Spread `json:"bytes"`
	P50       stats.Spread `json:"p50_us"`
	P90       stats.Spread `json:"p90_us"`
	P99       stats.Spread `json:"p99_us"`
	Max       stats.Spread `json:"max_us"`
}

// round is one client run: the client's own report and what the
// orchestrator measured around it.
type round struct {
	Round int    `json:"round"`
	Skip  string `json:"skip,omitempty"` // why the round failed
	result
	RPS       float64 `json:"rps"`
	PerCPU    float64 `json:"req_per_cpu_s"`
	ClientCPU float64 `json:"client_cpu"` // CPU-seconds per wall second
	ServerCPU float64 `json:"server_cpu"` // 0 when the server's process is unknown
	// Latency of the window's requests, from the client's sending to its
	// having the whole response, in µs; 0 when the client reported none.
	P50us float64 `json:"p50_us"`
	P90us float64 `json:"p90_us"`
	P99us float64 `json:"p99_us"`
	MaxUs float64 `json:"max_us"`
}

// fillLatency turns the latencies the client reported into percentiles.
func (r *round) fillLatency() {
	if r.Lat == nil {
		return
	}
	h := r.Lat.Histogram()
	r.Lat = nil
	if h.Count() == 0 {
		return
	}
	us := func(d time.Duration) float64 { return float64(d) / 1e3 }
	r.P50us, r.P90us, r.P99us, r.MaxUs = us(h.Quantile(0.50)), us(h.Quantile(0.90)), us(h.Quantile(0.99)), us(h.Max())
}

// summarise fills the derived figures of each round and the spreads.
func (s *series) summarise() {
	for i := range s.Rounds {
		r := &s.Rounds[i]
		if r.Skip != "" || r.Secs <= 0 {
			continue
		}
		r.RPS, r.ClientCPU = float64(r.Reqs)/r.Secs, r.CPU/r.Secs
		if r.CPU > 0 {
			r.PerCPU = float64(r.Reqs) / r.CPU
		}
	}
	s.RPS = stats.Of(s.figure(func(r round) float64 { return r.RPS }))
	s.PerCPU = stats.Of(s.figure(func(r round) float64 { return r.PerCPU }))
	s.ClientCPU = stats.Of(s.figure(func(r round) float64 { return r.ClientCPU }))
	s.ServerCPU = stats.Of(s.figure(func(r round) float64 { return r.ServerCPU }))
	s.Allocs = stats.Of(s.figure(func(r round) float64 { return r.Allocs }))
	s.Bytes = stats.Of(s.figure(func(r round) float64 { return r.Bytes }))
	s.P50 = stats.Of(s.latency(func(r round) float64 { return r.P50us }))
	s.P90 = stats.Of(s.latency(func(r round) float64 { return r.P90us }))
	s.P99 = stats.Of(s.latency(func(r round) float64 { return r.P99us }))
	s.Max = stats.Of(s.latency(func(r round) float64 { return r.MaxUs }))
}

// latency returns get of every round that succeeded with latencies.
func (s *series) latency(get func(round) float64) []float64 {
	var v []float64
	for _, r := range s.Rounds {
		if r.Skip == "" && r.MaxUs > 0 {
			v = append(v, get(r))
		}
	}
	return v
}

// figure returns get of every round that succeeded.
func (s *series) figure(get func(round) float64) []float64 {
	var v []float64
	for _, r := range s.Rounds {
		if r.Skip == "" {
			v = append(v, get(r))
		}
	}
	return v
}

// perRound returns each round's requests per client CPU-second, 0 for a
// failed round, indexed by round.
func (s *series) perRound() []float64 {
	v := make([]float64, len(s.Rounds))
	for i, r := range s.Rounds {
		if r.Skip == "" {
			v[i] = r.PerCPU
		}
	}
	return v
}

// failed reports whether any client got a reply other than the expected one.
func (rep *report) failed() bool {
	for _, s := range rep.Runs {
		for _, r := range s.Rounds {
			if r.Errs > 0 {
				return true
			}
		}
	}
	return false
}

// write prints the Markdown tables on stdout and writes the exports asked for.
func (rep *report) write(o options, jsonPath, csvPath, svgPath string) error {
	rep.writeMarkdown(os.Stdout, o)
	return export.Files(export.File{Path: jsonPath, Write: rep.writeJSON}, export.File{Path: csvPath, Write: rep.writeCSV},
		export.File{Path: svgPath, Write: rep.writeSVG})
}

// targets returns the target names in order.
func (rep *report) targets() []string {
	var names []string
	for _, s := range rep.Runs {
		if len(names) == 0 || names[len(names)-1] != s.Target {
			names = append(names, s.Target)
		}
	}
	return names
}

func (rep *report) writeMarkdown(w io.Writer, o options) {
	pin := "server and clients unpinned, sharing the machine"
	if rep.CPUs[0] != nil || rep.CPUs[1] != nil {
		pin = fmt.Sprintf("each server pinned to CPUs %s, each client to CPUs %s, GOMAXPROCS one per CPU",
			proc.FormatCPUs(rep.CPUs[0]), proc.FormatCPUs(rep.CPUs[1]))
	}
	fmt.Fprintf(w, "## Client benchmark\n\n%d keep-alive connections; request %s; %s; %s warm-up and %s measured per client and round; the pipelined client keeps %d requests in flight per connection; medians of %d rounds, the clients interleaved round by round.\n\n%s\n",
		rep.Conns, rep.Request, pin, rep.Warmup, rep.Duration, rep.Depth, rep.Rounds, rep.Machine.Line())
	if rep.Warning != "" {
		fmt.Fprintf(w, "\n**Warning:** %s\n", rep.Warning)
	}
	for _, name := range rep.targets() {
		var sets []*series
		for i := range rep.Runs {
			if rep.Runs[i].Target == name {
				sets = append(sets, &rep.Runs[i])
			}
		}
		what := "the built-in fixed gnet server (a fixed 200 response, no HTTP work)"
		if sets[0].Kind != "builtin" {
			what = "your " + sets[0].Kind
		}
		fmt.Fprintf(w, "\n### server %s: %s\n\n", name, what)
		if sets[0].Skip != "" {
			fmt.Fprintf(w, "skipped: %s\n", oneLine(sets[0].Skip))
			continue
		}
		writeTable(w, sets)
	}
}

// writeTable prints one target's clients: each figure's median with the
// rounds' min–max, the CV of requests per client CPU-second, and its ratio
// to fasthttp's and net/http's taken round by round (the clients of a round
// ran moments apart), then every failed round with its reason.
func writeTable(w io.Writer, sets []*series) {
	ref := func(name string) *series {
		for _, s := range sets {
			if s.Client == name && s.PerCPU.N > 0 {
				return s
			}
		}
		return nil
	}
	fast, std := ref("fasthttp"), ref("nethttp")
	fmt.Fprintln(w, "| client | rounds | req/s (min–max) | client CPU | req per client CPU-s (min–max) | CV | ÷ fasthttp (min–max) | ÷ net/http (min–max) | server CPU | allocs/req | bytes/req | latency µs p50 / p90 / p99 / max |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	var failures []string
	for _, s := range sets {
		for _, r := range s.Rounds {
			if r.Skip != "" {
				failures = append(failures, fmt.Sprintf("- %s, round %d: %s", s.Client, r.Round, oneLine(r.Skip)))
			}
		}
		if s.PerCPU.N == 0 {
			fmt.Fprintf(w, "| %s | 0 | failed (below) | | | | | | | | | |\n", s.Client)
			continue
		}
		ratio := func(r *series) string {
			if r == nil {
				return "–"
			}
			return stats.Of(stats.Ratios(s.perRound(), r.perRound())).Cell(2)
		}
		srv, allocs, bytes := "–", "–", "–"
		if s.ServerCPU.Median > 0 {
			srv = fmt.Sprintf("%.0f%%", 100*s.ServerCPU.Median)
		}
		if s.Client != "node" {
			allocs, bytes = fmt.Sprintf("%.2f", s.Allocs.Median), fmt.Sprintf("%.0f", s.Bytes.Median)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %.0f%% | %s | %.1f%% | %s | %s | %s | %s | %s | %s |\n",
			s.Client, s.PerCPU.N, s.RPS.Cell(0), 100*s.ClientCPU.Median, s.PerCPU.Cell(0), 100*s.PerCPU.CV,
			ratio(fast), ratio(std), srv, allocs, bytes, s.latencyCell())
	}
	if len(failures) > 0 {
		fmt.Fprintln(w, "\nFailed rounds:")
		for _, f := range failures {
			fmt.Fprintln(w, f)
		}
	}
}

// latencyCell prints the medians over the rounds of p50, p90, p99 and max,
// or "–" for a client that reported no latencies.
func (s *series) latencyCell() string {
	if s.Max.N == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f / %.0f / %.0f / %.0f", s.P50.Median, s.P90.Median, s.P99.Median, s.Max.Median)
}

// oneLine keeps a table cell or list item on one line.
func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' || c == '|' {
			b[i] = ' '
		}
	}
	return string(b)
}

func (rep *report) writeJSON(w io.Writer) error { return export.JSON(w, rep) }

// writeCSV writes one line per target, client and round, each with the
// machine's description so that it stands alone in a spreadsheet.
func (rep *report) writeCSV(w io.Writer) error {
	c := csv.NewWriter(w)
	c.Write([]string{"target", "kind", "client", "round", "skip", "reqs", "secs", "rps", "client_cpu", "req_per_cpu_s",
		"server_cpu", "allocs", "bytes", "p50_us", "p90_us", "p99_us", "max_us", "errors", "first_bad", "cpu_model", "cores", "kernel", "go"})
	m := rep.Machine
	tail := []string{m.CPUModel, strconv.Itoa(m.Cores), m.Kernel, m.Go}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, s := range rep.Runs {
		if len(s.Rounds) == 0 {
			c.Write(append([]string{s.Target, s.Kind, s.Client, "0", s.Skip, "", "", "", "", "", "", "", "", "", "", "", "", "", ""}, tail...))
		}
		for _, r := range s.Rounds {
			c.Write(append([]string{s.Target, s.Kind, s.Client, strconv.Itoa(r.Round), r.Skip, strconv.FormatInt(r.Reqs, 10),
				f(r.Secs), f(r.RPS), f(r.ClientCPU), f(r.PerCPU), f(r.ServerCPU), f(r.Allocs), f(r.Bytes),
				f(r.P50us), f(r.P90us), f(r.P99us), f(r.MaxUs), strconv.FormatInt(r.Errs, 10), r.FirstBad}, tail...))
		}
	}
	c.Flush()
	return c.Error()
}

// writeSVG plots, per target, each client's requests per client CPU-second,
// requests per second, and p50 and p99 latency: the rounds' median with a
// min–max whisker; zerohttp's engine client is drawn in the reference colour.
func (rep *report) writeSVG(w io.Writer) error {
	var groups []plot.Group
	for _, name := range rep.targets() {
		eff := plot.Group{Title: "server " + name + ": requests per client CPU-second (longer is better)"}
		rps := plot.Group{Title: "server " + name + ": requests per second (longer is better)"}
		lat := plot.Group{Title: "server " + name + ": latency p50 and p99 in µs (shorter is better)"}
		for _, s := range rep.Runs {
			if s.Target != name || s.PerCPU.N == 0 {
				continue
			}
			eff.Bars = append(eff.Bars, bar(s.Client, s.Client, s.PerCPU))
			rps.Bars = append(rps.Bars, bar(s.Client, s.Client, s.RPS))
			if s.Max.N > 0 {
				lat.Bars = append(lat.Bars, bar(s.Client+" p50", s.Client, s.P50), bar(s.Client+" p99", s.Client, s.P99))
			}
		}
		groups = append(groups, eff, rps)
		if len(lat.Bars) > 0 {
			groups = append(groups, lat)
		}
	}
	plot.Bars(w, groups)
	return nil
}

// bar draws spread s of client under name.
func bar(name, client string, s stats.Spread) plot.Bar {
	return plot.Bar{Name: name, Value: s.Median, Min: s.Min, Max: s.Max,
		Label: fmt.Sprintf("%.0f", s.Median), Base: client == "zerohttp"}
}

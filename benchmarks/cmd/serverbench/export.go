package main

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/zerohttp/zerohttp/benchmarks/internal/export"
	"github.com/zerohttp/zerohttp/benchmarks/internal/machine"
	"github.com/zerohttp/zerohttp/benchmarks/internal/stats"
)

// report is everything a run measured, for -json and -csv: every round's raw
// figures beside the medians, and what they were measured on.
type report struct {
	Machine  machine.Machine `json:"machine"`
	Request  string          `json:"request"`
	Loader   string          `json:"loader"`
	Rounds   int             `json:"rounds"`
	Warmup   string          `json:"warmup"`
	Duration string          `json:"duration"`
	PGO      string          `json:"pgo"`
	CPUs     [2][]int        `json:"cpus"` // server, load generator; null unpinned
	Warning  string          `json:"warning,omitempty"`
	Runs     []rowSet        `json:"runs"`
	Idle     []idleRow       `json:"idle,omitempty"`
}

// rowSet is one target in one mode.
type rowSet struct {
	Target string       `json:"target"`
	Kind   string       `json:"kind"` // builtin, command or address
	Mode   string       `json:"mode"`
	Skip   string       `json:"skip,omitempty"`
	PeakKB int64        `json:"peak_kb,omitempty"`
	Rounds []row        `json:"rounds"`
	RPS    stats.Spread `json:"rps"`
	PerCPU stats.Spread `json:"req_per_cpu_s"`
}

// row is one round's figures; PerCPU and ServerCPU are 0 when the server's
// CPU time is unknown (an address target whose process is not readable).
type row struct {
	Round     int     `json:"round"`
	Skip      string  `json:"skip,omitempty"`
	RPS       float64 `json:"rps"`
	P50us     float64 `json:"p50_us"`
	P99us     float64 `json:"p99_us"`
	ServerCPU float64 `json:"server_cpu"` // CPU-seconds per wall second
	LoadCPU   float64 `json:"load_cpu"`
	PerCPU    float64 `json:"req_per_cpu_s"`
}

type idleRow struct {
	Target       string  `json:"target"`
	Skip         string  `json:"skip,omitempty"`
	Conns        int     `json:"conns"`
	EmptyKB      int64   `json:"empty_kb"`
	KB           int64   `json:"kb"`
	BytesPerConn float64 `json:"bytes_per_conn"`
}

func (rep *report) fill(results []result, idles []idleRun) {
	for i := range results {
		r := &results[i]
		s := rowSet{Target: r.target.Name, Kind: r.target.Kind(), Mode: r.mode, Skip: r.median.skip, PeakKB: r.median.peakKB,
			RPS: stats.Of(r.figure(rps)), PerCPU: stats.Of(r.figure(perCPU))}
		for _, x := range r.rounds {
			s.Rounds = append(s.Rounds, row{Round: x.round, Skip: x.skip, RPS: x.rps, P50us: x.p50, P99us: x.p99,
				ServerCPU: x.cpuShare, LoadCPU: x.loadShare, PerCPU: x.perCPU})
		}
		rep.Runs = append(rep.Runs, s)
	}
	for _, x := range idles {
		rep.Idle = append(rep.Idle, idleRow{Target: x.impl, Skip: x.skip, Conns: x.conns, EmptyKB: x.emptyKB, KB: x.kB, BytesPerConn: x.perConnBytes})
	}
}

func (rep *report) writeJSON(w io.Writer) error { return export.JSON(w, rep) }

// writeCSV writes one line per target, mode and round (the idle runs with
// mode "idle" and round 0), with the machine in a leading comment-free
// column set so that each line stands alone in a spreadsheet.
func (rep *report) writeCSV(w io.Writer) error {
	c := csv.NewWriter(w)
	c.Write([]string{"target", "kind", "mode", "round", "skip", "rps", "p50_us", "p99_us", "server_cpu", "load_cpu", "req_per_cpu_s",
		"peak_kb", "idle_conns", "idle_empty_kb", "idle_kb", "idle_bytes_per_conn", "cpu_model", "cores", "kernel", "go"})
	m := rep.Machine
	tail := []string{m.CPUModel, strconv.Itoa(m.Cores), m.Kernel, m.Go}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, s := range rep.Runs {
		if len(s.Rounds) == 0 {
			c.Write(append([]string{s.Target, s.Kind, s.Mode, "0", s.Skip, "", "", "", "", "", "", "", "", "", "", ""}, tail...))
		}
		for _, x := range s.Rounds {
			c.Write(append([]string{s.Target, s.Kind, s.Mode, strconv.Itoa(x.Round), x.Skip, f(x.RPS), f(x.P50us), f(x.P99us),
				f(x.ServerCPU), f(x.LoadCPU), f(x.PerCPU), strconv.FormatInt(s.PeakKB, 10), "", "", "", ""}, tail...))
		}
	}
	for _, x := range rep.Idle {
		c.Write(append([]string{x.Target, "", "idle", "0", x.Skip, "", "", "", "", "", "", "",
			strconv.Itoa(x.Conns), strconv.FormatInt(x.EmptyKB, 10), strconv.FormatInt(x.KB, 10), f(x.BytesPerConn)}, tail...))
	}
	c.Flush()
	return c.Error()
}

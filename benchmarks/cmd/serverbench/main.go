// Command serverbench compares HTTP servers under load from loopback and
// prints Markdown tables: the hello-world servers of cmd/server, and your own
// servers given with -target, side by side.
//
// For each target it starts the server pinned to -server-cpus (default CPU
// 0; its loops or GOMAXPROCS, and a command's {cores}, follow the count) and
// drives it from -load-cpus (default CPU 1) in two modes: keep-alive (64 connections, one request in flight on
// each; wrk when installed and the request is the default, else cmd/load)
// and pipelined (64 connections, 16 requests per batch; always cmd/load,
// since wrk's percentiles are broken under a pipelining script). Each mode
// warms up, then measures for -duration; -rounds rounds each measure every
// target and mode once, interleaved. The tables show each figure's median
// with the rounds' min–max and coefficient of variation, and ratios to the
// -ref targets computed round by round: requests per second, p50 and p99
// latency, the server's CPU share (utime+stime over wall time, from
// /proc/PID/stat), requests per server CPU-second, and peak RSS (VmHWM).
//
// A target is "name=ADDR", a server already listening on localhost,
// 127.0.0.0/8 or [::1] (its process is found by its listening socket, when
// this user may read it, for the CPU and memory columns), or "name=CMD", a
// shell command run with {addr} (or {host} and {port}, and {cores}) replaced,
// started in its own process group and stopped with it. The request is
// -method, -path, -header and -body; every reply must have -expect-status
// (and -expect-body if given), or the round fails and shows the first bad
// reply.
//
// The idle mode starts each server afresh, opens -idle keep-alive
// connections that each make one request and then sit idle, and reports the
// growth of the server's RSS per connection.
//
// -json and -csv write every round's raw figures (and, in JSON, the
// machine's CPU model, cores, kernel, Go version and the peers' versions);
// -format json or csv prints them on stdout instead of the tables.
//
// All traffic goes to loopback, every run is bounded in time, and only the
// processes this command started are signalled, by PID or process group.
//
// Usage (from the benchmarks module):
//
//	go run ./cmd/serverbench [-impls nethttp,fasthttp] [-target mine=127.0.0.1:3000] [-rounds 3] [-duration 2s] [-idle 10000] [-json out.json]
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/zerohttp/zerohttp/benchmarks/internal/export"
	"github.com/zerohttp/zerohttp/benchmarks/internal/machine"
	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
	"github.com/zerohttp/zerohttp/benchmarks/internal/progress"
	"github.com/zerohttp/zerohttp/benchmarks/internal/stats"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
)

var allImpls = []string{"zerohttp", "compat", "gnet-raw", "fasthttp", "nbio", "nbio-blocking", "nethttp", "bridge", "node"}

// mode is one load shape.
type mode struct {
	name  string
	conns int
	depth int // 1 means one request in flight per connection
}

var modes = []mode{
	{"keepalive", 64, 1},
	{"pipeline", 64, 16},
}

// run is one target under one mode: one round's figures, or (from
// medianRun) the medians over the rounds.
type run struct {
	impl, mode string
	round      int    // 1-based; 0 for a median
	skip       string // why the run did not happen, if it did not
	rps        float64
	p50, p99   float64 // microseconds
	cpuShare   float64 // server CPU-seconds per wall second
	loadShare  float64 // load generator CPU-seconds per wall second
	perCPU     float64 // requests per server CPU-second; 0 when the server's CPU time is unknown
	peakKB     int64
	rounds     int // rounds that succeeded
}

// result is one target under one mode over all rounds.
type result struct {
	target target.Target
	mode   string
	rounds []run // one per round, in order, failures included
	median run
}

// idleRun is one implementation's idle-connection memory.
type idleRun struct {
	impl         string
	skip         string
	conns        int
	emptyKB, kB  int64
	perConnBytes float64
}

type options struct {
	dir      string // where the built binaries are
	req      target.Request
	duration time.Duration
	warmup   time.Duration
	rounds   int
	idle     int
	loader   string
	cpus     [2][]int // server, load; nil means unpinned
}

func main() {
	impls := flag.String("impls", strings.Join(allImpls, ","), "comma-separated built-in implementations (cmd/server); empty for none")
	var targets []target.Target
	target.FlagVar(flag.CommandLine, &targets)
	var o options
	o.req = target.Default()
	o.req.Flags(flag.CommandLine)
	flag.DurationVar(&o.duration, "duration", 2*time.Second, "measured time per mode and round")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every target and mode once, and the tables show medians")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "warm-up time per mode")
	flag.IntVar(&o.idle, "idle", 10000, "idle connections for the memory mode (0 skips it)")
	flag.StringVar(&o.loader, "loader", "auto", "load generator: auto (wrk if installed and the request is the default), wrk or builtin")
	only := flag.String("modes", "keepalive,pipeline", "comma-separated load modes to run")
	pgo := flag.String("pgo", "off", "go build -pgo for cmd/server: off, or a profile such as pgo/server.pgo (every Go implementation's; see make pgo)")
	refs := flag.String("ref", "gnet-raw,fasthttp", "comma-separated targets the ratio columns divide by")
	format := flag.String("format", "md", "what to print on stdout: md (tables), json or csv (every round's figures)")
	jsonOut := flag.String("json", "", "also write every round's figures and the machine's description as JSON to this file")
	csvOut := flag.String("csv", "", "also write every round's figures as CSV to this file")
	serverCPUs := flag.String("server-cpus", "0", "CPU list for each server (\"0\", \"0-3,6\"; -1: unpinned); its loops/GOMAXPROCS and {cores} follow")
	scale := flag.Bool("scale", false, "scaling run: each server on 1, 2, ... up to all of -server-cpus, one table of req per server CPU-second per core count (no idle run)")
	svgOut := flag.String("svg", "", "also write a plot to this file: per mode, req per server CPU-second and p50/p99 latency per target, with min–max whiskers across rounds")
	loadCPUs := flag.String("load-cpus", "1", "CPU list for the load generator (-1: unpinned)")
	flag.Parse()
	if *format != "md" && *format != "json" && *format != "csv" {
		fatalf("-format must be md, json or csv")
	}
	if err := o.req.Check(); err != nil {
		fatalf("%v", err)
	}
	var picked []mode
	for _, m := range modes {
		if slices.Contains(strings.Split(*only, ","), m.name) {
			picked = append(picked, m)
		}
	}
	if len(picked) == 0 {
		fatalf("-modes must name keepalive, pipeline or both")
	}
	modes = picked
	if o.duration <= 0 || o.duration > time.Minute || o.warmup < 0 || o.warmup > time.Minute {
		fatalf("-duration must be in (0, 1m] and -warmup in [0, 1m]")
	}
	if o.rounds < 1 || o.rounds > 20 {
		fatalf("-rounds must be in [1, 20]")
	}
	if o.idle < 0 || o.idle > 50000 {
		fatalf("-idle must be in [0, 50000]")
	}
	defaultReq := target.Default()
	switch {
	case o.loader == "auto":
		o.loader = "builtin"
		if _, err := exec.LookPath("wrk"); err == nil && o.req.Describe() == defaultReq.Describe() {
			o.loader = "wrk"
		}
	case o.loader == "wrk" && o.req.Describe() != defaultReq.Describe():
		fatalf("-loader wrk sends only GET /hello expecting 200; use the built-in loader for -method, -path, -header, -body or -expect-*")
	}
	note := "fewer than 2 CPUs: server and load generator unpinned, sharing the machine"
	if runtime.NumCPU() >= 2 || *serverCPUs != "0" || *loadCPUs != "1" {
		var err error
		if o.cpus[0], err = proc.ParseCPUs(*serverCPUs); err == nil {
			o.cpus[1], err = proc.ParseCPUs(*loadCPUs)
		}
		if err != nil {
			fatalf("%v", err)
		}
		note = fmt.Sprintf("server pinned to CPUs %s, load generator to CPUs %s", proc.FormatCPUs(o.cpus[0]), proc.FormatCPUs(o.cpus[1]))
	}
	var all []target.Target
	for _, impl := range strings.Split(*impls, ",") {
		if impl = strings.TrimSpace(impl); impl == "" {
			continue
		}
		if !slices.Contains(allImpls, impl) {
			fatalf("unknown -impls entry %q (built-in: %s); use -target for your own server", impl, strings.Join(allImpls, ", "))
		}
		all = append(all, target.Builtin(impl))
	}
	for _, t := range targets {
		if slices.ContainsFunc(all, func(x target.Target) bool { return x.Name == t.Name }) {
			fatalf("-target %s has the name of a built-in implementation; pick another", t.Name)
		}
		all = append(all, t)
	}
	if len(all) == 0 {
		fatalf("nothing to measure: give -impls or -target")
	}

	tmp, err := os.MkdirTemp("", "serverbench")
	if err != nil {
		fatalf("%v", err)
	}
	defer os.RemoveAll(tmp)
	o.dir, tmpDir = tmp, tmp
	for _, cmd := range []string{"server", "load"} {
		b := exec.Command("go", "build", "-pgo="+*pgo, "-o", filepath.Join(tmp, cmd), "./cmd/"+cmd)
		b.Stdout, b.Stderr = os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			fatalf("building cmd/%s (run from the benchmarks module): %v", cmd, err)
		}
	}

	// Other work on these CPUs takes time from the server and the load
	// generator alike; say so beside the numbers rather than hide it.
	busy := ""
	if la := proc.LoadAverage(); la > 0.5 {
		busy = fmt.Sprintf("the 1-minute load average was %.1f before the run: other processes share these CPUs, so absolute numbers are low and noisy; compare req per CPU-s.", la)
	}
	if *scale {
		runs := benchScaling(o, all)
		fmt.Printf("## Server scaling\n\nserver on the first 1..%d of CPUs %s, load generator on CPUs %s; request %s; medians of %d rounds of %v per mode and core count.\n",
			len(runs), proc.FormatCPUs(o.cpus[0]), proc.FormatCPUs(o.cpus[1]), o.req.Describe(), o.rounds, o.duration)
		if busy != "" {
			fmt.Printf("\n**Warning:** %s\n", busy)
		}
		for _, m := range modes {
			fmt.Printf("\n### %s: %d connections, %d in flight each\n\n", m.name, m.conns, m.depth)
			writeScaling(os.Stdout, runs, m.name)
		}
		return
	}
	results := benchAll(o, all)
	var idles []idleRun
	if o.idle > 0 {
		for _, t := range all {
			fmt.Fprintf(os.Stderr, "serverbench: idle: %s\n", t.Name)
			idles = append(idles, idleImpl(o, t))
		}
	}

	rep := report{
		Machine: machine.Describe(filepath.Join(tmp, "server")),
		Request: o.req.Describe(),
		Loader:  o.loader,
		Rounds:  o.rounds, Warmup: o.warmup.String(), Duration: o.duration.String(),
		PGO: *pgo, CPUs: o.cpus, Warning: busy,
	}
	rep.fill(results, idles)
	if err := export.Files(export.File{Path: *jsonOut, Write: rep.writeJSON}, export.File{Path: *csvOut, Write: rep.writeCSV},
		export.File{Path: *svgOut, Write: func(w io.Writer) error {
			writeSVG(w, results, "zerohttp")
			return nil
		}}); err != nil {
		fatalf("%v", err)
	}
	switch *format {
	case "json":
		rep.writeJSON(os.Stdout)
		return
	case "csv":
		rep.writeCSV(os.Stdout)
		return
	}

	loaderNote := o.loader
	if o.loader == "wrk" {
		loaderNote = "wrk (keep-alive) and the built-in generator (pipelined: wrk's percentiles are broken there)"
	}
	pgoNote := "built without profile-guided optimisation"
	if *pgo != "off" {
		pgoNote = "built with profile-guided optimisation from " + *pgo + ", the same profile for every implementation"
	}
	fmt.Printf("## Server benchmark\n\n%s; load from %s; request %s; medians of %d rounds, each %v warm-up and %v measured per mode, the targets interleaved round by round; GOMAXPROCS follows the pinning; %s.\n",
		note, loaderNote, o.req.Describe(), o.rounds, o.warmup, o.duration, pgoNote)
	fmt.Printf("\n%s\n", rep.Machine.Line())
	if busy != "" {
		fmt.Printf("\n**Warning:** %s\n", busy)
	}
	refList := strings.Split(*refs, ",")
	for _, m := range modes {
		fmt.Printf("\n### %s: %d connections, %d in flight each\n\n", m.name, m.conns, m.depth)
		writeRuns(os.Stdout, results, m.name, refList)
	}
	if o.idle > 0 {
		fmt.Printf("\n### idle: %d keep-alive connections after one request each\n\n", o.idle)
		writeIdle(os.Stdout, idles)
	}
}

// tmpDir holds the built binaries; fatalf removes it, as os.Exit skips defers.
var tmpDir string

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "serverbench: "+format+"\n", args...)
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
	os.Exit(1)
}

// benchAll starts every server, then runs o.rounds rounds, each of which
// measures every target in every mode once. Interleaving the rounds spreads
// bursts of other work on the machine over all targets instead of landing on
// one, and the median of the rounds drops outliers; per-round ratios compare
// targets measured moments apart.
func benchAll(o options, targets []target.Target) []result {
	servers := make([]*target.Server, len(targets))
	startErr := make([]error, len(targets))
	for i, t := range targets {
		servers[i], startErr[i] = startServer(o, t)
		if servers[i] != nil {
			defer servers[i].Stop()
		}
	}
	out := make([]result, 0, len(targets)*len(modes))
	for _, t := range targets {
		for _, m := range modes {
			out = append(out, result{target: t, mode: m.name})
		}
	}
	at := func(i, k int) *result { return &out[i*len(modes)+k] }
	bar := progress.New("serverbench", o.rounds*len(targets))
	defer bar.Finish()
	for round := range o.rounds {
		for i, t := range targets {
			if startErr[i] != nil {
				continue
			}
			bar.Step(fmt.Sprintf("round %d/%d: %s", round+1, o.rounds, t.Name))
			for k, m := range modes {
				r := run{impl: t.Name, mode: m.name, round: round + 1}
				if err := measure(o, servers[i], m, &r); err != nil {
					r.skip = err.Error()
				}
				at(i, k).rounds = append(at(i, k).rounds, r)
			}
		}
	}
	for i, t := range targets {
		var peak int64
		if startErr[i] == nil {
			peak = proc.MemKB("VmHWM", servers[i].PIDs()...)
		}
		for k, m := range modes {
			res := at(i, k)
			r := run{impl: t.Name, mode: m.name, peakKB: peak}
			if startErr[i] != nil {
				r.skip = startErr[i].Error()
			} else {
				r = medianRun(res.rounds, r)
			}
			res.median = r
		}
	}
	return out
}

// medianRun fills r with the median of each metric over the rounds that
// succeeded, or the first failure if none did.
func medianRun(rounds []run, r run) run {
	var ok []run
	for _, x := range rounds {
		if x.skip == "" {
			ok = append(ok, x)
		} else if r.skip == "" {
			r.skip = x.skip
		}
	}
	if len(ok) == 0 {
		return r
	}
	r.skip = ""
	med := func(get func(run) float64) float64 {
		v := make([]float64, len(ok))
		for i, x := range ok {
			v[i] = get(x)
		}
		return stats.Of(v).Median
	}
	r.rps = med(func(x run) float64 { return x.rps })
	r.p50 = med(func(x run) float64 { return x.p50 })
	r.p99 = med(func(x run) float64 { return x.p99 })
	r.cpuShare = med(func(x run) float64 { return x.cpuShare })
	r.loadShare = med(func(x run) float64 { return x.loadShare })
	r.perCPU = med(func(x run) float64 { return x.perCPU })
	r.rounds = len(ok)
	return r
}

// loadResult is what cmd/load prints with -json (the fields used here).
type loadResult struct {
	Requests uint64  `json:"requests"`
	RPS      float64 `json:"rps"`
	P50us    float64 `json:"p50_us"`
	P99us    float64 `json:"p99_us"`
	Errors   int64   `json:"errors"`
	FirstBad string  `json:"first_bad"`
	ErrorMsg string  `json:"error"`

	loadCPU float64 // the load generator's CPU-seconds in the measured window
}

// measure drives s in mode m and fills r. Server CPU time is sampled when the
// measured window opens and closes, so warm-up does not count.
func measure(o options, s *target.Server, m mode, r *run) error {
	pids := s.PIDs()
	var (
		res          loadResult
		cpu0, cpu1   float64
		wall0, wall1 time.Time
	)
	sample0 := func() { cpu0, wall0 = proc.CPUSeconds(pids...), time.Now() }
	sample1 := func() { cpu1, wall1 = proc.CPUSeconds(pids...), time.Now() }
	var err error
	// wrk's latency histogram is broken under a pipelining script (it prints
	// 0.00us for the 90th and 99th percentiles), so pipelined runs always use
	// the built-in generator, which times each batch from write to last response.
	if o.loader == "wrk" && m.depth == 1 {
		res, err = runWrk(o, s.Addr, m, sample0, sample1)
	} else {
		res, err = runLoad(o, s.Addr, m, sample0, sample1)
	}
	if err != nil {
		return err
	}
	wall := wall1.Sub(wall0).Seconds()
	cpu := cpu1 - cpu0
	r.rps, r.p50, r.p99 = res.RPS, res.P50us, res.P99us
	if wall > 0 {
		r.loadShare = res.loadCPU / wall
		if len(pids) > 0 {
			r.cpuShare = cpu / wall
		}
	}
	if cpu > 0 && len(pids) > 0 {
		r.perCPU = res.RPS * wall / cpu
	}
	return nil
}

// runLoad runs cmd/load pinned to the load CPU. It prints "start" when the
// warm-up ends, and its result when done.
func runLoad(o options, addr string, m mode, onStart, onEnd func()) (loadResult, error) {
	var res loadResult
	lm := "keepalive"
	if m.depth > 1 {
		lm = "pipeline"
	}
	args := append([]string{"-json", "-addr", addr, "-mode", lm,
		"-conns", fmt.Sprint(m.conns), "-depth", fmt.Sprint(m.depth),
		"-warmup", o.warmup.String(), "-duration", o.duration.String()}, o.req.Args()...)
	cmd := exec.Command(filepath.Join(o.dir, "load"), args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return res, err
	}
	if err := proc.StartPinned(cmd, o.cpus[1]); err != nil {
		return res, err
	}
	sc := bufio.NewScanner(out)
	started := false
	self := []int{cmd.Process.Pid}
	var load0 float64
	for sc.Scan() {
		line := sc.Text()
		if line == "start" {
			onStart()
			load0, started = proc.CPUSeconds(self...), true
			continue
		}
		onEnd()
		load1 := proc.CPUSeconds(self...)
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			return res, fmt.Errorf("load output %q: %v", line, err)
		}
		res.loadCPU = load1 - load0
	}
	io.Copy(io.Discard, out)
	werr := cmd.Wait()
	switch {
	case res.ErrorMsg != "":
		return res, errors.New(res.ErrorMsg)
	case res.Errors > 0:
		return res, fmt.Errorf("load: %d errors; first bad reply: %.80q", res.Errors, res.FirstBad)
	case werr != nil:
		return res, fmt.Errorf("load: %v", werr)
	case !started || res.Requests == 0:
		return res, errors.New("load: no measurement")
	}
	return res, nil
}

// Command serverbench compares the hello-world servers of cmd/server under
// load from 127.0.0.1 and prints markdown tables.
//
// For each implementation it starts cmd/server pinned to CPU 0 and drives it
// from CPU 1 in two modes: keep-alive (64 connections, one request in flight
// on each; wrk when installed, else cmd/load) and pipelined (64 connections,
// 16 requests per batch; always cmd/load, since wrk's percentiles are broken
// under a pipelining script). Each mode warms up, then measures for
// -duration; -rounds rounds each measure every implementation and mode once,
// and the tables show the medians. It reports requests per second, p50 and p99 latency, the server's
// CPU share (utime+stime over wall time, from /proc/PID/stat), requests per
// server CPU-second, and peak RSS (VmHWM), with ratios to gnet-raw and fasthttp.
//
// The idle mode starts each server afresh, opens -idle keep-alive connections
// that each make one request and then sit idle, and reports the growth of the
// server's RSS per connection.
//
// All traffic goes to 127.0.0.1, every run is bounded in time, and only the
// processes this command started are signalled, by PID.
//
// Usage (from the benchmarks module):
//
//	go run ./cmd/serverbench [-impls nethttp,fasthttp] [-rounds 3] [-duration 2s] [-idle 10000]
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

	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
)

var allImpls = []string{"zerohttp", "compat", "gnet-raw", "fasthttp", "nethttp", "node"}

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

// run is one implementation under one mode.
type run struct {
	impl, mode string
	skip       string // why the run did not happen, if it did not
	rps        float64
	p50, p99   float64 // microseconds
	cpuShare   float64 // server CPU-seconds per wall second
	loadShare  float64 // load generator CPU-seconds per wall second
	perCPU     float64 // requests per server CPU-second
	peakKB     int64
	rounds     int // rounds that succeeded
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
	duration time.Duration
	warmup   time.Duration
	rounds   int
	idle     int
	loader   string
	cpus     [2]int // server, load; -1 means unpinned
}

func main() {
	impls := flag.String("impls", strings.Join(allImpls, ","), "comma-separated implementations")
	var o options
	flag.DurationVar(&o.duration, "duration", 2*time.Second, "measured time per mode and round")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every implementation and mode once, and the tables show medians")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "warm-up time per mode")
	flag.IntVar(&o.idle, "idle", 10000, "idle connections for the memory mode (0 skips it)")
	flag.StringVar(&o.loader, "loader", "auto", "load generator: auto (wrk if installed), wrk or builtin")
	only := flag.String("modes", "keepalive,pipeline", "comma-separated load modes to run")
	pgo := flag.String("pgo", "off", "go build -pgo for cmd/server: off, or a profile such as pgo/server.pgo (every Go implementation's; see make pgo)")
	flag.Parse()
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
	if o.loader == "auto" {
		o.loader = "builtin"
		if _, err := exec.LookPath("wrk"); err == nil {
			o.loader = "wrk"
		}
	}
	o.cpus = [2]int{0, 1}
	note := "server pinned to CPU 0, load generator to CPU 1"
	if runtime.NumCPU() < 2 {
		o.cpus = [2]int{-1, -1}
		note = "fewer than 2 CPUs: server and load generator unpinned, sharing the machine"
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
	var names []string
	for _, impl := range strings.Split(*impls, ",") {
		names = append(names, strings.TrimSpace(impl))
	}
	runs := benchAll(o, names)
	var idles []idleRun
	if o.idle > 0 {
		for _, impl := range names {
			fmt.Fprintf(os.Stderr, "serverbench: idle: %s\n", impl)
			idles = append(idles, idleImpl(o, impl))
		}
	}

	loaderNote := o.loader
	if o.loader == "wrk" {
		loaderNote = "wrk (keep-alive) and the built-in generator (pipelined: wrk's percentiles are broken there)"
	}
	pgoNote := "built without profile-guided optimisation"
	if *pgo != "off" {
		pgoNote = "built with profile-guided optimisation from " + *pgo + ", the same profile for every implementation"
	}
	fmt.Printf("## Server benchmark\n\n%s; load from %s; medians of %d rounds, each %v warm-up and %v measured per mode; GOMAXPROCS follows the pinning; %s.\n",
		note, loaderNote, o.rounds, o.warmup, o.duration, pgoNote)
	if busy != "" {
		fmt.Printf("\n**Warning:** %s\n", busy)
	}
	for _, m := range modes {
		fmt.Printf("\n### %s: %d connections, %d in flight each\n\n", m.name, m.conns, m.depth)
		writeRuns(os.Stdout, runs, m.name)
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

// server is one running cmd/server process.
type server struct {
	cmd    *exec.Cmd
	addr   string
	exited chan struct{} // closed once the process has exited and been reaped
	stderr *cappedBuffer
}

// startServer starts impl on a free port pinned to cpu and waits until it listens.
func startServer(o options, impl string) (*server, error) {
	if impl == "node" {
		if _, err := exec.LookPath("node"); err != nil {
			return nil, errors.New("node not installed")
		}
	}
	addr, err := proc.FreeAddr()
	if err != nil {
		return nil, err
	}
	s := &server{addr: addr, exited: make(chan struct{}), stderr: new(cappedBuffer)}
	s.cmd = exec.Command(filepath.Join(o.dir, "server"), "-impl", impl, "-addr", addr)
	s.cmd.Stderr = s.stderr
	if err := proc.StartPinned(s.cmd, o.cpus[0]); err != nil {
		return nil, err
	}
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	if err := proc.WaitListening(addr, s.exited, 10*time.Second); err != nil {
		proc.StopProcess(s.cmd, s.exited)
		if msg := strings.TrimSpace(s.stderr.String()); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, err
	}
	return s, nil
}

func (s *server) stop() { proc.StopProcess(s.cmd, s.exited) }

// benchAll starts every server, then runs o.rounds rounds, each of which
// measures every implementation in every mode once. Interleaving the rounds
// spreads bursts of other work on the machine over all implementations
// instead of landing on one, and the median of the rounds drops outliers.
func benchAll(o options, impls []string) []run {
	servers := make([]*server, len(impls))
	startErr := make([]error, len(impls))
	for i, impl := range impls {
		servers[i], startErr[i] = startServer(o, impl)
		if servers[i] != nil {
			defer servers[i].stop()
		}
	}
	samples := make([][][]run, len(impls)) // [impl][mode][round]
	for i := range impls {
		samples[i] = make([][]run, len(modes))
	}
	for round := range o.rounds {
		for i, impl := range impls {
			if startErr[i] != nil {
				continue
			}
			fmt.Fprintf(os.Stderr, "serverbench: round %d/%d: %s\n", round+1, o.rounds, impl)
			for k, m := range modes {
				r := run{impl: impl, mode: m.name}
				if err := measure(o, servers[i], m, &r); err != nil {
					r.skip = err.Error()
				}
				samples[i][k] = append(samples[i][k], r)
			}
		}
	}
	var out []run
	for i, impl := range impls {
		var peak int64
		if startErr[i] == nil {
			peak = proc.MemKB("VmHWM", proc.Serving(servers[i].cmd.Process.Pid)...)
		}
		for k, m := range modes {
			r := run{impl: impl, mode: m.name, peakKB: peak}
			if startErr[i] != nil {
				r.skip = startErr[i].Error()
			} else {
				r = medianRun(samples[i][k], r)
			}
			out = append(out, r)
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
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
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
func measure(o options, s *server, m mode, r *run) error {
	pids := proc.Serving(s.cmd.Process.Pid)
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
		res, err = runWrk(o, s.addr, m, sample0, sample1)
	} else {
		res, err = runLoad(o, s.addr, m, sample0, sample1)
	}
	if err != nil {
		return err
	}
	wall := wall1.Sub(wall0).Seconds()
	cpu := cpu1 - cpu0
	r.rps, r.p50, r.p99 = res.RPS, res.P50us, res.P99us
	if wall > 0 {
		r.cpuShare, r.loadShare = cpu/wall, res.loadCPU/wall
	}
	if cpu > 0 {
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
	cmd := exec.Command(filepath.Join(o.dir, "load"), "-json", "-addr", addr, "-mode", lm,
		"-conns", fmt.Sprint(m.conns), "-depth", fmt.Sprint(m.depth),
		"-warmup", o.warmup.String(), "-duration", o.duration.String())
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

// Command clientbench compares HTTP/1.1 clients on keep-alive connections:
// zerohttp's engine client (blocking Do per connection, asynchronous Send
// with its handler on the event loop, through agentpool, and pipelined), the
// same through compat (zerohttp's Node http API, running the node client's
// program), fasthttp's HostClient, net/http's Transport, net/http's client
// on the nethttp bridge, and Node's http with a keepAlive agent; and floor,
// no library at all (epoll, a write and a read per request), which shows
// what the kernel leaves to any client of that shape.
//
// The server they talk to is by default a fixed fast one (a gnet loop with a
// fixed response, no HTTP work, so that the client is the bottleneck), or
// your own given with -target: "name=ADDR", a server already listening on
// localhost, 127.0.0.0/8 or [::1], or "name=CMD", a shell command run with
// {addr} (or {host} and {port}, and {cores}) replaced, started in its own
// process group and stopped with it. The request is -method, -path,
// -header and -body; every reply must have -expect-status (and -expect-body
// if given): any other reply, or a failed request, is counted as an error,
// the first one is shown, and that round of that client fails.
//
// A server runs pinned to -server-cpus (CPU 0) and each client in turn to
// -client-cpus (CPU 1), with GOMAXPROCS one per CPU of its list. -rounds
// rounds each run every client against every target once, interleaved, and
// the table shows each figure's median over the rounds with their min–max
// and coefficient of variation: requests per second, the client's CPU
// share, requests per client CPU-second (and its ratio to fasthttp's and
// net/http's, round by round), the server's CPU share, for Go clients
// allocations per request, and the latency's p50, p90, p99 and maximum.
// A client times each request of the measured window, from before it is
// sent to when its whole response is in, into a histogram per worker
// (internal/latency: two monotonic clock reads and an atomic increment,
// ~70 ns per request on this machine, about 1% of a client's cost), and
// node's program does the same with performance.now. -json and -csv write
// every round's raw figures (JSON adds the machine's CPU model, cores,
// kernel, Go version and the peers' versions); -svg plots requests per
// client CPU-second, requests per second, and p50 and p99 latency per
// client with min–max whiskers across rounds.
//
// All traffic goes to loopback, every run is bounded in time, and only the
// processes this command started are signalled.
//
// Usage (from the benchmarks module):
//
//	go run ./cmd/clientbench [-duration 5s] [-conns 64] [-target mine=127.0.0.1:3000 -path /api] [-json out.json]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/zerohttp/zerohttp/benchmarks/internal/latency"
	"github.com/zerohttp/zerohttp/benchmarks/internal/machine"
	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
	"github.com/zerohttp/zerohttp/benchmarks/internal/progress"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
)

const defaultImpls = "zerohttp,zerohttp-send,zerohttp-agent,fasthttp,nethttp,bridge,node,compat,zerohttp-pipelined,floor"

// fixed is the built-in server's target name.
const fixed = "fixed"

type options struct {
	role, impl, addr string
	req              target.Request
	targets          []target.Target
	duration, warmup time.Duration
	conns, depth     int
	rounds           int
	impls            []string
	serverCPUs       []int // nil: unpinned
	clientCPUs       []int
	cpuprofile       string
	memprofile       string
}

// result is what a client run reports, as one JSON line.
type result struct {
	Impl     string  `json:"impl"`
	Reqs     int64   `json:"reqs"`
	Secs     float64 `json:"secs"`
	CPU      float64 `json:"cpu"` // client CPU seconds (user+system) in the window
	Allocs   float64 `json:"allocs"`
	Bytes    float64 `json:"bytes"`
	Errs     int64   `json:"errs"`
	FirstBad string  `json:"first_bad,omitempty"`
	// Lat holds the latencies of the window's requests, from the
	// client's process to the orchestrator, which turns them into
	// percentiles (round.fillLatency) and drops them.
	Lat *latency.Sparse `json:"lat,omitempty"`
}

func main() {
	var o options
	o.req = target.Default()
	o.req.Flags(flag.CommandLine)
	target.FlagVar(flag.CommandLine, &o.targets)
	flag.StringVar(&o.role, "role", "", "internal: server or client")
	flag.StringVar(&o.impl, "impl", "", "internal: client implementation")
	flag.StringVar(&o.addr, "addr", "", "internal: server address")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "measured time per client and round")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "warm-up time per client and round")
	flag.IntVar(&o.conns, "conns", 64, "keep-alive connections")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every client against every target once, and the table shows medians")
	flag.IntVar(&o.depth, "depth", 8, "requests in flight per connection in pipelined mode")
	impls := flag.String("impls", defaultImpls, "clients to run")
	serverCPUs := flag.String("server-cpus", "0", "CPU list for the server (\"0\", \"0-3\"; -1: unpinned); GOMAXPROCS and a command's {cores} follow")
	clientCPUs := flag.String("client-cpus", "1", "CPU list for each client (-1: unpinned); GOMAXPROCS follows")
	jsonOut := flag.String("json", "", "also write every round's figures and the machine's description as JSON to this file")
	csvOut := flag.String("csv", "", "also write every round's figures as CSV to this file")
	svgOut := flag.String("svg", "", "also write a plot to this file: req per client CPU-second, req/s and p50/p99 latency per client, with min–max whiskers across rounds")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "internal: write the client's CPU profile for the measured window")
	flag.StringVar(&o.memprofile, "memprofile", "", "internal: write the client's allocation profile (every allocation sampled)")
	flag.Parse()
	if runtime.NumCPU() >= 2 || *serverCPUs != "0" || *clientCPUs != "1" {
		var err error
		if o.serverCPUs, err = proc.ParseCPUs(*serverCPUs); err == nil {
			o.clientCPUs, err = proc.ParseCPUs(*clientCPUs)
		}
		if err != nil {
			fatalf("%v", err)
		}
	}
	switch {
	case o.rounds < 1 || o.rounds > 20:
		fatalf("-rounds must be in [1, 20]")
	case o.conns < 1 || o.conns > 10000 || o.depth < 1 || o.depth > 1000:
		fatalf("-conns must be in [1, 10000] and -depth in [1, 1000]")
	case o.duration <= 0 || o.duration > time.Minute || o.warmup < 0 || o.warmup > time.Minute:
		fatalf("-duration must be in (0, 1m] and -warmup in [0, 1m]")
	}
	if err := o.req.Check(); err != nil {
		fatalf("%v", err)
	}
	for _, impl := range strings.Split(*impls, ",") {
		if impl = strings.TrimSpace(impl); impl == "" {
			continue
		}
		if _, ok := clients[impl]; !ok && impl != "node" {
			fatalf("unknown client %q (known: %s)", impl, defaultImpls)
		}
		o.impls = append(o.impls, impl)
	}
	if o.memprofile != "" {
		runtime.MemProfileRate = 1
	}
	var err error
	switch o.role {
	case "server":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err = serve(ctx, o.addr)
	case "client":
		err = runClient(o)
	default:
		if len(o.impls) == 0 {
			fatalf("nothing to run: -impls is empty")
		}
		for _, t := range o.targets {
			if t.Name == fixed {
				fatalf("-target %s has the built-in server's name; pick another", t.Name)
			}
		}
		var rep *report
		if rep, err = orchestrate(o); err == nil {
			err = rep.write(o, *jsonOut, *csvOut, *svgOut)
			if err == nil && rep.failed() {
				os.Exit(1) // the tables show which replies were wrong
			}
		}
	}
	if err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "clientbench: "+format+"\n", args...)
	os.Exit(1)
}

// runClient runs one Go client in this process and prints its result. A
// client whose every connection failed during the warm-up reports its
// errors with no requests.
func runClient(o options) error {
	impl, ok := clients[o.impl]
	if !ok {
		return fmt.Errorf("unknown client %q", o.impl)
	}
	if _, err := target.Loopback(o.addr); err != nil {
		return err
	}
	stop := make(chan struct{})
	j := &job{addr: o.addr, conns: o.conns, depth: o.depth, req: o.req, stop: stop}
	done := make(chan error, 1)
	go func() { done <- impl(j) }()
	select {
	case err := <-done:
		if err == nil && j.errs.Load() == 0 {
			err = fmt.Errorf("client stopped during warm-up")
		}
		if err != nil {
			j.fail(err.Error())
		}
		return printResult(result{Impl: o.impl, Errs: j.errs.Load(), FirstBad: j.bad()})
	case <-time.After(o.warmup):
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
	}
	j.measuring.Store(true)
	cpu0, t0, n0 := cpuSelf(), time.Now(), j.n.Load()
	time.Sleep(o.duration)
	if o.cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	n1, t1, cpu1 := j.n.Load(), time.Now(), cpuSelf()
	j.measuring.Store(false)
	runtime.ReadMemStats(&ms1)
	lat := j.latencies().Sparse() // after the count: merging allocates
	if o.memprofile != "" {
		f, err := os.Create(o.memprofile)
		if err != nil {
			return err
		}
		pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	r := result{Impl: o.impl, Reqs: n1 - n0, Secs: t1.Sub(t0).Seconds(), CPU: cpu1 - cpu0, Errs: j.errs.Load(), FirstBad: j.bad(), Lat: &lat}
	if r.Reqs > 0 {
		r.Allocs = float64(ms1.Mallocs-ms0.Mallocs) / float64(r.Reqs)
		r.Bytes = float64(ms1.TotalAlloc-ms0.TotalAlloc) / float64(r.Reqs)
	}
	printResult(r)
	os.Exit(0) // do not wait for in-flight requests to drain
	return nil
}

func printResult(r result) error {
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	os.Stdout.Sync() // fails on a pipe, harmlessly
	return nil
}

func cpuSelf() float64 {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// orchestrate starts every target's server, then runs o.rounds rounds, each
// running every client against every server once. Interleaving spreads
// slow spells of this shared machine over all clients rather than one.
func orchestrate(o options) (*report, error) {
	if runtime.NumCPU() < 2 {
		o.serverCPUs, o.clientCPUs = nil, nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	targets := o.targets
	if len(targets) == 0 {
		targets = []target.Target{target.Builtin(fixed)}
	}
	builtin := func(_, addr string) (*exec.Cmd, error) {
		cmd := exec.Command(self, "-role", "server", "-addr", addr)
		cmd.Env = append(os.Environ(), gomaxprocs(o.serverCPUs))
		return cmd, nil
	}
	rep := &report{Machine: machine.Describe(self), Request: o.req.Describe(), Conns: o.conns, Depth: o.depth,
		Rounds: o.rounds, Warmup: o.warmup.String(), Duration: o.duration.String(), CPUs: [2][]int{o.serverCPUs, o.clientCPUs}}
	if la := proc.LoadAverage(); la > 0.5 {
		rep.Warning = fmt.Sprintf("the 1-minute load average was %.1f before the run: other processes share these CPUs, so absolute numbers are low and noisy; compare req per client CPU-s.", la)
	}
	servers := make([]*target.Server, len(targets))
	for i, t := range targets {
		s, err := target.Start(t, o.serverCPUs, builtin)
		for _, impl := range o.impls {
			set := series{Target: t.Name, Kind: t.Kind(), Client: impl}
			if err != nil {
				set.Skip = err.Error()
			}
			rep.Runs = append(rep.Runs, set)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "clientbench: target %s: %v\n", t.Name, err)
			continue
		}
		servers[i] = s
		defer s.Stop()
	}
	bar := progress.New("clientbench", o.rounds*len(targets)*len(o.impls))
	defer bar.Finish()
	for round := 1; round <= o.rounds; round++ {
		for i, t := range targets {
			for k, impl := range o.impls {
				set := &rep.Runs[i*len(o.impls)+k]
				if servers[i] == nil {
					continue
				}
				bar.Step(fmt.Sprintf("round %d/%d: %s → %s", round, o.rounds, impl, t.Name))
				r, err := benchClient(o, self, impl, servers[i])
				if err != nil {
					return nil, err
				}
				r.Round = round
				set.Rounds = append(set.Rounds, r)
			}
		}
	}
	for i := range rep.Runs {
		rep.Runs[i].summarise()
	}
	return rep, nil
}

// benchClient runs one client against s for a round; a client that reports
// no result, or any error, gives a failed round saying why.
func benchClient(o options, self, impl string, s *target.Server) (round, error) {
	var cmd *exec.Cmd
	if impl == "node" {
		if _, err := exec.LookPath("node"); err != nil {
			return round{Skip: "node not installed"}, nil
		}
		cmd = nodeCommand(o, &job{addr: s.Addr, conns: o.conns, req: o.req})
	} else {
		cmd = exec.Command(self, append([]string{"-role", "client", "-impl", impl, "-addr", s.Addr,
			"-conns", strconv.Itoa(o.conns), "-depth", strconv.Itoa(o.depth),
			"-duration", o.duration.String(), "-warmup", o.warmup.String()}, o.req.Args()...)...)
		cmd.Env = append(os.Environ(), gomaxprocs(o.clientCPUs))
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return round{}, err
	}
	pids := s.PIDs()
	srv0, t0 := proc.CPUSeconds(pids...), time.Now()
	if err := proc.StartPinned(cmd, o.clientCPUs); err != nil {
		return round{}, err
	}
	var r round
	var got bool
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if json.Unmarshal(sc.Bytes(), &r.result) == nil && r.Impl != "" {
			got = true
		}
	}
	io.Copy(io.Discard, out)
	cmd.Wait()
	switch {
	case !got:
		r.Skip = "the client reported nothing"
	case r.Errs > 0:
		r.Skip = fmt.Sprintf("%d errors; first bad reply: %s", r.Errs, r.FirstBad)
	case r.Reqs == 0 || r.Secs <= 0:
		r.Skip = "no requests in the measured window"
	}
	r.fillLatency()
	// Server CPU over the whole client run (warm-up included) per second
	// of it: an approximation of its utilisation during the window.
	if len(pids) > 0 {
		r.ServerCPU = (proc.CPUSeconds(pids...) - srv0) / time.Since(t0).Seconds()
	}
	return r, nil
}

// gomaxprocs returns the GOMAXPROCS setting for a process pinned to cpus:
// one per CPU, or one when unpinned, as the fixed comparison has always run.
func gomaxprocs(cpus []int) string {
	return "GOMAXPROCS=" + strconv.Itoa(max(1, len(cpus)))
}

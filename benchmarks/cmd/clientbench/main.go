// Command clientbench compares HTTP/1.1 clients on keep-alive connections to
// one fixed fast server: zerohttp's engine client (blocking Do per
// connection, asynchronous Send with its handler on the event loop, through
// agentpool, and pipelined), the same through compat (zerohttp's Node http
// API, running the node client's program), fasthttp's HostClient,
// net/http's Transport and Node's http with a keepAlive agent.
//
// The server (a gnet loop with a fixed response) runs pinned to -server-cpus
// (CPU 0) and each client in turn to -client-cpus (CPU 1), with GOMAXPROCS
// one per CPU of its list. The client is
// the bottleneck, so besides requests per second the table reports requests
// per client CPU-second, and for Go clients allocations per request.
//
// Usage:
//
//	go run ./cmd/clientbench -duration 5s -conns 64
package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
	"github.com/zerohttp/zerohttp/benchmarks/internal/progress"
)

type options struct {
	role, impl, addr string
	duration, warmup time.Duration
	conns, depth     int
	rounds           int
	impls            string
	serverCPUs       []int // nil: unpinned
	clientCPUs       []int
	cpuprofile       string
	memprofile       string
}

// result is what a client run reports, as one JSON line.
type result struct {
	Impl   string  `json:"impl"`
	Reqs   int64   `json:"reqs"`
	Secs   float64 `json:"secs"`
	CPU    float64 `json:"cpu"` // client CPU seconds (user+system) in the window
	Allocs float64 `json:"allocs"`
	Bytes  float64 `json:"bytes"`
	Errs   int64   `json:"errs"`
	SrvCPU float64 `json:"-"`
}

func main() {
	var o options
	flag.StringVar(&o.role, "role", "", "internal: server or client")
	flag.StringVar(&o.impl, "impl", "", "internal: client implementation")
	flag.StringVar(&o.addr, "addr", "", "internal: server address")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "measured time per client")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "warm-up time per client")
	flag.IntVar(&o.conns, "conns", 64, "keep-alive connections")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every client once, and the table shows each client's median round")
	flag.IntVar(&o.depth, "depth", 8, "requests in flight per connection in pipelined mode")
	flag.StringVar(&o.impls, "impls", "zerohttp,zerohttp-send,zerohttp-agent,fasthttp,nethttp,bridge,node,compat,zerohttp-pipelined", "clients to run")
	serverCPUs := flag.String("server-cpus", "0", "CPU list for the server (\"0\", \"0-3\"; -1: unpinned); GOMAXPROCS follows")
	clientCPUs := flag.String("client-cpus", "1", "CPU list for each client (-1: unpinned); GOMAXPROCS follows")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "internal: write the client's CPU profile for the measured window")
	flag.StringVar(&o.memprofile, "memprofile", "", "internal: write the client's allocation profile (every allocation sampled)")
	flag.Parse()
	if runtime.NumCPU() >= 2 || *serverCPUs != "0" || *clientCPUs != "1" {
		var err error
		if o.serverCPUs, err = proc.ParseCPUs(*serverCPUs); err == nil {
			o.clientCPUs, err = proc.ParseCPUs(*clientCPUs)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "clientbench:", err)
			os.Exit(2)
		}
	}
	if o.rounds < 1 || o.rounds > 20 {
		fmt.Fprintln(os.Stderr, "clientbench: -rounds must be in [1, 20]")
		os.Exit(2)
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
		err = orchestrate(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "clientbench:", err)
		os.Exit(1)
	}
}

// runClient runs one Go client in this process and prints its result.
func runClient(o options) error {
	impl, ok := clients[o.impl]
	if !ok {
		return fmt.Errorf("unknown client %q", o.impl)
	}
	var n, errs atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- impl(o.addr, o.conns, o.depth, stop, &n, &errs) }()
	select {
	case err := <-done:
		return fmt.Errorf("client stopped during warm-up: %v (errors %d)", err, errs.Load())
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
	cpu0, t0, n0 := cpuSelf(), time.Now(), n.Load()
	time.Sleep(o.duration)
	if o.cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	n1, t1, cpu1 := n.Load(), time.Now(), cpuSelf()
	runtime.ReadMemStats(&ms1)
	if o.memprofile != "" {
		f, err := os.Create(o.memprofile)
		if err != nil {
			return err
		}
		pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	r := result{Impl: o.impl, Reqs: n1 - n0, Secs: t1.Sub(t0).Seconds(), CPU: cpu1 - cpu0, Errs: errs.Load()}
	if r.Reqs > 0 {
		r.Allocs = float64(ms1.Mallocs-ms0.Mallocs) / float64(r.Reqs)
		r.Bytes = float64(ms1.TotalAlloc-ms0.TotalAlloc) / float64(r.Reqs)
	}
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	os.Stdout.Sync()
	os.Exit(0) // do not wait for in-flight requests to drain
	return nil
}

func cpuSelf() float64 {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

const nodeClient = `
const http = require('http');
const [port, conns, dur, warm] = process.argv.slice(1).map(Number);
const agent = new http.Agent({keepAlive: true, maxSockets: conns});
let n = 0, errs = 0;
function one() {
  http.get({host: '127.0.0.1', port, path: '/', agent}, res => {
    res.resume();
    res.on('end', () => { if (res.statusCode === 200) n++; else errs++; one(); });
  }).on('error', () => { errs++; setTimeout(one, 10); });
}
for (let i = 0; i < conns; i++) one();
setTimeout(() => {
  const n0 = n, c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  setTimeout(() => {
    const c = process.cpuUsage(c0);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(JSON.stringify({impl: 'node', reqs: n - n0, secs, cpu: (c.user + c.system) / 1e6, errs}));
    process.exit(0);
  }, dur);
}, warm);
`

func orchestrate(o options) error {
	if runtime.NumCPU() < 2 {
		o.serverCPUs, o.clientCPUs = nil, nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	addr, err := proc.FreeAddr()
	if err != nil {
		return err
	}
	srv := exec.Command(self, "-role", "server", "-addr", addr)
	srv.Env = append(os.Environ(), gomaxprocs(o.serverCPUs))
	srv.Stderr = os.Stderr
	if err := proc.StartPinned(srv, o.serverCPUs); err != nil {
		return err
	}
	defer func() {
		srv.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			srv.Process.Kill()
		}
	}()
	if err := proc.WaitListening(addr, nil, 5*time.Second); err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(addr)
	// Rounds interleave the clients, so that a slow spell of this shared
	// machine hits every client rather than one; each client's row is its
	// median round by requests per client CPU-second.
	impls := strings.Split(o.impls, ",")
	runs := make(map[string][]result)
	bar := progress.New("clientbench", o.rounds*len(impls))
	defer bar.Finish()
	for round := 1; round <= o.rounds; round++ {
		for _, impl := range impls {
			bar.Step(fmt.Sprintf("round %d/%d: %s", round, o.rounds, impl))
			r, ok, err := benchClient(o, self, impl, addr, port, srv)
			if err != nil {
				return err
			}
			if ok {
				runs[impl] = append(runs[impl], r)
			}
		}
	}
	var results []result
	for _, impl := range impls {
		if rs := runs[impl]; len(rs) > 0 {
			results = append(results, medianRun(rs))
		}
	}
	report(o, results)
	return nil
}

// benchClient runs one client against the server and returns its result; ok
// is false when the client reported nothing (or node is missing).
func benchClient(o options, self, impl, addr, port string, srv *exec.Cmd) (result, bool, error) {
	var cmd *exec.Cmd
	if impl == "node" {
		if _, err := exec.LookPath("node"); err != nil {
			fmt.Fprintln(os.Stderr, "clientbench: node not installed; skipped")
			return result{}, false, nil
		}
		cmd = exec.Command("node", "-e", nodeClient, port, strconv.Itoa(o.conns),
			strconv.Itoa(int(o.duration.Milliseconds())), strconv.Itoa(int(o.warmup.Milliseconds())))
	} else {
		cmd = exec.Command(self, "-role", "client", "-impl", impl, "-addr", addr,
			"-conns", strconv.Itoa(o.conns), "-depth", strconv.Itoa(o.depth),
			"-duration", o.duration.String(), "-warmup", o.warmup.String())
		cmd.Env = append(os.Environ(), gomaxprocs(o.clientCPUs))
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return result{}, false, err
	}
	srv0 := proc.CPUSeconds(srv.Process.Pid)
	if err := proc.StartPinned(cmd, o.clientCPUs); err != nil {
		return result{}, false, err
	}
	var r result
	sc := bufio.NewScanner(out)
	var got bool
	for sc.Scan() {
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Impl != "" {
			got = true
		}
	}
	cmd.Wait()
	if !got {
		fmt.Fprintf(os.Stderr, "clientbench: %s reported nothing\n", impl)
		return result{}, false, nil
	}
	// Server CPU over the whole client run (warm-up included) per second
	// of it: an approximation of its utilisation during the window.
	r.SrvCPU = (proc.CPUSeconds(srv.Process.Pid) - srv0) / (r.Secs + o.warmup.Seconds())
	return r, true, nil
}

// medianRun returns the run with the median requests per client CPU-second.
func medianRun(rs []result) result {
	perCPU := func(r result) float64 {
		if r.CPU <= 0 {
			return 0
		}
		return float64(r.Reqs) / r.CPU
	}
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b result) int { return cmp.Compare(perCPU(a), perCPU(b)) })
	return sorted[len(sorted)/2]
}

func report(o options, rs []result) {
	fmt.Printf("## Client benchmark\n\n%d keep-alive connections to a fixed gnet server pinned to CPUs %s; each client pinned to CPUs %s with GOMAXPROCS one per CPU; %v warm-up, %v measured; pipelined mode keeps %d requests in flight per connection; each row is the client's median of %d interleaved rounds by requests per client CPU-second.\n\n",
		o.conns, proc.FormatCPUs(o.serverCPUs), proc.FormatCPUs(o.clientCPUs), o.warmup, o.duration, o.depth, o.rounds)
	var base, nethttp float64
	for _, r := range rs {
		if r.Impl == "fasthttp" && r.CPU > 0 {
			base = float64(r.Reqs) / r.CPU
		}
		if r.Impl == "nethttp" && r.CPU > 0 {
			nethttp = float64(r.Reqs) / r.CPU
		}
	}
	fmt.Println("| client | req/s | client CPU | req per client CPU-s | vs fasthttp | vs net/http | server CPU | allocs/req | bytes/req | errors |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		perCPU := 0.0
		if r.CPU > 0 {
			perCPU = float64(r.Reqs) / r.CPU
		}
		ratio := func(b float64) string {
			if b == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2fx", perCPU/b)
		}
		allocs, bytes := "-", "-"
		if r.Impl != "node" {
			allocs, bytes = fmt.Sprintf("%.2f", r.Allocs), fmt.Sprintf("%.0f", r.Bytes)
		}
		fmt.Printf("| %s | %.0f | %.0f%% | %.0f | %s | %s | %.0f%% | %s | %s | %d |\n",
			r.Impl, float64(r.Reqs)/r.Secs, 100*r.CPU/r.Secs, perCPU, ratio(base), ratio(nethttp), 100*r.SrvCPU, allocs, bytes, r.Errs)
	}
}

// gomaxprocs returns the GOMAXPROCS setting for a process pinned to cpus:
// one per CPU, or one when unpinned, as the fixed comparison has always run.
func gomaxprocs(cpus []int) string {
	return "GOMAXPROCS=" + strconv.Itoa(max(1, len(cpus)))
}

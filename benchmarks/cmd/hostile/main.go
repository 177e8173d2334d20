// Command hostile points hostile clients at HTTP servers on loopback and
// reports, side by side, what the attack cost each server and whether it
// kept serving: slowloris heads, pipelined requests whose responses are
// left unread for 30 s at a time (then read, to check each was answered,
// and sent again), half-closes, resets
// in the middle of a body and oversized heads, all at once for -duration,
// while a probe sends a well-formed request every 100 ms.
//
// For each server it reports its RSS and open descriptors before, at the
// peak and -recover after the attack's end (and how soon the RSS came back
// within twice its start), its goroutines before and after (built-in
// servers, from their -debug-addr), the probes answered and the slowest,
// and each attack's counts. With -check, a named server fails the run
// (exit 1) if it stopped serving, lost more than 2% of the probes, left a
// well-formed request unanswered, kept more descriptors than it started
// with (beyond -fd-slack) or more goroutines (beyond -goroutine-slack), or
// its RSS did not come back within twice its start by -recover (or left it
// again); -max-rss-growth adds a cap on the peak (off by default: the peak
// is bounded by the server's configuration, MaxConns connections and its
// buffered input, and is printed). `make soak` runs it so.
// -attacks runs some attacks only, to measure one shape at a time.
//
// Built-in servers (cmd/server's -impl names) are built and started by this
// command, on a free loopback port, and stopped by their PID at the end.
// -target name=ADDR attacks a server already listening on loopback; add
// -pid name=PID to measure its memory and descriptors. Nothing but
// loopback addresses is accepted, every attack is bounded in connections,
// requests and time, and the command stops by itself.
//
// Usage (from the benchmarks module):
//
//	go run ./cmd/hostile [-impls zerohttp,compat,nethttp,fasthttp] [-duration 10s] [-attacks unread-large] [-check zerohttp]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zerohttp/zerohttp/benchmarks/internal/hostile"
	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
)

// limits are what -check holds a server to.
type limits struct {
	rssGrowthKB int64 // peak RSS over the start's; 0: no cap
	fdSlack     int   // descriptors kept after settling, over the start's
	goSlack     int   // goroutines kept after settling, over the start's
	probeLoss   float64
	recover     bool // the RSS must come back within 2x of its start and stay
}

// result is one server's run.
type result struct {
	name                     string
	rssBase, rssPeak, rssEnd int64         // KiB; 0 if unknown
	recovered                time.Duration // from the attack's end to RSS within 2x of rssBase; -1 if not seen
	fdBase, fdPeak, fdEnd    int           // -1 if unknown
	goBase, goEnd            int           // goroutines; -1 if unknown
	probe                    *hostile.Stats
	attacks                  []attackResult
	servingAfter             error // a fresh request after the attack
}

type attackResult struct {
	name string
	st   *hostile.Stats
}

func main() {
	impls := flag.String("impls", "zerohttp,compat,nethttp,fasthttp", "built-in servers of cmd/server to attack, comma-separated (empty for none)")
	var targets, pids multiFlag
	flag.Var(&targets, "target", "name=ADDR: also attack a server already listening on loopback (repeatable)")
	flag.Var(&pids, "pid", "name=PID: measure a -target's memory and descriptors from /proc (repeatable)")
	duration := flag.Duration("duration", 10*time.Second, "how long the attacks run against each server")
	recoverFor := flag.Duration("recover", 30*time.Second, "how long after the attack the RSS and descriptors are watched (RSS after is taken at its end)")
	only := flag.String("attacks", "", "run only these attacks, comma-separated (default: all)")
	check := flag.String("check", "", "servers whose bounds fail the run, comma-separated")
	growth := flag.Int64("max-rss-growth", 0, "-check: MiB the peak RSS may exceed the start's by (0: no cap)")
	fdSlack := flag.Int("fd-slack", 16, "-check: descriptors a server may hold after settling beyond its start")
	goSlack := flag.Int("goroutine-slack", 16, "-check: goroutines a server may have after settling beyond its start")
	idleConns := flag.Int("idle", hostile.DefaultSizes.Idle, "keep-alive connections the idle attack holds open (each reopened when the server closes it)")
	flag.Parse()
	if *idleConns < 0 {
		fatalf("-idle must be >= 0")
	}
	raiseFileLimit()
	if *duration <= 0 || *duration > time.Hour {
		fatalf("-duration must be in (0, 1h]")
	}
	if *growth < 0 || *fdSlack < 0 || *goSlack < 0 {
		fatalf("-max-rss-growth, -fd-slack and -goroutine-slack must be >= 0")
	}
	lim := limits{rssGrowthKB: *growth << 10, fdSlack: *fdSlack, goSlack: *goSlack, probeLoss: 0.02, recover: true}
	run := runSpec{duration: *duration, recover: *recoverFor, sz: hostile.DefaultSizes}
	run.sz.Idle = *idleConns
	if *only != "" {
		run.only = map[string]bool{}
		for _, a := range strings.Split(*only, ",") {
			run.only[strings.TrimSpace(a)] = true
		}
		for a := range run.only {
			if !hostile.IsAttack(a) {
				fatalf("-attacks: no attack %q (have %s)", a, attackNames())
			}
		}
	}

	var builtins []string
	for _, s := range strings.Split(*impls, ",") {
		if s = strings.TrimSpace(s); s != "" {
			builtins = append(builtins, s)
		}
	}
	pidOf := map[string]int{}
	for _, p := range pids {
		name, v, _ := strings.Cut(p, "=")
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			fatalf("-pid wants name=PID, got %q", p)
		}
		pidOf[name] = n
	}
	var tgts []target.Target
	for _, s := range targets {
		t, err := target.Parse(s)
		if err != nil || t.Addr == "" {
			fatalf("-target wants name=ADDR on loopback, got %q (%v)", s, err)
		}
		tgts = append(tgts, t)
	}

	var results []result
	if len(builtins) > 0 {
		dir, err := os.MkdirTemp("", "hostile")
		if err != nil {
			fatalf("%v", err)
		}
		defer os.RemoveAll(dir)
		bin := filepath.Join(dir, "server")
		b := exec.Command("go", "build", "-o", bin, "./cmd/server")
		b.Stdout, b.Stderr = os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			os.RemoveAll(dir)
			fatalf("building cmd/server (run from the benchmarks module): %v", err)
		}
		for _, impl := range builtins {
			fmt.Fprintf(os.Stderr, "hostile: %s\n", impl)
			r, err := runBuiltin(bin, impl, run)
			if err != nil {
				fmt.Fprintf(os.Stderr, "hostile: %s: %v\n", impl, err)
				r = result{name: impl, servingAfter: err, fdBase: -1, fdPeak: -1, fdEnd: -1, goBase: -1, goEnd: -1, probe: new(hostile.Stats)}
			}
			results = append(results, r)
		}
	}
	for _, t := range tgts {
		fmt.Fprintf(os.Stderr, "hostile: %s\n", t.Name)
		results = append(results, attack(t.Name, t.Addr, pidOf[t.Name], "", run))
	}

	fmt.Printf("## Hostile clients\n\nEach server attacked for %v by these attacks at once: %s; then watched for %v; sizes: %+v.\n\n",
		*duration, run.names(), *recoverFor, run.sz)
	writeTables(os.Stdout, results)
	failed := false
	for _, name := range strings.Split(*check, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		found := false
		for _, r := range results {
			if r.name == name {
				found = true
				for _, p := range r.problems(lim) {
					fmt.Fprintf(os.Stderr, "hostile: FAIL %s: %s\n", name, p)
					failed = true
				}
			}
		}
		if !found {
			fmt.Fprintf(os.Stderr, "hostile: FAIL -check %s: no such server in this run\n", name)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// runSpec is what to run against each server.
type runSpec struct {
	duration, recover time.Duration
	sz                hostile.Sizes
	only              map[string]bool // nil: every attack
	untilSettled      bool            // stop watching once the descriptors are back (tests)
}

// attacks returns the attacks to run.
func (rs runSpec) attacks() []hostile.Attack {
	var out []hostile.Attack
	for _, a := range hostile.Attacks(rs.sz) {
		if rs.only == nil || rs.only[a.Name] {
			out = append(out, a)
		}
	}
	return out
}

func (rs runSpec) names() string {
	var names []string
	for _, a := range rs.attacks() {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}

// runBuiltin starts cmd/server -impl impl, attacks it and stops it.
func runBuiltin(bin, impl string, run runSpec) (result, error) {
	addr, err := proc.FreeAddr()
	if err != nil {
		return result{}, err
	}
	debugAddr, err := proc.FreeAddr()
	if err != nil {
		return result{}, err
	}
	cmd := exec.Command(bin, "-impl", impl, "-addr", addr, "-debug-addr", debugAddr)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	logs := &cappedWriter{max: 2 << 10}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer proc.StopProcess(cmd, exited)
	if err := proc.WaitListening(addr, exited, 10*time.Second); err != nil {
		return result{}, err
	}
	r := attack(impl, addr, cmd.Process.Pid, debugAddr, run)
	if n, head := logs.summary(); n > 0 {
		fmt.Fprintf(os.Stderr, "hostile: %s logged %d bytes during the attack; the first lines:\n%s\n", impl, n, head)
	}
	return r, nil
}

// cappedWriter keeps the first max bytes written to it and counts the rest.
type cappedWriter struct {
	mu  sync.Mutex
	max int
	b   []byte
	n   int
}

func (w *cappedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n += len(p)
	if room := w.max - len(w.b); room > 0 {
		w.b = append(w.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// summary returns the bytes written and the first of them.
func (w *cappedWriter) summary() (int, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n, string(w.b)
}

// attack runs the attacks and the probe against addr for run.duration, then
// watches the server for run.recover, measuring pid (if not 0) throughout
// and counting its goroutines at debugAddr (if not "").
func attack(name, addr string, pid int, debugAddr string, run runSpec) result {
	r := result{name: name, probe: new(hostile.Stats), fdBase: -1, fdPeak: -1, fdEnd: -1, goBase: -1, goEnd: -1, recovered: -1}
	// Warm up: the first request's buffers, and the large body a server
	// builds once, count as the start.
	hostile.Get(addr, 5*time.Second)
	if n := run.sz.MaxBody(); n > 0 {
		hostile.GetBytes(addr, n, 10*time.Second)
	}
	time.Sleep(200 * time.Millisecond)
	r.rssBase, r.fdBase = measure(pid)
	r.rssPeak, r.fdPeak = r.rssBase, r.fdBase
	r.goBase = goroutines(debugAddr)

	ctx, cancel := context.WithTimeout(context.Background(), run.duration)
	defer cancel()
	sampled := make(chan struct{})
	sampling, stopSampling := context.WithCancel(context.Background())
	go func() {
		defer close(sampled)
		for {
			rss, fds := measure(pid)
			r.rssPeak, r.fdPeak = max(r.rssPeak, rss), max(r.fdPeak, fds)
			select {
			case <-sampling.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	wg.Go(func() { hostile.Probe(ctx, addr, 100*time.Millisecond, r.probe) })
	for _, a := range run.attacks() {
		ar := attackResult{name: a.Name, st: new(hostile.Stats)}
		r.attacks = append(r.attacks, ar)
		wg.Go(func() { a.Run(ctx, addr, ar.st) })
	}
	wg.Wait() // the unread connections read what they are owed after ctx ends
	stopSampling()
	<-sampled

	// Recover: watch the RSS come back, for run.recover from the end.
	ended := time.Now()
	r.servingAfter = hostile.Get(addr, 5*time.Second)
	for {
		rss, _ := measure(pid)
		if r.recovered < 0 && rss > 0 && rss <= 2*r.rssBase {
			r.recovered = time.Since(ended)
		}
		if time.Since(ended) >= run.recover {
			break
		}
		if _, fds := measure(pid); run.untilSettled && fds <= r.fdBase {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	r.rssEnd, r.fdEnd = measure(pid)
	r.goEnd = goroutines(debugAddr)
	return r
}

// goroutines returns the goroutines of the server whose net/http/pprof is
// at debugAddr, or -1.
func goroutines(debugAddr string) int {
	if debugAddr == "" {
		return -1
	}
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + debugAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	var n int
	if _, err := fmt.Sscanf(line, "goroutine profile: total %d", &n); err != nil {
		return -1
	}
	return n
}

// measure returns pid's RSS in KiB and its open descriptors, or 0 and -1.
func measure(pid int) (rssKB int64, fds int) {
	if pid <= 0 {
		return 0, -1
	}
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0, -1
	}
	return proc.MemKB("VmRSS", pid), len(ents)
}

// problems lists the ways r broke lim.
func (r result) problems(lim limits) []string {
	var out []string
	if r.servingAfter != nil {
		out = append(out, fmt.Sprintf("a fresh request after the attack failed: %v", r.servingAfter))
	}
	if sent, failed := r.probe.Sent.Load(), r.probe.Failed.Load(); sent == 0 || float64(failed) > lim.probeLoss*float64(sent) {
		out = append(out, fmt.Sprintf("%d of %d probes during the attack failed", failed, sent))
	}
	for _, a := range r.attacks {
		if f := a.st.Failed.Load(); f > 0 {
			out = append(out, fmt.Sprintf("%s: %d well-formed requests unanswered (or an oversized head accepted)", a.name, f))
		}
	}
	// A count known before the attack and not after means the server could
	// not be measured (gone, or its debug server stuck): not a pass.
	if r.fdBase >= 0 && (r.fdEnd < 0 || r.fdEnd > r.fdBase+lim.fdSlack) {
		out = append(out, fmt.Sprintf("%s descriptors open after settling, %d before the attack", count(r.fdEnd), r.fdBase))
	}
	if r.goBase >= 0 && (r.goEnd < 0 || r.goEnd > r.goBase+lim.goSlack) {
		out = append(out, fmt.Sprintf("%s goroutines after settling, %d before the attack", count(r.goEnd), r.goBase))
	}
	if lim.recover && r.rssBase > 0 && (r.recovered < 0 || r.rssEnd <= 0 || r.rssEnd > 2*r.rssBase) {
		out = append(out, fmt.Sprintf("RSS did not come back within 2x of its start (%d MiB) and stay: %d MiB at the end", r.rssBase>>10, r.rssEnd>>10))
	}
	if lim.rssGrowthKB > 0 && r.rssBase > 0 && r.rssPeak-r.rssBase > lim.rssGrowthKB {
		out = append(out, fmt.Sprintf("RSS grew by %d MiB (from %d MiB), over the bound of %d MiB", (r.rssPeak-r.rssBase)>>10, r.rssBase>>10, lim.rssGrowthKB>>10))
	}
	return out
}

func attackNames() string {
	var names []string
	for _, a := range hostile.Attacks(hostile.DefaultSizes) {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "hostile: "+format+"\n", args...)
	os.Exit(1)
}

// raiseFileLimit lifts the soft descriptor limit to the hard one, for this
// process and the servers it starts (which inherit it): 10,000 idle
// connections need as many descriptors on each side.
func raiseFileLimit() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil || l.Cur >= l.Max {
		return
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		fmt.Fprintf(os.Stderr, "hostile: raising the descriptor limit: %v\n", err)
	}
}

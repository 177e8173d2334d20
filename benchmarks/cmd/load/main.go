// Command load is a small HTTP/1.1 load generator for loopback (localhost,
// 127.0.0.0/8, [::1]), built in so that the server benchmark needs nothing
// installed.
//
// It opens -conns keep-alive connections and on each sends the same request
// (-method, -path, -header, -body) over and over: one at a time
// (-mode keepalive) or -depth at once (-mode pipeline). Responses are framed
// by Content-Length or chunked encoding, and each must have the status
// -expect-status (and, if given, the body -expect-body): any other reply is
// counted as an error, by status, and the first one is shown. Only expected
// replies count towards req/s. The hot loop does not allocate: requests are
// precomputed bytes, each connection reads into its own fixed buffer and
// records latencies in its own histogram.
//
// Latency is measured from writing a batch to reading each of its responses,
// so in pipeline mode it includes the wait behind earlier requests in the batch.
//
// Usage:
//
//	load -addr 127.0.0.1:8080 -conns 64 -mode keepalive -duration 5s
//	load -addr localhost:3000 -method POST -path /api -header 'Content-Type: application/json' -body '{}' -expect-status 201
//
// With -json it prints "start" when the warm-up ends and measuring begins, and
// then the result as one JSON object (cmd/serverbench reads both).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerohttp/zerohttp/benchmarks/internal/latency"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
)

// maxDuration bounds every run, whatever the flags say.
const maxDuration = 5 * time.Minute

type config struct {
	addr     string
	conns    int
	depth    int // requests per batch: 1 in keepalive mode
	warmup   time.Duration
	duration time.Duration
	requests int64 // stop after this many measured requests; 0 means no limit
	req      target.Request
}

// Result is the outcome of one run. Latencies are in microseconds.
type Result struct {
	Mode     string  `json:"mode"`
	Conns    int     `json:"conns"`
	Depth    int     `json:"depth"`
	Requests uint64  `json:"requests"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"rps"`
	P50us    float64 `json:"p50_us"`
	P99us    float64 `json:"p99_us"`
	Errors   int64   `json:"errors"` // bad replies plus connections that failed

	BadReplies uint64            `json:"bad_replies"`
	BadStatus  map[string]uint64 `json:"bad_status,omitempty"` // "404": count; "other" for codes outside 100-599
	FirstBad   string            `json:"first_bad,omitempty"`  // the first bad reply's opening bytes
	ErrorMsg   string            `json:"error,omitempty"`
}

func main() {
	var c config
	mode := flag.String("mode", "keepalive", "keepalive (one request in flight per connection) or pipeline")
	flag.StringVar(&c.addr, "addr", "127.0.0.1:8080", "server address; must be localhost, 127.0.0.0/8 or [::1]")
	flag.IntVar(&c.conns, "conns", 64, "connections")
	flag.IntVar(&c.depth, "depth", 16, "requests per batch in pipeline mode")
	flag.DurationVar(&c.warmup, "warmup", 0, "run this long before measuring")
	flag.DurationVar(&c.duration, "duration", 5*time.Second, "measure this long")
	flag.Int64Var(&c.requests, "requests", 0, "stop after this many measured requests (0: no limit)")
	asJSON := flag.Bool("json", false, `print "start" when measuring begins and the result as JSON`)
	c.req = target.Default()
	c.req.Flags(flag.CommandLine)
	flag.Parse()
	if err := c.req.Check(); err != nil {
		fatalf("%v", err)
	}

	switch *mode {
	case "keepalive":
		c.depth = 1
	case "pipeline":
		if c.depth < 1 || c.depth > 1024 {
			fatalf("-depth must be in [1, 1024]")
		}
	default:
		fatalf("unknown -mode %q", *mode)
	}
	addr, err := target.Loopback(c.addr)
	if err != nil {
		fatalf("-addr: %v", err)
	}
	c.addr = addr
	if c.conns < 1 || c.conns > 10000 {
		fatalf("-conns must be in [1, 10000]")
	}
	if c.duration <= 0 || c.warmup < 0 || c.warmup+c.duration > maxDuration {
		fatalf("-warmup plus -duration must be positive and at most %v", maxDuration)
	}

	var onStart func()
	if *asJSON {
		onStart = func() { fmt.Println("start") }
	}
	res, err := run(c, onStart)
	res.Mode = *mode
	if err != nil {
		res.ErrorMsg = err.Error()
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(res)
	} else {
		fmt.Printf("%s: %d conns, depth %d: %.0f req/s over %.2fs, p50 %.0fµs, p99 %.0fµs, %d errors\n",
			res.Mode, res.Conns, res.Depth, res.RPS, res.Seconds, res.P50us, res.P99us, res.Errors)
		if res.BadReplies > 0 {
			fmt.Printf("%d replies were not the expected %d (by status: %v); the first began:\n%s\n",
				res.BadReplies, c.req.Status, res.BadStatus, res.FirstBad)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	if err != nil || res.Errors > 0 {
		os.Exit(1)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "load: "+format+"\n", args...)
	os.Exit(2)
}

// worker is one connection's state; it is touched only by its goroutine.
type worker struct {
	hist    latency.Histogram
	count   uint64 // measured expected replies
	rc      *respCounter
	lastErr error
}

// run dials every connection first, then starts them together, so dialing is
// never measured. onStart, if not nil, is called when measuring begins.
func run(c config, onStart func()) (Result, error) {
	res := Result{Conns: c.conns, Depth: c.depth}
	req := c.req.Bytes(c.addr)
	want := expectation{status: c.req.Status, body: []byte(c.req.ExpectBody), checkBody: c.req.CheckBody, noBody: c.req.Head()}
	batch := make([]byte, 0, len(req)*c.depth)
	for range c.depth {
		batch = append(batch, req...)
	}

	conns := make([]*net.TCPConn, 0, c.conns)
	defer func() {
		for _, cn := range conns {
			cn.Close()
		}
	}()
	d := net.Dialer{Timeout: 2 * time.Second}
	for range c.conns {
		cn, err := d.Dial("tcp", c.addr)
		if err != nil {
			return res, err
		}
		conns = append(conns, cn.(*net.TCPConn))
	}

	var (
		remaining atomic.Int64 // measured requests left when c.requests > 0
		errs      atomic.Int64
		wg        sync.WaitGroup
	)
	remaining.Store(c.requests)
	workers := make([]worker, len(conns))
	for i := range workers {
		workers[i].rc = newRespCounter(64<<10, want)
	}
	start := time.Now()
	measureFrom := start.Add(c.warmup)
	stop := measureFrom.Add(c.duration)
	// Each connection checks the clock after every batch; a connection that
	// stalls is bounded by its read deadline.
	for i, cn := range conns {
		wg.Go(func() {
			w := &workers[i]
			if err := w.loop(cn, batch, c, measureFrom, stop, &remaining); err != nil {
				w.lastErr = err
				errs.Add(1)
			}
		})
	}
	if onStart != nil {
		time.Sleep(time.Until(measureFrom))
		onStart()
	}
	wg.Wait()
	// Responses count only up to stop, so the window ends there too, not
	// when the last straggling batch came back.
	end := time.Now()
	if end.After(stop) {
		end = stop
	}
	elapsed := end.Sub(measureFrom)

	var all latency.Histogram
	var firstErr error
	for i := range workers {
		w := &workers[i]
		all.Merge(&w.hist)
		res.Requests += w.count
		if firstErr == nil {
			firstErr = w.lastErr
		}
		for s, n := range w.rc.badStatus {
			if n == 0 {
				continue
			}
			if res.BadStatus == nil {
				res.BadStatus = map[string]uint64{}
			}
			k := "other"
			if s > 0 {
				k = strconv.Itoa(s)
			}
			res.BadStatus[k] += n
			res.BadReplies += n
		}
		if res.FirstBad == "" && w.rc.badLen > 0 {
			res.FirstBad = string(w.rc.badFirst[:w.rc.badLen])
		}
	}
	res.Seconds = elapsed.Seconds()
	res.RPS = float64(res.Requests) / res.Seconds
	res.P50us = float64(all.Quantile(0.50)) / 1e3
	res.P99us = float64(all.Quantile(0.99)) / 1e3
	res.Errors = errs.Load() + int64(res.BadReplies)
	if res.Requests == 0 && firstErr == nil {
		firstErr = errors.New("load: no expected replies")
		if res.BadReplies > 0 {
			firstErr = fmt.Errorf("load: all %d replies were bad, the first: %.80q", res.BadReplies, res.FirstBad)
		}
	}
	return res, firstErr
}

// loop sends batches on cn until stop, or until the request budget is spent.
func (w *worker) loop(cn *net.TCPConn, batch []byte, c config, measureFrom, stop time.Time, remaining *atomic.Int64) error {
	rc := w.rc
	// A dead server must not hang the run: no read may outlast the run's end
	// by more than a few seconds.
	cn.SetDeadline(stop.Add(5 * time.Second))
	for {
		t0 := time.Now()
		if !t0.Before(stop) {
			return nil
		}
		if c.requests > 0 && !t0.Before(measureFrom) && remaining.Add(-int64(c.depth)) < 0 {
			return nil
		}
		if _, err := cn.Write(batch); err != nil {
			return err
		}
		for got := 0; got < c.depth; {
			buf, err := rc.space()
			if err != nil {
				return err
			}
			n, err := cn.Read(buf)
			if err != nil {
				return err
			}
			k, bad, err := rc.add(n)
			if err != nil {
				return err
			}
			got += k + bad
			if k == 0 {
				continue
			}
			// A response counts when it completes inside the measured window,
			// so a batch that straddles the warm-up's end is not lost.
			if now := time.Now(); !now.Before(measureFrom) && !now.After(stop) {
				w.hist.RecordN(now.Sub(t0).Nanoseconds(), uint64(k))
				w.count += uint64(k)
			}
		}
	}
}

package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/zerohttp/zerohttp/benchmarks/internal/latency"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
)

// job is one client run: conns keep-alive connections to addr sending req
// over and over until stop is closed. Every reply with req's status (and
// body, if checked) counts in n; anything else, a failed request included,
// counts in errs, and the first is kept to be shown.
type job struct {
	addr  string
	conns int
	depth int // requests in flight per connection, for the pipelined client
	req   target.Request
	stop  <-chan struct{}

	n, errs  atomic.Int64
	firstBad atomic.Pointer[string]

	// Latencies are recorded while measuring is set, each worker into
	// hists[worker%len(hists)]: its own unless there are more than
	// maxHists workers, which then share one in maxHists (16 KiB each).
	measuring atomic.Bool
	histsMu   sync.Mutex
	hists     []*latency.Histogram
}

// maxHists bounds the histograms of a job: 64 workers each have their own,
// while 10,000 connections do not take 160 MiB.
const maxHists = 64

// hist returns worker i's histogram. Called when the worker is set up.
func (j *job) hist(i int) *latency.Histogram {
	j.histsMu.Lock()
	defer j.histsMu.Unlock()
	if j.hists == nil {
		j.hists = make([]*latency.Histogram, min(max(j.conns, 1), maxHists))
	}
	k := i % len(j.hists)
	if j.hists[k] == nil {
		j.hists[k] = new(latency.Histogram)
	}
	return j.hists[k]
}

// observe records the latency of a request sent at t0 (a latency.Now
// reading) into h if the window is being measured.
func (j *job) observe(h *latency.Histogram, t0 int64) {
	if j.measuring.Load() {
		h.Since(t0)
	}
}

// latencies returns every worker's latencies merged.
func (j *job) latencies() *latency.Histogram {
	j.histsMu.Lock()
	defer j.histsMu.Unlock()
	all := new(latency.Histogram)
	for _, h := range j.hists {
		if h != nil {
			all.Merge(h)
		}
	}
	return all
}

// check counts a reply and reports whether it was the expected one.
func (j *job) check(status int, body []byte) bool {
	if status == j.req.Status && (!j.req.CheckBody || string(body) == j.req.ExpectBody) {
		j.n.Add(1)
		return true
	}
	j.fail(fmt.Sprintf("status %d, body %.80q", status, body))
	return false
}

// fail counts a request that got no expected reply.
func (j *job) fail(why string) {
	j.errs.Add(1)
	j.firstBad.CompareAndSwap(nil, &why)
}

func (j *job) bad() string {
	if p := j.firstBad.Load(); p != nil {
		return *p
	}
	return ""
}

func (j *job) stopped() bool {
	select {
	case <-j.stop:
		return true
	default:
		return false
	}
}

// hostPort splits the address for the clients that take them apart.
func (j *job) hostPort() (string, int) {
	h, p, _ := net.SplitHostPort(j.addr)
	n, _ := strconv.Atoi(p)
	return h, n
}

func (j *job) url() string { return "http://" + j.addr + j.req.Path }

// fields returns the request's headers as names and values.
func (j *job) fields() [][2]string {
	var f [][2]string
	for _, h := range j.req.Header {
		name, value, _ := strings.Cut(h, ":")
		f = append(f, [2]string{name, strings.TrimSpace(value)})
	}
	return f
}

// headerMap returns the headers as the map Node's API takes (nil when
// none), a repeated name's values joined with ", ".
func (j *job) headerMap() map[string]string {
	var m map[string]string
	for _, f := range j.fields() {
		if m == nil {
			m = map[string]string{}
		}
		if v, ok := m[f[0]]; ok {
			m[f[0]] = v + ", " + f[1]
		} else {
			m[f[0]] = f[1]
		}
	}
	return m
}

// drive runs each step in a loop on its own goroutine until stop is closed,
// timing each call into the goroutine's histogram. A step reports whether
// its request got the expected reply (counted by check or fail); one that
// did not ends its goroutine, so that a refused connection does not spin.
// drive returns when every goroutine has ended.
func (j *job) drive(steps []func() bool) {
	var wg sync.WaitGroup
	for i, step := range steps {
		h := j.hist(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !j.stopped() {
				t0 := latency.Now()
				if !step() {
					return
				}
				j.observe(h, t0)
			}
		}()
	}
	wg.Wait()
}

package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/benchmarks/internal/hostile"
	"github.com/zerohttp/zerohttp/engine"
)

// TestSoakSmoke runs every attack briefly against an engine server in this
// process and holds it to the soak's bounds: it keeps serving, answers
// every well-formed request (the unread ones once read, the half-closed
// ones), and the descriptors come back. The process is both client and
// server, so its descriptors count both sides.
func TestSoakSmoke(t *testing.T) {
	s := engine.NewServer(func(w *engine.Response, r *engine.Request) {
		if n, ok := strings.CutPrefix(string(r.Path()), "/bytes/"); ok {
			size, _ := strconv.Atoi(n)
			w.Write(make([]byte, size)) // as cmd/server's route, but whole
			return
		}
		w.WriteString("Hello, World!")
	}, &engine.Options{NumLoops: 2})
	if err := s.Start("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sz := hostile.Sizes{Slowloris: 20, Unread: 4, UnreadReqs: 4096, HalfClose: 2, ResetMid: 2, OversizeHead: 1, Idle: 50, Malformed: 1,
		UnreadLarge: 2, UnreadLargeReqs: 8, LargeBody: 256 << 10, ResetLarge: 2, ResetBody: 128 << 10, ResetAfter: 16 << 10, UnreadHold: 400 * time.Millisecond}
	r := attack("zerohttp", s.Addr().String(), os.Getpid(), "", runSpec{duration: 1500 * time.Millisecond, recover: 5 * time.Second, sz: sz, untilSettled: true})
	for _, a := range r.attacks {
		if a.st.Sent.Load() == 0 {
			t.Errorf("%s sent nothing", a.name)
		}
	}
	for _, name := range []string{"unread-pipelined", "half-close", "unread-large", "reset-large"} {
		for _, a := range r.attacks {
			if a.name == name && a.st.Answered.Load() == 0 {
				t.Errorf("%s: nothing answered", name)
			}
		}
	}
	if p := r.problems(limits{rssGrowthKB: 512 << 10, fdSlack: 16, goSlack: 16, probeLoss: 0.5}); len(p) > 0 {
		t.Fatalf("the engine broke the soak's bounds:\n%s", strings.Join(p, "\n"))
	}
}

// TestProblems checks that -check catches each way a server can fail: a
// case fails if its check is removed.
func TestProblems(t *testing.T) {
	lim := limits{fdSlack: 16, goSlack: 4, probeLoss: 0.02, recover: true}
	capped := lim
	capped.rssGrowthKB = 64 << 10
	ok := func() result {
		p := new(hostile.Stats)
		p.Sent.Store(100)
		p.Answered.Store(99) // within the 2% allowed
		p.Failed.Store(1)
		return result{name: "s", rssBase: 10 << 10, rssPeak: 500 << 10, rssEnd: 20 << 10, recovered: time.Second,
			fdBase: 10, fdEnd: 26, goBase: 5, goEnd: 9, probe: p,
			attacks: []attackResult{{"unread-pipelined", new(hostile.Stats)}}}
	}
	if p := ok().problems(lim); len(p) != 0 {
		t.Fatalf("a healthy run (peak 50x its start, no cap): %v; want no problems", p)
	}
	if p := ok().problems(capped); len(p) != 1 || !strings.Contains(p[0], "RSS grew") {
		t.Errorf("a peak 490 MiB over its start with -max-rss-growth 64: problems = %q; want one about \"RSS grew\"", p)
	}
	for _, tt := range []struct {
		name    string
		breakIt func(*result)
		want    string
	}{
		{"not serving", func(r *result) { r.servingAfter = context.DeadlineExceeded }, "fresh request"},
		{"probes lost", func(r *result) { r.probe.Failed.Store(3) }, "probes"},
		{"no probes", func(r *result) { r.probe = new(hostile.Stats) }, "probes"},
		{"unanswered", func(r *result) { r.attacks[0].st.Failed.Store(1) }, "unanswered"},
		{"fd leak", func(r *result) { r.fdEnd = 27 }, "descriptors"},
		{"fds unknown after", func(r *result) { r.fdEnd = -1 }, "descriptors"},
		{"rss never back", func(r *result) { r.recovered = -1 }, "within 2x"},
		{"rss back, then over 2x", func(r *result) { r.rssEnd = 21 << 10 }, "within 2x"},
		{"rss unknown after", func(r *result) { r.rssEnd = 0 }, "within 2x"},
		{"goroutine leak", func(r *result) { r.goEnd = 10 }, "goroutines"},
		{"goroutines unknown after", func(r *result) { r.goEnd = -1 }, "goroutines"},
	} {
		r := ok()
		tt.breakIt(&r)
		p := r.problems(lim)
		if len(p) != 1 || !strings.Contains(p[0], tt.want) {
			t.Errorf("%s: problems = %q; want one about %q", tt.name, p, tt.want)
		}
	}
}

package progress

import (
	"strings"
	"testing"
	"time"
)

func TestETA(t *testing.T) {
	for _, tt := range []struct {
		elapsed     time.Duration
		done, total int
		want        time.Duration
	}{
		{10 * time.Second, 1, 4, 30 * time.Second},
		{10 * time.Second, 2, 4, 10 * time.Second},
		{10 * time.Second, 4, 4, 0},
		{10 * time.Second, 0, 4, 0},
		{1500 * time.Millisecond, 1, 2, 2 * time.Second},
	} {
		if got := ETA(tt.elapsed, tt.done, tt.total); got != tt.want {
			t.Errorf("ETA(%v, %d, %d) = %v; want %v", tt.elapsed, tt.done, tt.total, got, tt.want)
		}
	}
}

func TestLine(t *testing.T) {
	var b strings.Builder
	clock := time.Unix(0, 0)
	l := &Line{w: &b, name: "bench", total: 3, start: clock, now: func() time.Time { return clock }}
	l.Step("round 1: a")
	clock = clock.Add(20 * time.Second)
	l.Step("round 1: b")
	want := "bench: 1/3 round 1: a\nbench: 2/3 round 1: b, about 40s left\n"
	if b.String() != want {
		t.Fatalf("log output %q; want %q", b.String(), want)
	}
	b.Reset()
	l.inPlace = true
	l.Step("round 2: a")
	l.Finish()
	if got := b.String(); got != "\r\x1b[Kbench: 3/3 round 2: a, about 10s left\n" {
		t.Fatalf("terminal output %q", got)
	}
}

package engine

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

type fired struct {
	t   timer
	at  int64
	cnt int
}

func (f *fired) expire(now int64) { f.at, f.cnt = now, f.cnt+1 }

func TestWheel(t *testing.T) {
	var w wheel
	w.init(10, 1000)
	var a, b, c, d fired
	for _, f := range []*fired{&a, &b, &c, &d} {
		f.t.f = f
	}
	w.schedule(&a.t, 1050)
	w.schedule(&b.t, 1050)
	w.schedule(&b.t, 1200)                 // later: lazy, a field write
	w.schedule(&c.t, 1000+10*wheelSlots*3) // several revolutions out
	w.schedule(&d.t, 1100)
	w.schedule(&d.t, 1020) // earlier: relinked
	w.advance(1030)
	if d.cnt != 1 || a.cnt != 0 {
		t.Fatalf("at 1030: d fired %d, a fired %d", d.cnt, a.cnt)
	}
	w.advance(1060)
	if a.cnt != 1 || b.cnt != 0 {
		t.Fatalf("at 1060: a fired %d, b fired %d", a.cnt, b.cnt)
	}
	w.advance(1210)
	if b.cnt != 1 || b.at != 1210 {
		t.Fatalf("at 1210: b fired %d at %d", b.cnt, b.at)
	}
	// A long gap between advances visits every slot once.
	w.advance(1000 + 10*wheelSlots*3 - 5)
	if c.cnt != 0 {
		t.Fatal("c fired early")
	}
	w.advance(1000 + 10*wheelSlots*3 + 10)
	if c.cnt != 1 {
		t.Fatalf("c fired %d times", c.cnt)
	}
	// Stopped timers do not fire.
	w.schedule(&a.t, w.now+20)
	w.stop(&a.t)
	w.advance(w.now + 100)
	if a.cnt != 1 {
		t.Fatalf("stopped timer fired")
	}
	// A deadline in the past fires at the next slot.
	w.schedule(&a.t, 5)
	w.advance(w.now + 10)
	if a.cnt != 2 {
		t.Fatalf("past deadline did not fire")
	}
}

func TestWheelAllocs(t *testing.T) {
	var w wheel
	w.init(1, 1)
	var f fired
	f.t.f = &f
	now := int64(1)
	allocs := testing.AllocsPerRun(100, func() {
		now += 3
		w.schedule(&f.t, now+2)
		w.advance(now + 2)
	})
	if allocs != 0 {
		t.Fatalf("allocs = %v; want 0", allocs)
	}
}

func TestDateCache(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	dates.refresh(now)
	got := appendDate(nil)
	if want := "Date: Wed, 04 Mar 2026 05:06:07 GMT\r\n"; string(got) != want {
		t.Fatalf("appendDate = %q; want %q", got, want)
	}
	dates.refresh(now.Add(time.Second))
	if got := appendDate(nil); !bytes.Contains(got, []byte("05:06:08")) {
		t.Fatalf("after a second: %q", got)
	}
	dates.refresh(time.Now())
	if n := testing.AllocsPerRun(100, func() { got = appendDate(got[:0]) }); n != 0 {
		t.Fatalf("allocs = %v; want 0", n)
	}
}

func TestStatusLine(t *testing.T) {
	tests := []struct {
		code int
		want string
	}{
		{200, "HTTP/1.1 200 OK\r\n"},
		{404, "HTTP/1.1 404 Not Found\r\n"},
		{599, "HTTP/1.1 599 \r\n"},
		{799, "HTTP/1.1 799 \r\n"},
	}
	for _, tt := range tests {
		if got := appendStatusLine(nil, tt.code); string(got) != tt.want {
			t.Errorf("appendStatusLine(%d) = %q; want %q", tt.code, got, tt.want)
		}
	}
}

func TestUntilNextSecond(t *testing.T) {
	base := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, off := range []time.Duration{0, time.Millisecond, 400 * time.Millisecond, 999 * time.Millisecond} {
		now := base.Add(off)
		d := untilNextSecond(now)
		if next := now.Add(d); !next.Equal(base.Add(time.Second + time.Millisecond)) {
			t.Errorf("untilNextSecond(+%v) = %v: lands at %v; want 1 ms past the next second", off, d, next)
		}
	}
}

// TestDateFollowsClock checks, with the default 1 s tick, that a response's
// Date is the clock's second: the ticker fires just after each whole second,
// so a request 300 ms into a second must see that second, not the one before.
func TestDateFollowsClock(t *testing.T) {
	_, addr := startServer(t, helloHandler, nil)
	for i := 0; i < 3; i++ {
		now := time.Now()
		time.Sleep(untilNextSecond(now) + 300*time.Millisecond)
		sent := time.Now().UTC().Truncate(time.Second)
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		date, err := http.ParseTime(resp.Header.Get("Date"))
		if err != nil {
			t.Fatal(err)
		}
		if !date.Equal(sent) {
			t.Fatalf("Date %v; the request went out during %v", date, sent)
		}
	}
}

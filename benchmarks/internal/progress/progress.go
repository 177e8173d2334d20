// Package progress prints the one-line progress display of the benchmark
// commands on stderr: the step, what it runs and the time left. On a
// terminal the line is rewritten in place; otherwise (a log, CI) each step
// gets its own line.
package progress

import (
	"fmt"
	"io"
	"os"
	"time"
)

// Line is a progress display for a run of a known number of steps.
type Line struct {
	w       io.Writer
	inPlace bool // rewrite one line (a terminal) rather than print one per step
	name    string
	total   int
	done    int
	start   time.Time
	now     func() time.Time
}

// New returns a display for total steps written to stderr under name.
func New(name string, total int) *Line {
	fi, err := os.Stderr.Stat()
	tty := err == nil && fi.Mode()&os.ModeCharDevice != 0
	return &Line{w: os.Stderr, inPlace: tty, name: name, total: total, start: time.Now(), now: time.Now}
}

// Step reports that the next step, described by what, starts now.
func (l *Line) Step(what string) {
	msg := fmt.Sprintf("%s: %d/%d %s", l.name, l.done+1, l.total, what)
	if l.done > 0 {
		msg += ", about " + ETA(l.now().Sub(l.start), l.done, l.total).String() + " left"
	}
	l.done++
	if l.inPlace {
		fmt.Fprintf(l.w, "\r\x1b[K%s", msg)
		return
	}
	fmt.Fprintln(l.w, msg)
}

// Finish ends the display, leaving the cursor on a fresh line.
func (l *Line) Finish() {
	if l.inPlace && l.done > 0 {
		fmt.Fprintln(l.w)
	}
}

// ETA estimates the time left after done of total steps took elapsed,
// rounded to the second: the average step so far times the steps left.
func ETA(elapsed time.Duration, done, total int) time.Duration {
	if done <= 0 || total <= done {
		return 0
	}
	return (elapsed / time.Duration(done) * time.Duration(total-done)).Round(time.Second)
}

package engine

import (
	"bufio"
	"io"
	"log"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHandlerPanicLogLimited checks that a peer triggering panics cannot
// flood the log: of 200 panics, one per window is logged with its stack,
// the others are summed in a line per window, and HandlerPanics counts
// every one.
func TestHandlerPanicLogLimited(t *testing.T) {
	prev, flags := log.Writer(), log.Flags()
	log.SetFlags(0)
	t.Cleanup(func() { log.SetOutput(prev); log.SetFlags(flags) })

	const window = 300 * time.Millisecond
	const n = 200
	for _, workers := range []int{0, 2} {
		var logged lockedBuffer
		log.SetOutput(&logged)
		s, addr := startServer(t, func(w *Response, r *Request) {
			if string(r.Path()) == "/panic" {
				panic("peer-triggered bug")
			}
			helloHandler(w, r)
		}, &Options{Workers: workers})
		s.panicLog.mu.Lock()
		s.panicLog.every = window
		s.panicLog.mu.Unlock()

		start := time.Now()
		for i := 0; i < n; i++ {
			c := dialServer(t, addr)
			io.WriteString(c, "GET /panic HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil || resp.StatusCode != 500 {
				t.Fatalf("workers=%d panic %d: %v %v; want 500", workers, i, resp, err)
			}
			c.Close()
		}
		elapsed := time.Since(start)
		if got := s.HandlerPanics(); got != n {
			t.Fatalf("workers=%d: HandlerPanics() = %d; want %d", workers, got, n)
		}
		// The last window's summary comes when it ends; then one more
		// empty window closes.
		deadline := time.Now().Add(10 * time.Second)
		stacks, summed := 0, 0
		for {
			out := logged.String()
			stacks = strings.Count(out, "engine: panic serving")
			summed = sumDropped(out, "handler panics")
			if stacks+summed >= n || time.Now().After(deadline) {
				break
			}
			time.Sleep(window / 4)
		}
		if stacks+summed != n {
			t.Fatalf("workers=%d: %d stacks + %d summed = %d; want %d\n%s", workers, stacks, summed, stacks+summed, n, logged.String())
		}
		// A window opens at most once per window length, so the stacks are
		// bounded by the time the panics took, not by their number.
		if max := int(elapsed/window) + 2; stacks > max {
			t.Fatalf("workers=%d: %d stacks logged for %d panics in %v; want at most %d", workers, stacks, n, elapsed, max)
		}
	}
}

var droppedLine = regexp.MustCompile(`engine: (\d+) more ([a-z ]+) in the last`)

// sumDropped adds up the counts of a logLimiter's summary lines for what.
func sumDropped(out, what string) int {
	sum := 0
	for _, m := range droppedLine.FindAllStringSubmatch(out, -1) {
		if m[2] == what {
			k, _ := strconv.Atoi(m[1])
			sum += k
		}
	}
	return sum
}

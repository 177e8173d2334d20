package engine

import (
	"bufio"
	"io"
	"log"
	"net/http"
	"strings"
	"testing"
	"time"
)

// blockLoop is an inline handler that blocks its event loop on /block.
func blockLoop(w *Response, r *Request) {
	if string(r.Path()) == "/block" {
		time.Sleep(600 * time.Millisecond)
	}
	helloHandler(w, r)
}

// TestLoopStallReported checks that a handler blocking its event loop is
// counted and logged once per stall, with the loop's stack naming the
// handler, and that the stacks are rate-limited.
func TestLoopStallReported(t *testing.T) {
	var logged lockedBuffer
	prev := log.Writer()
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(prev) })

	s, addr := startServer(t, blockLoop, &Options{NumLoops: 1, StallThreshold: 100 * time.Millisecond})
	for i := 0; i < 2; i++ {
		c := dialServer(t, addr)
		io.WriteString(c, "GET /block HTTP/1.1\r\nHost: a\r\n\r\n")
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("request %d: %v %v", i, resp, err)
		}
		c.Close()
	}
	if n := s.LoopStalls(); n < 2 {
		t.Fatalf("LoopStalls() = %d after two 600 ms stalls; want >= 2\nlog:\n%s", n, logged.String())
	}
	out := logged.String()
	if n := strings.Count(out, "has not come back"); n != 1 {
		t.Fatalf("%d stall reports logged; want 1 (the second within the window is only counted)\nlog:\n%s", n, out)
	}
	if !strings.Contains(out, "engine.blockLoop") || !strings.Contains(out, "time.Sleep") {
		t.Fatalf("the stall report does not name the blocking handler:\n%s", out)
	}
}

// TestLoopStallQuiet checks that a loop that keeps coming back is not
// reported (a blocking handler on a worker leaves its loop free), and that a
// negative threshold turns the watchdog off.
func TestLoopStallQuiet(t *testing.T) {
	prev := log.Writer()
	log.SetOutput(io.Discard)
	t.Cleanup(func() { log.SetOutput(prev) })
	for _, tc := range []struct {
		threshold time.Duration
		path      string
		workers   int
	}{{500 * time.Millisecond, "/", 0}, {100 * time.Millisecond, "/block", 2}, {-1, "/block", 0}} {
		s, addr := startServer(t, blockLoop, &Options{NumLoops: 1, StallThreshold: tc.threshold, Workers: tc.workers})
		c := dialServer(t, addr)
		br := bufio.NewReader(c)
		deadline := time.Now().Add(time.Second)
		for time.Now().Before(deadline) {
			io.WriteString(c, "GET "+tc.path+" HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
		}
		if n := s.LoopStalls(); n != 0 {
			t.Fatalf("threshold %v, path %s, workers %d: LoopStalls() = %d; want 0", tc.threshold, tc.path, tc.workers, n)
		}
	}
}

// blockingResponses is a ResponseHandler that blocks its client event loop
// for 600 ms, then reports the request's outcome.
type blockingResponses chan error

func (h blockingResponses) HandleResponse(_ *ClientConn, _ *ClientRequest, _ *ClientResponse, err error) {
	time.Sleep(600 * time.Millisecond)
	h <- err
}

// TestClientLoopStallReported checks that a response handler blocking a
// client's event loop is counted and logged with the loop's stack, and
// that a negative threshold turns the client's watchdog off.
func TestClientLoopStallReported(t *testing.T) {
	var logged lockedBuffer
	prev := log.Writer()
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(prev) })
	// The server answers 100 ms late, so that the response reaches the
	// client's loop after Send has returned: one complete before that is
	// handled on Send's caller, which is no loop, and did not stall it
	// (LoopStalls 1 after two stalls, 1 run in 4 under -race and load).
	_, addr := startServer(t, func(w *Response, r *Request) {
		d := w.Detach()
		time.AfterFunc(100*time.Millisecond, func() {
			d.Do(func(w *Response) { w.WriteString("late"); w.End() })
		})
	}, nil)
	for _, threshold := range []time.Duration{100 * time.Millisecond, -1} {
		cli, err := NewClient(&ClientOptions{NumEventLoops: 1, StallThreshold: threshold})
		if err != nil {
			t.Fatal(err)
		}
		cc := dialTest(t, cli, addr, nil)
		h := make(blockingResponses, 1)
		for i := 0; i < 2; i++ {
			req, resp := AcquireClientRequest(), AcquireClientResponse()
			if err := cc.Send(req, resp, h); err != nil {
				t.Fatal(err)
			}
			if err := <-h; err != nil {
				t.Fatal(err)
			}
			ReleaseClientRequest(req)
			ReleaseClientResponse(resp)
		}
		n := cli.LoopStalls()
		cc.Close()
		cli.Close()
		if threshold < 0 {
			if n != 0 {
				t.Fatalf("LoopStalls() = %d with the watchdog off; want 0", n)
			}
			continue
		}
		if n < 2 {
			t.Fatalf("LoopStalls() = %d after two 600 ms stalls; want >= 2\nlog:\n%s", n, logged.String())
		}
		out := logged.String()
		if c := strings.Count(out, "client event loop 0 has not come back"); c != 1 {
			t.Fatalf("%d stall reports logged; want 1\nlog:\n%s", c, out)
		}
		if !strings.Contains(out, "engine.blockingResponses.HandleResponse") {
			t.Fatalf("the stall report does not name the blocking handler:\n%s", out)
		}
	}
}

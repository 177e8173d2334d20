package engine

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// goneWait is how long a handler blocks, as on a slow downstream call.
const goneWait = 2 * time.Second

// goneWithin bounds how late a blocked handler may learn that its client
// has gone: the loop sees the FIN on its next read.
const goneWithin = 100 * time.Millisecond

// TestWorkerLearnsClientGone: a handler on a worker blocked on a slow call
// (2 s) learns that its client closed the connection, reset it, or shut
// down its sending side, within 100 ms of it, through Request.Done or by
// polling Request.ClientGone. Before, the loop did not read the socket
// while the worker ran, so the handler only learned when its 2 s were up.
func TestWorkerLearnsClientGone(t *testing.T) {
	type result struct {
		gone bool
		at   time.Time
	}
	results := make(chan result, 1)
	started := make(chan struct{}, 1)
	_, addr := startServer(t, func(w *Response, r *Request) {
		switch string(r.Path()) {
		case "/done":
			done := r.Done()
			started <- struct{}{}
			select {
			case <-done:
				results <- result{true, time.Now()}
			case <-time.After(goneWait):
				results <- result{false, time.Now()}
			}
		case "/poll":
			started <- struct{}{}
			end := time.Now().Add(goneWait)
			for time.Now().Before(end) {
				if r.ClientGone() {
					results <- result{true, time.Now()}
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
			results <- result{false, time.Now()}
		}
		w.WriteString("late")
	}, &Options{Workers: 2, NumLoops: 1})

	for _, path := range []string{"/done", "/poll"} {
		for _, how := range []string{"close", "reset", "shutdown"} {
			t.Run(path[1:]+"/"+how, func(t *testing.T) {
				c := dialServer(t, addr)
				io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
				<-started
				time.Sleep(20 * time.Millisecond) // the handler blocks
				closed := time.Now()
				leave(c, how)
				res := <-results
				took := res.at.Sub(closed)
				if !res.gone {
					t.Fatalf("the handler did not learn that its client had gone (waited %v)", took)
				}
				if took > goneWithin {
					t.Errorf("the handler learned that its client had gone after %v; want within %v", took, goneWithin)
				}
				t.Logf("learned after %v", took)
			})
		}
	}
}

// TestWorkerDoneAfterClose: a handler that asks only once its client has
// gone learns it at once: asking makes the loop read the FIN that waited
// in the kernel. A close the loop saw before the handler asked (the server
// closed the connection) is reported too, and the Done channel is closed.
func TestWorkerDoneAfterClose(t *testing.T) {
	release := make(chan struct{})
	results := make(chan time.Duration, 1)
	_, addr := startServer(t, func(w *Response, r *Request) {
		if string(r.Path()) == "/server-close" {
			r.Conn().Close()
			deadline := time.Now().Add(goneWait)
			for !r.ClientGone() && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond) // the loop has seen the close before Done is asked
		} else {
			<-release
		}
		start := time.Now()
		select {
		case <-r.Done():
			results <- time.Since(start)
		case <-time.After(goneWait):
			results <- -1
		}
	}, &Options{Workers: 1, NumLoops: 1})

	c := dialServer(t, addr)
	io.WriteString(c, "GET /client-close HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(20 * time.Millisecond)
	c.Close()
	time.Sleep(50 * time.Millisecond) // the FIN waits unread: the handler has not asked
	close(release)
	if took := <-results; took < 0 || took > goneWithin {
		t.Errorf("client close: Done took %v; want within %v", took, goneWithin)
	}

	c = dialServer(t, addr)
	io.WriteString(c, "GET /server-close HTTP/1.1\r\nHost: x\r\n\r\n")
	if took := <-results; took < 0 || took > 5*time.Millisecond {
		t.Errorf("server close: Done took %v; want it closed at once", took)
	}
}

// TestGoneNextRequest: a request whose handler asked and that ended
// normally leaves the connection as it was: the next request's handler
// sees its client present (the Done channel, reused, is open), and one
// that does not ask still gets its response when the client half-closes.
// On a worker and inline (where the response is finished later by another
// goroutine).
func TestGoneNextRequest(t *testing.T) {
	for _, workers := range []int{0, 1} {
		t.Run("workers="+strconv.Itoa(workers), func(t *testing.T) {
			_, addr := startServer(t, func(w *Response, r *Request) {
				switch string(r.Path()) {
				case "/ask":
					r.Done()
					r.ClientGone()
					w.WriteString("first")
				case "/check":
					select {
					case <-r.Done():
						w.WriteString("closed")
						return
					default:
					}
					if r.ClientGone() {
						w.WriteString("gone")
						return
					}
					w.WriteString("present")
				case "/plain": // answered 50 ms later: the client has half-closed meanwhile
					if workers > 0 {
						time.Sleep(50 * time.Millisecond)
						w.WriteString("plain")
						return
					}
					d := w.Detach()
					time.AfterFunc(50*time.Millisecond, func() {
						d.Do(func(w *Response) { w.WriteString("plain"); w.End() })
					})
				}
			}, &Options{Workers: workers, NumLoops: 1})

			c := dialServer(t, addr)
			br := bufio.NewReader(c)
			io.WriteString(c, "GET /ask HTTP/1.1\r\nHost: x\r\n\r\nGET /check HTTP/1.1\r\nHost: x\r\n\r\n")
			for _, want := range []string{"first", "present"} {
				if got := readBody(t, br); got != want {
					t.Fatalf("got %q; want %q", got, want)
				}
			}
			io.WriteString(c, "GET /ask HTTP/1.1\r\nHost: x\r\n\r\n")
			if got := readBody(t, br); got != "first" {
				t.Fatalf("got %q; want %q", got, "first")
			}
			io.WriteString(c, "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
			c.(*net.TCPConn).CloseWrite()
			if got := readBody(t, br); got != "plain" {
				t.Fatalf("half-closed: got %q; want %q", got, "plain")
			}
		})
	}
}

// TestInlineDoneDetached: an inline handler that detaches its response
// hands Done to the goroutine that will finish it, which learns within
// 100 ms that the client closed, reset or half-closed the connection.
func TestInlineDoneDetached(t *testing.T) {
	results := make(chan time.Time, 1)
	_, addr := startServer(t, func(w *Response, r *Request) {
		done := r.Done()
		d := w.Detach()
		go func() {
			select {
			case <-done:
				results <- time.Now()
			case <-time.After(goneWait):
				results <- time.Time{}
				d.Do(func(w *Response) { w.End() })
			}
		}()
	}, &Options{NumLoops: 1})
	for _, how := range []string{"close", "reset", "shutdown"} {
		t.Run(how, func(t *testing.T) {
			c := dialServer(t, addr)
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			time.Sleep(20 * time.Millisecond)
			closed := time.Now()
			leave(c, how)
			at := <-results
			if at.IsZero() {
				t.Fatal("the goroutine did not learn that the client had gone")
			}
			if took := at.Sub(closed); took > goneWithin {
				t.Errorf("learned after %v; want within %v", took, goneWithin)
			}
		})
	}
}

// leave closes c as how says: "close", "reset" or "shutdown" (its sending side).
func leave(c net.Conn, how string) {
	switch how {
	case "close":
		c.Close()
	case "reset":
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	case "shutdown":
		c.(*net.TCPConn).CloseWrite()
	}
}

func readBody(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading a response: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading a body: %v", err)
	}
	return string(b)
}

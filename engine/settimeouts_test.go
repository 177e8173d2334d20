package engine

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// getThenWait sends a GET on c, reads its response and then waits up to
// wait for the server to close c; it reports whether it did.
func getThenWait(t *testing.T, c net.Conn, br *bufio.Reader, wait time.Duration) bool {
	t.Helper()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("response: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	c.SetReadDeadline(time.Now().Add(wait))
	_, err = br.ReadByte()
	return err == io.EOF
}

// TestSetTimeouts: timeouts replaced after Start apply to the connections'
// next states: a keep-alive timeout cut from 1 min to 100 ms closes a
// connection after its next response, and a headers timeout cut to 100 ms
// answers a head that stalls with 408.
func TestSetTimeouts(t *testing.T) {
	s, addr := startServer(t, helloHandler, &Options{KeepAliveTimeout: time.Minute, TickInterval: 10 * time.Millisecond})
	c := dialServer(t, addr)
	br := bufio.NewReader(c)
	if getThenWait(t, c, br, 300*time.Millisecond) {
		t.Fatal("closed within 300 ms under a 1 min keep-alive timeout")
	}
	s.SetTimeouts(100*time.Millisecond, 0, 100*time.Millisecond, 0)
	start := time.Now()
	if !getThenWait(t, c, br, 5*time.Second) {
		t.Fatal("kept 5 s after SetTimeouts cut the keep-alive timeout to 100 ms")
	}
	// The loop's clock is its last tick's (10 ms here).
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("closed %v after the response; want about 100 ms", d)
	}
	got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n", 5*time.Second)
	if !strings.HasPrefix(got, "HTTP/1.1 408 ") {
		t.Errorf("stalled head got %q; want a 408", got)
	}
}

// TestOnIdleTimeoutKeepAlive: a connection idle between requests for
// KeepAliveTimeout goes to OnIdleTimeout (Node emits 'timeout' for it too):
// kept, it serves its next request; else it is closed.
func TestOnIdleTimeoutKeepAlive(t *testing.T) {
	for _, keep := range []bool{true, false} {
		var calls atomic.Int32
		_, addr := startServer(t, helloHandler, &Options{
			KeepAliveTimeout: 50 * time.Millisecond,
			TickInterval:     10 * time.Millisecond,
			OnIdleTimeout: func(remote, local net.Addr, _ any) bool {
				calls.Add(1)
				return keep
			},
		})
		c := dialServer(t, addr)
		br := bufio.NewReader(c)
		closed := getThenWait(t, c, br, 500*time.Millisecond)
		if closed == keep {
			t.Errorf("keep %v: closed %v after 500 ms idle", keep, closed)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("keep %v: OnIdleTimeout called %d times; want 1 (the clock waits for the next request)", keep, n)
		}
		if keep && getThenWait(t, c, br, 0) {
			t.Errorf("kept connection closed at its second request")
		}
	}
}

// TestReplySilentTimeout: with ReplySilentTimeout, a new connection that
// sends nothing within HeadersTimeout gets ErrorReply's 408, whose error is
// a *TimedOut with the connection's addresses; without it, no bytes.
func TestReplySilentTimeout(t *testing.T) {
	for _, reply := range []bool{true, false} {
		var got atomic.Pointer[error]
		_, addr := startServer(t, helloHandler, &Options{
			HeadersTimeout:     100 * time.Millisecond,
			TickInterval:       10 * time.Millisecond,
			ReplySilentTimeout: reply,
			ErrorReply: func(dst []byte, status int, err error) []byte {
				got.Store(&err)
				return append(dst, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"...)
			},
		})
		wire := rawExchange(t, addr, "", 5*time.Second)
		if want := "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n"; reply != (wire == want) || !reply && wire != "" {
			t.Errorf("ReplySilentTimeout %v: got %q", reply, wire)
		}
		if !reply {
			continue
		}
		var to *TimedOut
		if p := got.Load(); p == nil || !errors.As(*p, &to) || !errors.Is(*p, ErrRequestTimeout) || to.Remote == nil || to.Local == nil {
			t.Errorf("ErrorReply's error %v; want a *TimedOut with addresses", got.Load())
		}
	}
}

// TestKeepAliveReplacesIdle: with KeepAliveReplacesIdle, an IdleTimeout
// shorter than KeepAliveTimeout no longer ends a connection between
// requests; the keep-alive timeout does.
func TestKeepAliveReplacesIdle(t *testing.T) {
	_, addr := startServer(t, helloHandler, &Options{
		IdleTimeout:           100 * time.Millisecond,
		KeepAliveTimeout:      500 * time.Millisecond,
		TickInterval:          10 * time.Millisecond,
		KeepAliveReplacesIdle: true,
	})
	c := dialServer(t, addr)
	br := bufio.NewReader(c)
	start := time.Now()
	if !getThenWait(t, c, br, 5*time.Second) {
		t.Fatal("kept 5 s under a 500 ms keep-alive timeout")
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("closed %v after the request; want the keep-alive timeout's 500 ms, not the idle 100 ms", d)
	}
}

// TestRequestTimeoutUntilRead: with RequestTimeoutUntilRead, a response
// that comes after RequestTimeout, to a request received in full, goes
// out; without it the request gets a 408.
func TestRequestTimeoutUntilRead(t *testing.T) {
	for _, untilRead := range []bool{true, false} {
		_, addr := startServer(t, func(w *Response, r *Request) {
			d := w.Detach()
			time.AfterFunc(300*time.Millisecond, func() {
				d.Do(func(w *Response) {
					w.WriteString("late")
					w.End()
				})
			})
		}, &Options{RequestTimeout: 100 * time.Millisecond, TickInterval: 10 * time.Millisecond, RequestTimeoutUntilRead: untilRead})
		got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5*time.Second)
		want := "HTTP/1.1 408 "
		if untilRead {
			want = "HTTP/1.1 200 "
		}
		if !strings.HasPrefix(got, want) {
			t.Errorf("RequestTimeoutUntilRead %v: got %q; want %s", untilRead, got, want)
		}
	}
}

// TestSetTickInterval: a server made with 1 s ticks times a 150 ms
// keep-alive timeout to within a tick of 50 ms once SetTickInterval asks
// for it.
func TestSetTickInterval(t *testing.T) {
	s, addr := startServer(t, helloHandler, &Options{KeepAliveTimeout: 150 * time.Millisecond})
	s.SetTickInterval(50 * time.Millisecond)
	// The ticks come at each whole second too: start 20 ms past one (the
	// tick already due has come by then), so that 1 s ticks would close
	// the connection about 1 s later.
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second + 20*time.Millisecond).Sub(now))
	c := dialServer(t, addr)
	start := time.Now()
	if !getThenWait(t, c, bufio.NewReader(c), 5*time.Second) {
		t.Fatal("kept 5 s under a 150 ms keep-alive timeout")
	}
	// With 1 s ticks it closes up to 1 s after the timeout.
	if d := time.Since(start); d > 700*time.Millisecond {
		t.Errorf("closed %v after the request; want about 150-250 ms", d)
	}
}

// TestIdleTimeoutNoReply: a connection whose IdleTimeout alone ran out is
// closed with no reply, as a socket timeout, also mid-head or silent with
// ReplySilentTimeout, where a HeadersTimeout would answer 408.
func TestIdleTimeoutNoReply(t *testing.T) {
	_, addr := startServer(t, helloHandler, &Options{
		IdleTimeout:        100 * time.Millisecond,
		TickInterval:       10 * time.Millisecond,
		ReplySilentTimeout: true,
	})
	for _, send := range []string{"", "GET / HTTP/1.1\r\nHost: x\r\n"} {
		if got := rawExchange(t, addr, send, 5*time.Second); got != "" {
			t.Errorf("sent %q, idle: got %q; want a close with no bytes", send, got)
		}
	}
}

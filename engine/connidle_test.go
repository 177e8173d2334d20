package engine

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// closedWithin reads c until it closes or wait passes; it reports whether
// the server closed it and how long that took.
func closedWithin(c net.Conn, wait time.Duration) (bool, time.Duration) {
	start := time.Now()
	c.SetReadDeadline(start.Add(wait))
	_, err := io.Copy(io.Discard, c)
	return err == nil, time.Since(start)
}

// TestConnSetIdleTimeout: a connection's own idle timeout (Node's
// socket.setTimeout) closes it once it is idle that long, replaces the
// server's IdleTimeout (0 turns idle timing off), is re-armed by bytes
// read and goes to OnIdleTimeout like the server's.
func TestConnSetIdleTimeout(t *testing.T) {
	for _, tc := range []struct {
		name     string
		server   time.Duration // Options.IdleTimeout
		own      time.Duration // SetIdleTimeout's
		trickle  bool          // send a byte every 50 ms for 600 ms first
		keep     bool          // OnIdleTimeout keeps the connection
		closes   bool
		min, max time.Duration // when it closes
	}{
		{name: "set", own: 200 * time.Millisecond, closes: true, min: 100 * time.Millisecond, max: 3 * time.Second},
		{name: "shorter", server: time.Minute, own: 200 * time.Millisecond, closes: true, min: 100 * time.Millisecond, max: 3 * time.Second},
		{name: "longer", server: 100 * time.Millisecond, own: time.Minute, max: 800 * time.Millisecond},
		{name: "off", server: 100 * time.Millisecond, own: 0, max: 800 * time.Millisecond},
		{name: "rearmed", own: 200 * time.Millisecond, trickle: true, closes: true, min: 700 * time.Millisecond, max: 4 * time.Second},
		{name: "kept", own: 100 * time.Millisecond, keep: true, max: 800 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			opened := make(chan ConnHandle, 1)
			o := &Options{
				IdleTimeout:  tc.server,
				TickInterval: 10 * time.Millisecond,
				OnOpenConn: func(h ConnHandle) func() {
					opened <- h
					return nil
				},
			}
			if tc.keep {
				o.OnIdleTimeout = func(net.Addr, net.Addr, any) bool { calls.Add(1); return true }
			}
			_, addr := startServer(t, helloHandler, o)
			c := dialServer(t, addr)
			h := <-opened
			if err := h.SetIdleTimeout(tc.own); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if tc.trickle {
				// A head that never ends, a byte at a time.
				for i, b := range []byte("GET /trickle") {
					time.Sleep(50 * time.Millisecond)
					if _, err := c.Write([]byte{b}); err != nil {
						t.Fatalf("write %d: %v", i, err)
					}
				}
			}
			closed, _ := closedWithin(c, tc.max)
			took := time.Since(start)
			if closed != tc.closes {
				t.Fatalf("closed %v after %v; want %v", closed, took, tc.closes)
			}
			if closed && took < tc.min {
				t.Errorf("closed after %v; want at least %v", took, tc.min)
			}
			if tc.keep && calls.Load() != 1 {
				t.Errorf("OnIdleTimeout called %d times; want 1", calls.Load())
			}
		})
	}
}

// TestConnIdleTimeoutFromHandler: Request.Conn's SetIdleTimeout times the
// request in progress; under KeepAliveReplacesIdle the end of the request
// gives the connection back to the server's timeouts, as Node's keep-alive
// timer replaces a socket's timeout and its next request sets
// server.timeout (none here) again.
func TestConnIdleTimeoutFromHandler(t *testing.T) {
	h := func(w *Response, r *Request) {
		path := string(r.Path())
		if path == "/set" || path == "/set-hang" {
			if err := r.Conn().SetIdleTimeout(150 * time.Millisecond); err != nil {
				panic(err)
			}
		}
		if path == "/hang" || path == "/set-hang" {
			w.Detach()                       // never answered
			r.SetCloseHandler(ignoreClose{}) // notices the peer's close at the test's end
			return
		}
		helloHandler(w, r)
	}
	addr := startKeepAliveReplaces(t, h)
	for _, tc := range []struct {
		first, then string
		closes      bool
	}{
		{"/set", "/hang", false},
		{"/", "/set-hang", true},
	} {
		// Idle past the own timeout between requests: the keep-alive
		// timeout applies there.
		closed, took := idleThen(t, addr, tc.first, 400*time.Millisecond, tc.then, tc.closes)
		if closed != tc.closes || closed && took < 80*time.Millisecond {
			t.Errorf("%s then %s: closed %v after %v; want %v (after about 150 ms)", tc.first, tc.then, closed, took, tc.closes)
		}
	}
}

// startKeepAliveReplaces starts a server on h whose keep-alive timeout (a
// minute) replaces the idle ones between requests, and returns its address.
func startKeepAliveReplaces(t *testing.T, h Handler) string {
	_, addr := startServer(t, h, &Options{
		KeepAliveTimeout:      time.Minute,
		KeepAliveReplacesIdle: true,
		TickInterval:          10 * time.Millisecond,
	})
	return addr
}

// idleThen requests first on a new connection, reads the response, waits
// pause and requests then (if not ""), and reports whether the server
// closed the connection and how long after then (or the pause) it did;
// it waits 5 s for a close when closes, else 800 ms.
func idleThen(t *testing.T, addr, first string, pause time.Duration, then string, closes bool) (bool, time.Duration) {
	c := dialServer(t, addr)
	defer c.Close()
	br := bufio.NewReader(c)
	io.WriteString(c, "GET "+first+" HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := http.ReadResponse(br, nil); err != nil {
		t.Fatalf("%s: %v", first, err)
	}
	time.Sleep(pause)
	if then != "" {
		io.WriteString(c, "GET "+then+" HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	wait := 800 * time.Millisecond
	if closes {
		wait = 5 * time.Second
	}
	return closedWithin(c, wait)
}

// ignoreClose is a CloseHandler that does nothing.
type ignoreClose struct{}

func (ignoreClose) OnClose(*Request, error) {}

// TestConnIdleTimeoutBetweenRequests: under KeepAliveReplacesIdle, an
// idle timeout of the connection's own set for after the request
// (SetIdleTimeoutAfter in the handler, or SetIdleTimeout from another
// goroutine after the request) replaces the keep-alive timeout while the
// connection waits, and the next request's head gives the connection back
// to the server's timeouts, as Node's socket.setTimeout after 'finish'
// does until its next request sets server.timeout (none here) again;
// SetIdleTimeout in the handler, even after End, is replaced by the
// keep-alive timeout (as one set before 'finish' in Node).
func TestConnIdleTimeoutBetweenRequests(t *testing.T) {
	h := func(w *Response, r *Request) {
		switch string(r.Path()) {
		case "/end-set", "/end-plain":
			w.WriteString("ok")
			w.End()
			set := r.Conn().SetIdleTimeoutAfter
			if string(r.Path()) == "/end-plain" {
				set = r.Conn().SetIdleTimeout
			}
			if err := set(150 * time.Millisecond); err != nil {
				panic(err)
			}
		case "/later-set":
			conn := r.Conn()
			time.AfterFunc(30*time.Millisecond, func() { _ = conn.SetIdleTimeout(150 * time.Millisecond) })
			w.WriteString("ok")
		case "/hang":
			w.Detach()                       // never answered
			r.SetCloseHandler(ignoreClose{}) // notices the peer's close at the test's end
		default:
			helloHandler(w, r)
		}
	}
	addr := startKeepAliveReplaces(t, h)
	for _, tc := range []struct {
		first, then string // then is sent 80 ms after the response, if not ""
		closes      bool
	}{
		{"/end-set", "", true},
		{"/later-set", "", true},
		{"/end-set", "/hang", false},
		{"/later-set", "/hang", false},
		{"/end-plain", "", false},
	} {
		closed, took := idleThen(t, addr, tc.first, 80*time.Millisecond, tc.then, tc.closes)
		if closed != tc.closes || closed && took < 20*time.Millisecond {
			t.Errorf("%s then %q: closed %v %v after the pause; want %v (150 ms after the response)", tc.first, tc.then, closed, took, tc.closes)
		}
	}
}

// TestConnIdleTimeoutPipelined: a connection's own idle timeout set during
// a request whose successor is already read (pipelined) goes on into it
// under KeepAliveReplacesIdle, as Node sets no keep-alive timer while a
// response is queued: the unanswered second request times out.
func TestConnIdleTimeoutPipelined(t *testing.T) {
	addr := startKeepAliveReplaces(t, func(w *Response, r *Request) {
		if string(r.Path()) == "/hang" {
			w.Detach()                       // never answered
			r.SetCloseHandler(ignoreClose{}) // notices the close
			return
		}
		if err := r.Conn().SetIdleTimeout(150 * time.Millisecond); err != nil {
			panic(err)
		}
		helloHandler(w, r)
	})
	c := dialServer(t, addr)
	defer c.Close()
	io.WriteString(c, "GET /set HTTP/1.1\r\nHost: x\r\n\r\nGET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
		t.Fatal(err)
	}
	if closed, took := closedWithin(c, 3*time.Second); !closed {
		t.Errorf("open after %v; want closed about 150 ms after the response", took)
	}
}

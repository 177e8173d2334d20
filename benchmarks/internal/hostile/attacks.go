// Package hostile holds the clients that misbehave on purpose, for the soak
// run (cmd/hostile): slowloris heads, pipelined requests whose responses are
// left unread for a while (small ones and 1 MiB ones), half-closes, resets in the middle
// of a request body and of a large response, oversized heads, malformed
// requests and idle keep-alive connections, plus a well-behaved probe that
// checks the server keeps serving. The large responses come from the
// server's GET /bytes/N route (cmd/server serves it on every implementation).
//
// Every attack talks to the address it is given, which the caller has
// checked is on loopback (internal/target.Loopback), runs until its context
// ends, bounds what it sends, and closes every connection it opened before
// it returns.
package hostile

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts what an attack did. Sent counts requests (or connections,
// for slowloris) sent; Answered the responses read; Cut the connections the
// server closed or refused; Failed the well-formed requests left unanswered.
type Stats struct {
	Sent, Answered, Cut, Failed atomic.Int64
	MaxLatency                  atomic.Int64 // nanoseconds, for the probe
}

// Attack is one shape of hostile client.
type Attack struct {
	Name string
	Run  func(ctx context.Context, addr string, st *Stats)
}

// Sizes bounds the attacks: how many connections each opens and how many
// requests each connection sends at most.
type Sizes struct {
	Slowloris    int // connections trickling a head that never ends
	Unread       int // connections pipelining requests unread for UnreadHold
	UnreadReqs   int // requests per unread connection's batch
	HalfClose    int // concurrent clients sending a request and then FIN
	ResetMid     int // concurrent clients resetting in the middle of a request body
	OversizeHead int // concurrent clients sending a huge head
	Idle         int // keep-alive connections idle after one request
	Malformed    int // concurrent clients sending malformed requests

	UnreadLarge     int // connections pipelining requests for LargeBody bytes, unread for UnreadHold
	UnreadLargeReqs int // requests per such connection's batch
	LargeBody       int // bytes of each response the unread-large connections ask for
	ResetLarge      int // concurrent clients resetting after ResetAfter bytes of a ResetBody response
	ResetBody       int // bytes of each response the reset-large clients ask for
	ResetAfter      int // bytes read before the reset

	// UnreadHold is how long an unread connection holds its batch unread
	// before reading it back and starting another; 0 means 30 s, well
	// within the request timeouts of the servers (Node's is 300 s).
	UnreadHold time.Duration
}

func (sz Sizes) unreadHold() time.Duration {
	if sz.UnreadHold > 0 {
		return sz.UnreadHold
	}
	return 30 * time.Second
}

// MaxBody returns the largest response the attacks ask for, which a warm-up
// request fetches first so that a server building it once counts it in its
// start.
func (sz Sizes) MaxBody() int { return max(sz.LargeBody, sz.ResetBody) }

// DefaultSizes is what cmd/hostile uses unless told otherwise.
var DefaultSizes = Sizes{Slowloris: 200, Unread: 10, UnreadReqs: 100000, HalfClose: 4, ResetMid: 4, OversizeHead: 2, Idle: 2000, Malformed: 2,
	UnreadLarge: 8, UnreadLargeReqs: 100, LargeBody: 1 << 20, ResetLarge: 20, ResetBody: 8 << 20, ResetAfter: 64 << 10, UnreadHold: 30 * time.Second}

// Attacks returns every attack, sized by sz.
func Attacks(sz Sizes) []Attack {
	return []Attack{
		{"slowloris", func(ctx context.Context, a string, st *Stats) { slowloris(ctx, a, sz.Slowloris, st) }},
		{"unread-pipelined", func(ctx context.Context, a string, st *Stats) {
			unreadPipelined(ctx, a, sz.Unread, sz.UnreadReqs, request, 64, sz.unreadHold(), st)
		}},
		{"unread-large", func(ctx context.Context, a string, st *Stats) {
			unreadPipelined(ctx, a, sz.UnreadLarge, sz.UnreadLargeReqs, bytesRequest(sz.LargeBody), sz.UnreadLargeReqs, sz.unreadHold(), st)
		}},
		{"reset-large", func(ctx context.Context, a string, st *Stats) {
			repeat(ctx, sz.ResetLarge, a, st, func(ctx context.Context, a string, st *Stats) {
				resetLarge(ctx, a, sz.ResetBody, sz.ResetAfter, st)
			})
		}},
		{"half-close", func(ctx context.Context, a string, st *Stats) { repeat(ctx, sz.HalfClose, a, st, halfClose) }},
		{"reset-mid-body", func(ctx context.Context, a string, st *Stats) { repeat(ctx, sz.ResetMid, a, st, resetMidBody) }},
		{"oversized-head", func(ctx context.Context, a string, st *Stats) { repeat(ctx, sz.OversizeHead, a, st, oversizedHead) }},
		{"idle", func(ctx context.Context, a string, st *Stats) { idle(ctx, a, sz.Idle, st) }},
		{"malformed", func(ctx context.Context, a string, st *Stats) { repeat(ctx, sz.Malformed, a, st, malformed) }},
	}
}

// IsAttack reports whether name is an attack's name.
func IsAttack(name string) bool {
	for _, a := range Attacks(Sizes{}) {
		if a.Name == name {
			return true
		}
	}
	return false
}

const request = "GET /hello HTTP/1.1\r\nHost: hostile\r\n\r\n"

// bytesRequest asks for a body of n bytes (cmd/server's /bytes/N route).
func bytesRequest(n int) string {
	return "GET /bytes/" + strconv.Itoa(n) + " HTTP/1.1\r\nHost: hostile\r\n\r\n"
}

// dial opens a connection whose every read and write ends 5 s after ctx's
// deadline (or in 10 s without one); closeOnDone ends them sooner, once ctx
// is done, so that an error is known to come from the attack's end.
func dial(ctx context.Context, addr string) (*net.TCPConn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(5 * time.Second)
	}
	c.SetDeadline(deadline.Add(5 * time.Second))
	return c.(*net.TCPConn), nil
}

// open dials for one request of an attack and counts it as sent; a refused
// dial is counted as cut and followed by a pause, and open returns nil.
func open(ctx context.Context, addr string, st *Stats) *net.TCPConn {
	c, err := dial(ctx, addr)
	if err != nil {
		st.Cut.Add(1)
		sleep(ctx, 100*time.Millisecond)
		return nil
	}
	st.Sent.Add(1)
	return c
}

// closeOnDone closes c when ctx ends, unblocking its reads and writes; the
// returned func stops the watch.
func closeOnDone(ctx context.Context, c net.Conn) func() bool {
	return context.AfterFunc(ctx, func() { c.Close() })
}

// repeat runs n clients, each calling one over and over until ctx ends.
func repeat(ctx context.Context, n int, addr string, st *Stats, one func(context.Context, string, *Stats)) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil {
				one(ctx, addr, st)
			}
		})
	}
	wg.Wait()
}

// slowloris keeps n connections trickling a head, a field a second, that
// never ends; a connection the server cuts is counted and opened again.
func slowloris(ctx context.Context, addr string, n int, st *Stats) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil {
				c, err := dial(ctx, addr)
				if err != nil {
					st.Cut.Add(1)
					sleep(ctx, 100*time.Millisecond)
					continue
				}
				st.Sent.Add(1)
				stop := closeOnDone(ctx, c)
				_, err = io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: hostile\r\n")
				for err == nil && sleep(ctx, time.Second) {
					_, err = io.WriteString(c, "X-Slow: a\r\n")
				}
				if ctx.Err() == nil {
					st.Cut.Add(1)
				}
				stop()
				c.Close()
			}
		})
	}
	wg.Wait()
}

// unreadPipelined keeps n connections that each pipeline up to reqs
// requests (req, in writes of perWrite) without reading a byte for hold (or
// until ctx ends), then read everything back and count it, then start a new
// batch on a new connection, until ctx ends. The hold keeps a long soak
// hostile but within the server's request timeouts, so that a response it
// owes and drops (its connection closed before it came) counts as failed.
func unreadPipelined(ctx context.Context, addr string, n, reqs int, req string, perWrite int, hold time.Duration, st *Stats) {
	var wg sync.WaitGroup
	batch := []byte(strings.Repeat(req, perWrite))
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil {
				unreadBatch(ctx, addr, reqs, batch, perWrite, hold, st)
			}
		})
	}
	wg.Wait()
}

// unreadBatch is one connection's batch of unreadPipelined.
func unreadBatch(ctx context.Context, addr string, reqs int, batch []byte, perWrite int, hold time.Duration, st *Stats) {
	c, err := dial(ctx, addr)
	if err != nil {
		st.Cut.Add(1)
		sleep(ctx, 100*time.Millisecond)
		return
	}
	defer c.Close()
	end := time.Now().Add(hold)
	if d, ok := ctx.Deadline(); ok && d.Before(end) {
		end = d
	}
	c.SetWriteDeadline(end) // the server stops reading, as it should, and a write blocks
	stop := context.AfterFunc(ctx, func() { c.SetWriteDeadline(time.Now()) })
	sent := 0
	for sent+perWrite <= reqs && ctx.Err() == nil {
		if _, err := c.Write(batch); err != nil {
			break
		}
		sent += perWrite
	}
	stop()
	sleep(ctx, time.Until(end)) // the responses stay unread for the whole hold
	st.Sent.Add(int64(sent))
	br := bufio.NewReaderSize(c, 64<<10)
	got := 0
	for got < sent {
		if got%perWrite == 0 { // fails only if 10 s pass without perWrite answers
			c.SetDeadline(time.Now().Add(10 * time.Second))
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			break
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got++
	}
	st.Answered.Add(int64(got))
	st.Failed.Add(int64(sent - got))
}

// halfClose sends a request, shuts down its write side and reads the
// response, which a FIN after the last request must not lose.
func halfClose(ctx context.Context, addr string, st *Stats) {
	c := open(ctx, addr, st)
	if c == nil {
		return
	}
	defer c.Close()
	defer closeOnDone(ctx, c)()
	if _, err := io.WriteString(c, request); err != nil {
		st.Cut.Add(1)
		return
	}
	c.CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	switch {
	case err == nil && resp.StatusCode == 200:
		st.Answered.Add(1)
	case ctx.Err() == nil:
		st.Failed.Add(1)
	}
}

// resetMidBody announces a 1 MiB body, sends 64 KiB of it and resets the
// connection (SO_LINGER 0, so the close sends RST).
func resetMidBody(ctx context.Context, addr string, st *Stats) {
	c := open(ctx, addr, st)
	if c == nil {
		return
	}
	defer closeOnDone(ctx, c)()
	io.WriteString(c, "POST /hello HTTP/1.1\r\nHost: hostile\r\nContent-Length: 1048576\r\n\r\n")
	c.Write(make([]byte, 64<<10))
	c.SetLinger(0)
	c.Close()
}

// resetLarge asks for a body of size bytes, reads the first after of them
// and resets the connection: the server must let go of the rest.
func resetLarge(ctx context.Context, addr string, size, after int, st *Stats) {
	c := open(ctx, addr, st)
	if c == nil {
		return
	}
	defer c.Close()
	defer closeOnDone(ctx, c)()
	if _, err := io.WriteString(c, bytesRequest(size)); err != nil {
		st.Cut.Add(1)
		return
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err == nil {
		_, err = io.CopyN(io.Discard, resp.Body, int64(min(after, size)))
	}
	switch {
	case err == nil && resp.StatusCode == 200:
		st.Answered.Add(1)
	case err == nil:
		st.Failed.Add(1)
	case ctx.Err() == nil:
		st.Cut.Add(1)
	}
	c.SetLinger(0)
}

// oversizedHead sends a head of 2 MiB of fields, which a server must refuse
// (431 or a close) without buffering it all; net/http's default bound is
// 1 MiB.
func oversizedHead(ctx context.Context, addr string, st *Stats) {
	c := open(ctx, addr, st)
	if c == nil {
		return
	}
	defer c.Close()
	defer closeOnDone(ctx, c)()
	field := "X-Big: " + strings.Repeat("b", 1000) + "\r\n"
	head := "GET /hello HTTP/1.1\r\nHost: hostile\r\n" + strings.Repeat(field, 2048) + "\r\n"
	go io.WriteString(c, head) // a server that refuses early stops reading
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil && resp.StatusCode >= 400 && resp.StatusCode < 500 {
		st.Answered.Add(1) // refused with a status
	} else if err == nil && resp.StatusCode == 200 {
		st.Failed.Add(1) // accepted a 1 MiB head
	} else if ctx.Err() == nil {
		st.Cut.Add(1)
	}
}

// idle keeps n connections open that each make one request and then sit
// idle until ctx ends; one the server closes (its keep-alive timeout) is
// counted as cut and opened again, so that n stay open throughout.
func idle(ctx context.Context, addr string, n int, st *Stats) {
	repeat(ctx, n, addr, st, idleOne)
}

// idleOne is one idle connection, until the server closes it or ctx ends.
func idleOne(ctx context.Context, addr string, st *Stats) {
	c := open(ctx, addr, st)
	if c == nil {
		return
	}
	defer c.Close()
	defer closeOnDone(ctx, c)()
	br := bufio.NewReader(c)
	if _, err := io.WriteString(c, request); err != nil {
		return
	}
	resp, err := http.ReadResponse(br, nil)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if err != nil {
		if ctx.Err() == nil {
			st.Failed.Add(1)
		}
		return
	}
	st.Answered.Add(1)
	if _, err := br.ReadByte(); err != nil && ctx.Err() == nil {
		st.Cut.Add(1) // closed by the server, not by the attack's end
	}
}

// malformedRequests are requests every server must refuse with a 4xx or
// 505: a space in a field name, conflicting Content-Lengths, an unknown
// major version, bytes that are no request line.
var malformedRequests = []string{
	"GET /hello HTTP/1.1\r\nHost: hostile\r\nBad Name: x\r\n\r\n",
	"POST /hello HTTP/1.1\r\nHost: hostile\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
	"GET /hello HTTP/9.1\r\nHost: hostile\r\n\r\n",
	"\x00\x01\x02 garbage\r\n\r\n",
}

// malformed sends one malformed request on a fresh connection: a 4xx or 5xx
// answer counts as answered, a 2xx as failed, a close as cut.
func malformed(ctx context.Context, addr string, st *Stats) {
	c := open(ctx, addr, st)
	if c == nil {
		return
	}
	defer c.Close()
	defer closeOnDone(ctx, c)()
	io.WriteString(c, malformedRequests[st.Sent.Load()%int64(len(malformedRequests))])
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	switch {
	case err == nil && resp.StatusCode >= 400:
		st.Answered.Add(1)
	case err == nil:
		st.Failed.Add(1)
	case ctx.Err() == nil:
		st.Cut.Add(1)
	}
}

// Probe sends a fresh well-formed request every interval until ctx ends,
// counting answers, failures (none within 5 s) and the slowest answer.
func Probe(ctx context.Context, addr string, interval time.Duration, st *Stats) {
	for sleep(ctx, interval) {
		st.Sent.Add(1)
		t0 := time.Now()
		if err := Get(addr, 5*time.Second); err != nil {
			st.Failed.Add(1)
			continue
		}
		st.Answered.Add(1)
		d := int64(time.Since(t0))
		for {
			m := st.MaxLatency.Load()
			if d <= m || st.MaxLatency.CompareAndSwap(m, d) {
				break
			}
		}
	}
}

// Get sends one well-formed request on a new connection and requires a 200.
func Get(addr string, timeout time.Duration) error { return get(addr, request, timeout) }

// GetBytes asks for a body of n bytes on a new connection and requires a 200
// and the n bytes.
func GetBytes(addr string, n int, timeout time.Duration) error {
	return get(addr, bytesRequest(n), timeout)
}

func get(addr, request string, timeout time.Duration) error {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, request); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return errors.New(resp.Status)
	}
	if resp.ContentLength < 0 {
		return errors.New("no Content-Length")
	}
	return nil
}

// sleep waits d or until ctx ends, and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

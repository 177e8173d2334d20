package engine

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// heldBytes returns what the server's connections hold on their loops:
// output not taken by the socket (the engine's and gnet's) and request
// bytes read but not served.
func heldBytes(t *testing.T, s *Server) (out, in int) {
	t.Helper()
	eachConn(t, s, func(c *conn) {
		out += c.unsent() + c.gc.OutboundBuffered()
		if !c.inWorker {
			out += len(c.out) // a worker's own buffer is its business
		}
		in += c.gc.InboundBuffered()
	})
	return out, in
}

// eachConn calls f with each of the server's connections, on its loop, one
// loop after the other.
func eachConn(t *testing.T, s *Server, f func(c *conn)) {
	t.Helper()
	for _, l := range *s.loops.Load() {
		done := make(chan struct{})
		err := l.ev.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
			defer close(done)
			for _, c := range l.conns {
				f(c)
			}
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		<-done
	}
}

// maxHeld samples heldBytes until the client has stopped making progress
// (written stays put for 300 ms, or 5 s pass) and returns the largest values.
func maxHeld(t *testing.T, s *Server, written *atomic.Int64) (out, in int) {
	t.Helper()
	last, still := int64(-1), 0
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && still < 30; {
		o, i := heldBytes(t, s)
		out, in = max(out, o), max(in, i)
		if w := written.Load(); w == last {
			still++
		} else {
			last, still = w, 0
		}
		time.Sleep(10 * time.Millisecond)
	}
	return out, in
}

// pipeline writes n requests for target on c from a goroutine, counting the
// bytes the socket took; the returned channel gets the writer's result.
func pipeline(c net.Conn, n int, target func(i int) string, written *atomic.Int64) <-chan error {
	done := make(chan error, 1)
	go func() {
		var b []byte
		for i := 0; i < n; i++ {
			b = append(b, "GET "+target(i)+" HTTP/1.1\r\nHost: x\r\n\r\n"...)
			if len(b) >= 16<<10 || i == n-1 {
				k, err := c.Write(b)
				written.Add(int64(k))
				if err != nil {
					done <- err
					return
				}
				b = b[:0]
			}
		}
		done <- nil
	}()
	return done
}

// dialSlowReader dials a connection that the test reads late: a small
// receive buffer, so that the server's output backs up sooner.
func dialSlowReader(t *testing.T, addr string) *net.TCPConn {
	c := dialServer(t, addr).(*net.TCPConn)
	c.SetDeadline(time.Now().Add(60 * time.Second))
	c.SetReadBuffer(64 << 10)
	return c
}

// readAll reads n responses from br and checks each body with want.
func readAll(t *testing.T, br *bufio.Reader, n int, want func(i int, body []byte) bool) {
	t.Helper()
	for i := 0; i < n; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d of %d: %v", i, n, err)
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil || !want(i, b) {
			t.Fatalf("response %d: %d bytes, %v", i, len(b), err)
		}
	}
}

// TestUnreadPipelinedBounded pipelines requests whose responses (20 MiB in
// all) far exceed the socket buffers and reads nothing: the server must
// hold at most about MaxUnsentOutput of them, and every one must arrive, in
// order, once the client reads.
func TestUnreadPipelinedBounded(t *testing.T) {
	const n, size, bound = 20000, 1 << 10, 64 << 10
	body := strings.Repeat("x", size-8)
	for _, workers := range []int{0, 2} {
		t.Run("workers="+strconv.Itoa(workers), func(t *testing.T) {
			s, addr := startServer(t, func(w *Response, r *Request) {
				w.Write(r.Path()[1:]) // 8 digits
				w.WriteString(body)
			}, &Options{NumLoops: 1, MaxUnsentOutput: bound, Workers: workers})
			c := dialSlowReader(t, addr)
			var written atomic.Int64
			done := pipeline(c, n, func(i int) string { return "/" + pad8(i) }, &written)
			out, in := maxHeld(t, s, &written)
			if limit := bound + 4*size; out > limit {
				t.Errorf("server held %d bytes of output; want <= %d", out, limit)
			}
			if in > 128<<10 {
				t.Errorf("server held %d bytes of requests; want <= 128 KiB", in)
			}
			readAll(t, bufio.NewReader(c), n, func(i int, b []byte) bool {
				return len(b) == size && string(b[:8]) == pad8(i)
			})
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			t.Logf("held at most %d bytes of output, %d of requests", out, in)
		})
	}
}

func pad8(i int) string {
	s := strconv.Itoa(i)
	return strings.Repeat("0", 8-len(s)) + s
}

// TestUnreadLargeBodiesBounded asks for 1 MiB bodies, pipelined, and reads
// nothing: the server holds about one body beyond the bound, not all.
func TestUnreadLargeBodiesBounded(t *testing.T) {
	const n, size, bound = 24, 1 << 20, 256 << 10
	big := strings.Repeat("0123456789abcdef", size/16)
	for _, workers := range []int{0, 2} {
		t.Run("workers="+strconv.Itoa(workers), func(t *testing.T) {
			s, addr := startServer(t, func(w *Response, r *Request) {
				w.WriteString(big)
			}, &Options{NumLoops: 1, Workers: workers, MaxUnsentOutput: bound})
			c := dialSlowReader(t, addr)
			var written atomic.Int64
			done := pipeline(c, n, func(int) string { return "/" }, &written)
			out, _ := maxHeld(t, s, &written)
			if limit := bound + 2*size; out > limit {
				t.Errorf("server held %d bytes of output; want <= %d", out, limit)
			}
			readAll(t, bufio.NewReader(c), n, func(_ int, b []byte) bool { return string(b) == big })
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			t.Logf("held at most %d bytes of output", out)
		})
	}
}

// bodyStreamer writes total bytes in chunks while the response is not Full,
// and goes on from OnDrain.
type bodyStreamer struct {
	chunk []byte
	total int
	sent  int
}

func (s *bodyStreamer) OnDrain(w *Response) { s.write(w) }

func (s *bodyStreamer) write(w *Response) {
	for s.sent < s.total && !w.Full() {
		n := min(len(s.chunk), s.total-s.sent)
		w.Write(s.chunk[:n])
		s.sent += n
	}
	if s.sent == s.total {
		w.End()
	}
}

// TestStreamedResponseBackPressure streams a 32 MiB body to a client that
// reads nothing for a while: an inline handler that stops when Full and
// goes on in OnDrain, and a worker whose flushes wait by themselves, hold
// about MaxUnsentOutput, and the whole body arrives once the client reads.
func TestStreamedResponseBackPressure(t *testing.T) {
	const total, bound = 32 << 20, 128 << 10
	chunk := []byte(strings.Repeat("z", 16<<10))
	inline := func(w *Response, r *Request) {
		s := &bodyStreamer{chunk: chunk, total: total}
		w.SetContentLength(total)
		w.Flush()
		w.SetDrainHandler(s)
		w.Detach()
		s.write(w)
	}
	worker := func(w *Response, r *Request) {
		w.SetContentLength(total)
		for sent := 0; sent < total; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.Flush()
		}
	}
	for _, tt := range []struct {
		name    string
		h       Handler
		workers int
	}{{"inline", inline, 0}, {"worker", worker, 2}} {
		t.Run(tt.name, func(t *testing.T) {
			s, addr := startServer(t, tt.h, &Options{NumLoops: 1, Workers: tt.workers, MaxUnsentOutput: bound})
			c := dialSlowReader(t, addr)
			var written atomic.Int64
			done := pipeline(c, 1, func(int) string { return "/" }, &written)
			time.Sleep(300 * time.Millisecond) // let the socket buffers fill
			var out int
			for i := 0; i < 20; i++ {
				o, _ := heldBytes(t, s)
				out = max(out, o)
				time.Sleep(10 * time.Millisecond)
			}
			if limit := bound + 2*len(chunk) + flushThreshold; out > limit {
				t.Errorf("server held %d bytes of output; want <= %d", out, limit)
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, resp.Body); n != total || err != nil {
				t.Fatalf("read %d bytes (%v); want %d", n, err, total)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			t.Logf("held at most %d bytes of output", out)
		})
	}
}

// TestPipelinedDrainReusesBuffers pipelines requests whose responses (21
// MiB) back up, then reads them all: while the requests keep coming the
// connection must reuse its output buffers, not grow new ones for every
// read's ~250 KiB of responses (that garbage took the 10 x 100,000
// unread pipelined requests to +25 MiB of RSS), and once the peer has
// nothing more to send it must keep no more than maxKeptBuf of them.
func TestPipelinedDrainReusesBuffers(t *testing.T) {
	const n, size = 20000, 1 << 10
	body := strings.Repeat("x", size)
	s, addr := startServer(t, func(w *Response, r *Request) { w.WriteString(body) }, &Options{NumLoops: 1})

	// One response's length: they differ only in their Date line's value.
	one := dialServer(t, addr)
	io.WriteString(one, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	var resp []byte
	for buf := make([]byte, 4096); !strings.HasSuffix(string(resp), body); {
		k, err := one.Read(buf)
		if err != nil {
			t.Fatalf("one response: %v after %q", err, resp)
		}
		resp = append(resp, buf[:k]...)
	}

	c := dialSlowReader(t, addr)
	var written atomic.Int64
	done := pipeline(c, n, func(int) string { return "/" }, &written)
	maxHeld(t, s, &written) // until the writer stalls: the output has backed up
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if k, err := io.CopyN(io.Discard, c, int64(n*len(resp))); err != nil {
		t.Fatalf("read %d of %d response bytes: %v", k, n*len(resp), err)
	}
	runtime.ReadMemStats(&after)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	total := n * len(resp)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(total/4) {
		t.Errorf("allocated %d bytes while sending %d bytes of responses; want <= %d", alloc, total, total/4)
	}

	// Once the peer sends nothing more, the large buffers go.
	deadline := time.Now().Add(5 * time.Second)
	for {
		outCap, sendCap := bufferCaps(t, s)
		if outCap <= maxKeptBuf && sendCap <= maxKeptBuf {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connection keeps output buffers of %d and %d bytes; want <= %d", outCap, sendCap, maxKeptBuf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// bufferCaps returns the largest capacities of the server's connections'
// out and send buffers.
func bufferCaps(t *testing.T, s *Server) (outCap, sendCap int) {
	t.Helper()
	eachConn(t, s, func(c *conn) {
		outCap, sendCap = max(outCap, cap(c.out)), max(sendCap, cap(c.send))
	})
	return outCap, sendCap
}

package compat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
)

// phaseServer records what one request's bytes arrive as, step by step:
// once bytes have come and 100 ms passed without more, the step's piece is
// recorded and a value sent on next, and the writer takes its next step
// only then, so a slow reader cannot merge two steps. The head's field
// lines are sorted (Node's field order differs, see README) and the port
// masked. It answers once the request is complete and sends the record on
// the returned channel.
func phaseServer(t *testing.T) (port int, rec <-chan string, next <-chan struct{}) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	port = ln.Addr().(*net.TCPAddr).Port
	recc, nextc := make(chan string, 1), make(chan struct{}, 4)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var all []byte
		var phases []string
		buf := make([]byte, 64<<10)
		start := 0
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			n, err := c.Read(buf)
			all = append(all, buf[:n]...)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && len(all) > start {
				phases = append(phases, string(all[start:]))
				start = len(all)
				nextc <- struct{}{}
				if complete(all) {
					break
				}
				continue
			}
			if err != nil && !errors.As(err, &ne) {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		if len(phases) > 0 {
			if head, body, ok := strings.Cut(phases[0], "\r\n\r\n"); ok {
				lines := strings.Split(head, "\r\n")
				sort.Strings(lines[1:])
				phases[0] = strings.Join(lines, "\r\n") + "\r\n\r\n" + body
			}
		}
		r := strings.ReplaceAll(strings.Join(phases, "\n|"), fmt.Sprint(port), "PORT")
		recc <- strings.ReplaceAll(r, "\r\n", `\r\n`)
	}()
	return port, recc, nextc
}

// awaitStep waits for the server to have recorded a step.
func awaitStep(t *testing.T, next <-chan struct{}, step string) {
	t.Helper()
	select {
	case <-next:
	case <-time.After(10 * time.Second):
		t.Fatalf("nothing arrived after %s", step)
	}
}

// complete reports whether b holds a whole request.
func complete(b []byte) bool {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		return false
	}
	_, err = io.ReadAll(req.Body)
	return err == nil
}

// TestClientWriteMatchesNode: the head goes out with the first Write (or
// at FlushHeaders) and each Write as one chunk, or as raw bytes under a
// Content-Length, as node sends them (before, nothing went out until End);
// a GET's flushed head has no framing field (getflush; before, it was
// chunked).
func TestClientWriteMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	for _, mode := range []string{"chunked", "length", "flush", "getflush"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			port, rec, next := phaseServer(t)
			cmd := exec.Command(node, "testdata/client_write.js", fmt.Sprint(port), mode)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			steps := 2
			if strings.HasSuffix(mode, "flush") {
				steps = 1
			}
			for i := 0; i < steps; i++ {
				awaitStep(t, next, "node's step")
				io.WriteString(stdin, "\n")
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("node: %v", err)
			}
			want := <-rec

			port, rec, next = phaseServer(t)
			opts := &RequestOptions{Host: "127.0.0.1", Port: port, Method: "POST", NoAgent: true}
			if mode == "length" {
				opts.Headers = map[string]string{"Content-Length": "7"}
			}
			if mode == "getflush" {
				opts.Method = "GET"
			}
			done := make(chan struct{})
			r, err := Request("", opts, func(res *IncomingMessage) {
				res.OnEnd(func() { close(done) })
				res.Resume()
			})
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(mode, "flush") {
				r.FlushHeaders()
				awaitStep(t, next, "FlushHeaders")
			} else {
				r.WriteString("abc")
				awaitStep(t, next, "the first write")
				r.WriteString("defg")
				awaitStep(t, next, "the second write")
			}
			r.End(nil)
			var got string
			select {
			case got = <-rec:
			case <-time.After(10 * time.Second):
				t.Fatal("no request")
			}
			if got != want {
				t.Errorf("compat sent:\n%s\nnode sent:\n%s", got, want)
			}
			t.Logf("sent:\n%s", got)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("no response")
			}
		})
	}
}

// TestClientDestroyWhileWriting: Destroy during a written body closes the
// connection at once (the engine's writer was waiting for the next Write)
// and fails the request with "socket hang up".
func TestClientDestroyWhileWriting(t *testing.T) {
	port, closed := holdFirstServer(t)
	r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, Method: "POST", NoAgent: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	r.OnError(func(err error) { errc <- err })
	r.WriteString("abc")
	time.Sleep(100 * time.Millisecond)
	r.Destroy(nil)
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the connection stayed open")
	}
	if err := <-errc; err != ErrSocketHangUp {
		t.Fatalf("error %v; want %v", err, ErrSocketHangUp)
	}
}

// TestClientWriteDrain: a writer that waits for 'drain' whenever
// WritableNeedDrain reports true uploads 32 MiB to a server that reads
// late, with at most a high-water mark and a piece queued in compat.
func TestClientWriteDrain(t *testing.T) {
	const total, piece = 32 << 20, 64 << 10
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		time.Sleep(300 * time.Millisecond) // let the socket and compat fill
		n, _ := io.Copy(io.Discard, req.Body)
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%d", len(fmt.Sprint(n)), n)
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	got := make(chan string, 1)
	r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, Method: "PUT", NoAgent: true}, func(res *IncomingMessage) {
		var b []byte
		res.OnData(func(c []byte) { b = append(b, c...) })
		res.OnEnd(func() { got <- string(b) })
	})
	if err != nil {
		t.Fatal(err)
	}
	drained := make(chan struct{}, 1)
	r.OnDrain(func() {
		select {
		case drained <- struct{}{}:
		default:
		}
	})
	r.OnError(func(err error) { t.Error(err) })
	buf := bytes.Repeat([]byte("u"), piece)
	waits, most := 0, 0
	for sent := 0; sent < total; sent += piece {
		r.Write(buf)
		r.wbody.mu.Lock()
		most = max(most, r.wbody.queued)
		r.wbody.mu.Unlock()
		if r.WritableNeedDrain() {
			waits++
		}
		for r.WritableNeedDrain() { // a signal may be an earlier drain's
			select {
			case <-drained:
			case <-time.After(10 * time.Second):
				t.Fatal("no drain")
			}
		}
	}
	r.End(nil)
	select {
	case s := <-got:
		if s != fmt.Sprint(total) {
			t.Fatalf("server got %s bytes; want %d", s, total)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no response")
	}
	if waits == 0 || most > writableHighWaterMark+piece {
		t.Fatalf("waited for drain %d times, most queued %d; want waits and at most %d", waits, most, writableHighWaterMark+piece)
	}
}

// TestClientWriteDestroyedMatchesNode: a write to a destroyed request
// returns false and calls its callback with ERR_STREAM_DESTROYED (after
// End, ERR_STREAM_WRITE_AFTER_END), with no 'error' event of its own, as
// in Node (before, it was ERR_STREAM_WRITE_AFTER_END and an 'error').
// Events as client_write_destroyed.js prints them with node v20 against a
// closed port: the request is destroyed before it connects.
func TestClientWriteDestroyedMatchesNode(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	for _, mode := range []string{"destroyed", "ended"} {
		t.Run(mode, func(t *testing.T) {
			want := runNode(t, "testdata/client_write_destroyed.js", fmt.Sprint(port), mode)
			tr := &trace{}
			done := make(chan struct{})
			r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, Method: "POST", NoAgent: true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			r.OnError(func(err error) { tr.add("error %s", errCodeMessage(err)) })
			r.OnClose(func() {
				tr.add("close")
				time.AfterFunc(100*time.Millisecond, func() { close(done) })
			})
			if mode == "ended" {
				r.EndString("x")
			}
			r.Destroy(nil)
			ok := r.WriteChunkString("y", func(err error) { tr.add("write cb %s", errCodeMessage(err)) })
			// Destroy's events come on a goroutine of their own, which
			// may run before this one goes on: the result goes first, as
			// node prints it before its next tick.
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("not done; so far:\n%s", tr)
			}
			if got := fmt.Sprintf("write %v\n%s", ok, tr); got != want {
				t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
			}
		})
	}
}

// TestClientWriteAfterBodilessHead: a GET whose head went out with no
// framing field (FlushHeaders) has no body: a Write with data is refused
// with ERR_HTTP_BODY_NOT_ALLOWED (WriteChunk: false, its callback and
// 'error'), nothing of it is sent, and the request goes on to its
// response. Node sends such bytes unframed, for the server to read as its
// next request.
func TestClientWriteAfterBodilessHead(t *testing.T) {
	port, rec := recordServer(t, func(c net.Conn, _ int) string {
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		var all []byte
		buf := make([]byte, 4096)
		for !bytes.Contains(all, []byte("\r\n\r\n")) {
			n, err := c.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil {
				break
			}
		}
		// Anything written after the head would come within this wait.
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		for {
			n, err := c.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return string(all)
	})
	status := make(chan int, 1)
	r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, NoAgent: true}, func(res *IncomingMessage) {
		status <- res.StatusCode
		res.Resume()
	})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	r.OnError(func(err error) { errs <- err })
	r.FlushHeaders()
	if _, err := r.WriteString("abc"); err != ErrBodyNotAllowed {
		t.Errorf("WriteString: %v; want ErrBodyNotAllowed", err)
	}
	cbErr := make(chan error, 1)
	if r.WriteChunkString("def", func(err error) { cbErr <- err }) {
		t.Error("WriteChunkString returned true")
	}
	r.End(nil)
	for what, ch := range map[string]chan error{"callback": cbErr, "'error'": errs} {
		select {
		case err := <-ch:
			if err != ErrBodyNotAllowed {
				t.Errorf("%s: %v; want ErrBodyNotAllowed", what, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s", what)
		}
	}
	select {
	case s := <-status:
		if s != 200 {
			t.Errorf("status %d", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no response")
	}
	got := awaitRecord(t, rec)
	if want := fmt.Sprintf("GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n", port); got != want {
		t.Errorf("server got %q; want %q", got, want)
	}
	select {
	case err := <-errs:
		t.Errorf("another 'error': %v", err)
	case <-time.After(100 * time.Millisecond):
	}
}

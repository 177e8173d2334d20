package engine

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// hashHandler reads the body through BodyReader on a worker and answers
// "<bytes> <sha256> <trailer X-Sum>".
func hashHandler(w *Response, r *Request) {
	h := sha256.New()
	n, err := io.Copy(h, r.BodyReader())
	if err != nil {
		w.SetStatus(400)
		w.WriteString(err.Error())
		return
	}
	sum := ""
	if t := r.Trailers(); t != nil {
		v, _ := t.Get("X-Sum")
		sum = string(v)
	}
	fmt.Fprintf(w, "%d %s %s", n, hex.EncodeToString(h.Sum(nil)), sum)
}

// TestWorkerStreamedBody uploads bodies larger than MaxBufferedBody to a
// worker handler with Go's client: with a Content-Length, chunked with a
// trailer, and a small one that is buffered; then a request on the same
// connection. Before the pipe, bodies over the limit got 413 on a worker.
func TestWorkerStreamedBody(t *testing.T) {
	_, addr := startServer(t, hashHandler, &Options{Workers: 2, MaxBufferedBody: 4 << 10, StreamBodies: true})
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	sum := sha256.Sum256(payload)
	want := fmt.Sprintf("%d %s ", len(payload), hex.EncodeToString(sum[:]))
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()

	post := func(body io.Reader, length int64, trailer http.Header) string {
		t.Helper()
		req, _ := http.NewRequest("POST", "http://"+addr+"/", body)
		req.ContentLength = length
		req.Trailer = trailer
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		return string(b)
	}
	if got := post(bytes.NewReader(payload), int64(len(payload)), nil); got != want {
		t.Fatalf("Content-Length upload: %q; want %q", got, want)
	}
	// Chunked (length unknown), with a trailer set once the body is read.
	tr := http.Header{"X-Sum": nil}
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < len(payload); i += 10000 {
			pw.Write(payload[i:min(i+10000, len(payload))])
		}
		tr.Set("X-Sum", "ok")
		pw.Close()
	}()
	if got := post(pr, -1, tr); got != want+"ok" {
		t.Fatalf("chunked upload: %q; want %q", got+"", want+"ok")
	}
	small := []byte("hello")
	smallSum := sha256.Sum256(small)
	if got := post(bytes.NewReader(small), 5, nil); got != "5 "+hex.EncodeToString(smallSum[:])+" " {
		t.Fatalf("buffered body: %q", got)
	}
}

// TestWorkerBodyBackPressure has a worker read a 256 MiB body slowly at
// first: the client's writes must stall at the pipe, the connection buffer
// and the socket buffers, not at server memory, and finish once it reads.
func TestWorkerBodyBackPressure(t *testing.T) {
	requireLinux(t, "pausing reads")
	started := make(chan struct{})
	release := make(chan struct{})
	_, addr := startServer(t, func(w *Response, r *Request) {
		close(started)
		<-release
		n, err := io.Copy(io.Discard, r.BodyReader())
		fmt.Fprintf(w, "%d %v", n, err)
	}, &Options{Workers: 1, NumLoops: 1, MaxBufferedBody: 64 << 10, StreamBodies: true, MaxBodyBytes: -1})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // runs before the server's cleanup, which waits for the worker
	c := dialServer(t, addr)
	c.SetDeadline(time.Now().Add(60 * time.Second))
	const size = 256 << 20
	u := startUpload(c, size)
	<-started
	stalled := u.requireStalled(t)
	free()
	if err := <-u.done; err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != strconv.Itoa(size)+" <nil>" {
		t.Fatalf("worker read %q; want %d (stalled at %d)", b, size, stalled)
	}
	t.Logf("stalled at %d bytes in flight", stalled)
}

// TestWorkerBodyAborted covers the ways a streamed body ends early: the
// client goes away mid-body, a malformed chunk, and MaxBodyBytes. The
// worker's reader gets ErrBodyAborted instead of waiting for ever.
func TestWorkerBodyAborted(t *testing.T) {
	errs := make(chan error, 1)
	_, addr := startServer(t, func(w *Response, r *Request) {
		_, err := io.Copy(io.Discard, r.BodyReader())
		errs <- err
		w.WriteString("done")
	}, &Options{Workers: 1, MaxBufferedBody: 1024, StreamBodies: true, MaxBodyBytes: 1 << 20})
	for _, tc := range []struct {
		name, req string
		hangUp    bool
	}{
		{"client gone", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + strings.Repeat("a", 5000), true},
		{"bad chunk", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + strings.Repeat("a", 2048) + "\r\nzz\r\n", false},
		// A declared length over the limit is refused with 413 before any
		// handler runs; a chunked body finds out on the way.
		{"too large", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
			strings.Repeat("10000\r\n"+strings.Repeat("a", 0x10000)+"\r\n", 17), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialServer(t, addr)
			go io.WriteString(c, tc.req)
			if tc.hangUp {
				time.Sleep(100 * time.Millisecond)
				c.Close()
			}
			select {
			case err := <-errs:
				if !errors.Is(err, ErrBodyAborted) {
					t.Fatalf("reader error %v; want ErrBodyAborted", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the worker's reader still waits")
			}
			if !tc.hangUp {
				// The response goes out, then the connection closes.
				b, _ := io.ReadAll(c)
				if !strings.HasSuffix(string(b), "done") || !strings.Contains(string(b), "Connection: close") {
					t.Fatalf("response %q", b)
				}
			}
		})
	}
}

// TestWorkerBodyUnread answers a large body without reading it: the
// response goes out and the connection closes, as on the loop.
func TestWorkerBodyUnread(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		w.WriteString("no thanks")
	}, &Options{Workers: 1, MaxBufferedBody: 1024, StreamBodies: true})
	c := dialServer(t, addr)
	go io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"+strings.Repeat("a", 100000))
	b, _ := io.ReadAll(c)
	if !strings.HasSuffix(string(b), "no thanks") || !strings.Contains(string(b), "Connection: close") {
		t.Fatalf("response %q", b)
	}
}

// TestWorkerCheckContinue: with CheckContinue, a worker handler gets the
// head at once, agrees with WriteContinue, and then reads the body, which
// the client sends only after the 100.
func TestWorkerCheckContinue(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		w.WriteContinue()
		b, err := io.ReadAll(r.BodyReader())
		fmt.Fprintf(w, "%s %v", b, err)
	}, &Options{Workers: 1, CheckContinue: true})
	c := dialServer(t, addr)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("first line %q, %v; want 100 Continue", line, err)
	}
	if blank, _ := br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("after 100: %q", blank)
	}
	io.WriteString(c, "hello")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "hello <nil>" {
		t.Fatalf("body %q", b)
	}
}

// TestWorkerTrailersPastFullPipe ends a chunked body with a trailer section
// longer than the room left in the pipe: the trailers must still be read
// (they take no room), or the worker would wait for an end that the loop
// never decodes.
func TestWorkerTrailersPastFullPipe(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		time.Sleep(100 * time.Millisecond) // let the loop fill the pipe first
		b, err := io.ReadAll(r.BodyReader())
		v, _ := r.Trailers().Get("X-Long")
		fmt.Fprintf(w, "%s %v %s", b, err, v)
	}, &Options{Workers: 1, MaxBufferedBody: 16, StreamBodies: true})
	c := dialServer(t, addr)
	long := strings.Repeat("t", 60)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"e\r\n0123456789abcd\r\n"+ // 14 bytes: the pipe (16) has 2 left
		"3\r\nefg\r\n"+ // more than the pipe holds: the loop waits for the reader
		"0\r\nX-Long: "+long+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "0123456789abcdefg <nil> "+long {
		t.Fatalf("body %q", b)
	}
}

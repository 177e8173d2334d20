//go:build linux

package engine

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fdChildEnv makes the test binary a server whose descriptor limit is low:
// TestAcceptSurvivesFDExhaustion runs itself again as that child.
const fdChildEnv = "ZEROHTTP_FDLIMIT_CHILD"

// fdHeadroom is how many descriptors the child may open beyond those open
// once its server is listening.
const fdHeadroom = 48

// TestAcceptSurvivesFDExhaustion floods a server, whose RLIMIT_NOFILE is a
// few dozen descriptors above what it uses at rest, with more connections
// than it may open. Accept fails with EMFILE; the server must keep serving
// the keep-alive connections it has, and once the flood closes it must
// accept and serve a fresh client. The limit is lowered after Start, so
// the default MaxConns, derived from the limit at Start, does not apply.
func TestAcceptSurvivesFDExhaustion(t *testing.T) {
	if os.Getenv(fdChildEnv) != "" {
		fdLimitChild()
		return
	}
	addr, stderr := startFDChild(t, "after")
	floodFDChild(t, addr, stderr, "too many open files")
}

// TestConnLimitKeepsDescriptors floods a server started with RLIMIT_NOFILE
// a few dozen descriptors above what the process uses: the default
// MaxConns, derived from that limit, must stop the acceptor before the
// descriptors run out (no EMFILE), the open keep-alive connections must
// keep working, and a fresh client must be served once the flood closes.
func TestConnLimitKeepsDescriptors(t *testing.T) {
	if os.Getenv(fdChildEnv) != "" {
		fdLimitChild()
		return
	}
	addr, stderr := startFDChild(t, "before")
	floodFDChild(t, addr, stderr, "connections open (Options.MaxConns)")
	if log := stderr.String(); strings.Contains(log, "too many open files") {
		t.Fatalf("the server ran out of descriptors with MaxConns at its default:\n%s", log)
	}
}

// startFDChild runs the test binary again as a server whose descriptor
// limit is fdHeadroom above what it uses, lowered after its Start (mode
// "after") or before it ("before"). It returns the server's address and
// its log; the child stops at the end of the test.
func startFDChild(t *testing.T, mode string) (string, *lockedBuffer) {
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), fdChildEnv+"="+mode)
	stderr := new(lockedBuffer)
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	br := bufio.NewReader(stdout)
	line, err := br.ReadString('\n')
	go func() {
		io.Copy(io.Discard, br)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		stdin.Close() // the child exits when its stdin closes
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("child's log:\n%s", stderr.String())
		}
	})
	if err != nil {
		t.Fatalf("reading the child's address: %v", err)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, "addr ")), stderr
}

// floodFDChild opens four keep-alive connections to the child at addr,
// floods it with connections until its log says logged, checks that the
// keep-alive connections still work, closes the flood and requires a fresh
// client to be served.
func floodFDChild(t *testing.T, addr string, stderr *lockedBuffer, logged string) {
	get := func(c net.Conn, br *bufio.Reader) error {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, "GET /ka HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil || string(body) != "Hello, World!" {
			return fmt.Errorf("body %q, %v", body, err)
		}
		return nil
	}
	type kaConn struct {
		c  net.Conn
		br *bufio.Reader
	}
	var kept []kaConn
	for i := 0; i < 4; i++ {
		c := dialServer(t, addr)
		kc := kaConn{c, bufio.NewReader(c)}
		if err := get(kc.c, kc.br); err != nil {
			t.Fatalf("keep-alive connection %d before the flood: %v", i, err)
		}
		kept = append(kept, kc)
	}

	// The flood: the handshakes complete in the kernel whether or not the
	// server accepts, so the dials succeed; the server runs out of
	// descriptors accepting them, or stops at MaxConns.
	var flood []net.Conn
	t.Cleanup(func() {
		for _, c := range flood {
			c.Close()
		}
	})
	for i := 0; i < 4*fdHeadroom; i++ {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("flood dial %d: %v", i, err)
		}
		flood = append(flood, c)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), logged) {
		if time.Now().After(deadline) {
			t.Fatalf("the child never logged %q", logged)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i, kc := range kept {
		if err := get(kc.c, kc.br); err != nil {
			t.Fatalf("keep-alive connection %d during the flood: %v", i, err)
		}
	}
	for _, c := range flood {
		c.Close()
	}

	// A fresh client is served once the flood's descriptors are free again.
	// The server frees them as it reads each flood connection's EOF, and
	// may first accept flood connections still in its backlog, so a fresh
	// client may be refused (reset) a few times before one is served.
	deadline = time.Now().Add(10 * time.Second)
	for {
		c := dialServer(t, addr)
		err := get(c, bufio.NewReader(c))
		c.Close()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fresh client after the flood, still failing after 10 s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, kc := range kept {
		if err := get(kc.c, kc.br); err != nil {
			t.Fatalf("keep-alive connection %d after the flood: %v", i, err)
		}
	}
}

// fdLimitChild serves hello-world with a low descriptor limit until its
// stdin closes. It prints "addr HOST:PORT" once listening.
func fdLimitChild() {
	s := NewServer(helloHandler, &Options{NumLoops: 2})
	before := os.Getenv(fdChildEnv) == "before"
	if before {
		lowerFDLimit()
	}
	if err := s.Start("tcp://127.0.0.1:0"); err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		os.Exit(1)
	}
	if !before {
		lowerFDLimit()
	}
	fmt.Printf("addr %s\n", s.Addr())
	io.Copy(io.Discard, os.Stdin)
	s.Close()
	os.Exit(0)
}

// lowerFDLimit sets the soft RLIMIT_NOFILE fdHeadroom above the descriptors open.
func lowerFDLimit() {
	open, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lim := syscall.Rlimit{Cur: uint64(len(open) + fdHeadroom)}
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &cur); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lim.Max = cur.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Fprintln(os.Stderr, "setrlimit:", err)
		os.Exit(1)
	}
}

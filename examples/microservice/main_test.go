package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestREADMEShowsMain checks that the README's microservice is this
// program's main function, so that what the README shows is what
// TestMicroservice runs.
func TestREADMEShowsMain(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "(examples/microservice/main.go)")
	_, block, ok2 := strings.Cut(after, "```go\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README.md has no go block after its link to examples/microservice/main.go")
	}
	_, body, ok := strings.Cut(string(src), "\nfunc main() {\n")
	body, _, ok2 = strings.Cut(body, "\n}\n")
	if !ok || !ok2 {
		t.Fatal("main.go has no main function")
	}
	var indented strings.Builder
	for _, line := range strings.SplitAfter(strings.TrimSuffix(block, "\n"), "\n") {
		if line != "\n" {
			indented.WriteString("\t")
		}
		indented.WriteString(line)
	}
	if indented.String() != body {
		t.Errorf("README.md's microservice is not main.go's main:\nREADME:\n%s\nmain.go:\n%s", indented.String(), body)
	}
}

// stockService is the downstream the microservice calls: GET /stock/ITEM
// answers {"Count": len(ITEM)}; "gone" is not found, "slow" waits for its
// caller to leave (then reports it on left), "held" waits for release.
type stockService struct {
	*httptest.Server
	conns   atomic.Int32
	seen    chan string
	left    chan string
	release chan struct{}
	once    sync.Once
}

func (s *stockService) releaseHeld() { s.once.Do(func() { close(s.release) }) }

func newStockService(t *testing.T) *stockService {
	s := &stockService{seen: make(chan string, 16), left: make(chan string, 16), release: make(chan struct{})}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		item := strings.TrimPrefix(r.URL.Path, "/stock/")
		switch item {
		case "gone":
			http.NotFound(w, r)
			return
		case "slow":
			s.seen <- item
			<-r.Context().Done()
			s.left <- item
			return
		case "held":
			s.seen <- item
			<-s.release
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"Count":%d}`, len(item))
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	t.Cleanup(s.releaseHeld) // before Close, which waits for the handlers
	return s
}

// buildService builds this command into a temporary directory.
func buildService(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "microservice")
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// wait receives from ch, failing the test after 10 s.
func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no sign of %s after 10 s", what)
		panic("unreachable")
	}
}

type result struct {
	status int
	body   string
	err    error
}

func call(ctx context.Context, c *http.Client, method, url, body string) result {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return result{err: err}
	}
	resp, err := c.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{resp.StatusCode, string(b), err}
}

// TestMicroservice runs the README's microservice as its user would: built,
// started with its flags, called over HTTP, and stopped with SIGTERM while a
// request is in flight.
func TestMicroservice(t *testing.T) {
	stock := newStockService(t)
	bin := buildService(t)
	addr := freeAddr(t)
	cmd := exec.Command(bin, "-addr", addr, "-stock", stock.URL)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() {
		exitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	base := "http://" + addr
	c := &http.Client{Timeout: 10 * time.Second}
	bg := context.Background()
	var r result
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if r = call(bg, c, "GET", base+"/users/42", ""); r.err == nil || time.Now().After(deadline) {
			break
		}
	}
	if r != (result{200, `{"id":"42"}` + "\n", nil}) {
		t.Fatalf("GET /users/42 = %+v; output:\n%s", r, stderr.String())
	}
	if r := call(bg, c, "DELETE", base+"/users/42", ""); r.status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /users/42 = %+v; want 405", r)
	}
	for i := 0; i < 5; i++ {
		if r := call(bg, c, "POST", base+"/orders", `{"Item":"book"}`); r != (result{201, `{"item":"book","stock":4}` + "\n", nil}) {
			t.Fatalf("order %d = %+v", i, r)
		}
	}
	if n := stock.conns.Load(); n != 1 {
		t.Errorf("5 orders opened %d connections to the stock service; want 1 (keep-alive)", n)
	}
	if r := call(bg, c, "POST", base+"/orders", `{"Item":`); r.status != http.StatusBadRequest {
		t.Errorf("order with a cut JSON body = %+v; want 400", r)
	}
	if r := call(bg, c, "POST", base+"/orders", `{"Item":"gone"}`); r.status != http.StatusBadGateway {
		t.Errorf("order of an item the stock service does not know = %+v; want 502", r)
	}

	// A client that gives up cancels the downstream call: the stock
	// service sees its caller leave.
	ctx, cancel := context.WithCancel(bg)
	gaveUp := make(chan result, 1)
	go func() { gaveUp <- call(ctx, c, "POST", base+"/orders", `{"Item":"slow"}`) }()
	wait(t, stock.seen, "the slow order to reach the stock service")
	cancel()
	select {
	case <-stock.left:
	case <-time.After(5 * time.Second):
		t.Fatal("the downstream call went on after the client left")
	}
	if r := wait(t, gaveUp, "the cancelled order"); r.err == nil {
		t.Errorf("cancelled order = %+v; want an error", r)
	}

	// SIGTERM while an order is in flight: the listener closes, the order
	// is answered, then the process exits 0.
	inFlight := make(chan result, 1)
	go func() { inFlight <- call(bg, c, "POST", base+"/orders", `{"Item":"held"}`) }()
	wait(t, stock.seen, "the held order to reach the stock service")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 5 s after SIGTERM")
		}
	}
	select {
	case <-exited:
		t.Fatalf("exited (%v) with an order in flight; output:\n%s", exitErr, stderr.String())
	case <-time.After(100 * time.Millisecond):
	}
	stock.releaseHeld()
	if r := wait(t, inFlight, "the order in flight at SIGTERM"); r != (result{201, `{"item":"held","stock":4}` + "\n", nil}) {
		t.Errorf("order in flight at SIGTERM = %+v", r)
	}
	select {
	case <-exited:
		if exitErr != nil {
			t.Errorf("exit: %v; output:\n%s", exitErr, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10 s after SIGTERM with nothing in flight")
	}
}

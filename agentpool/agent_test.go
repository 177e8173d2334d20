package agentpool

import (
	"bufio"
	"context"
	"errors"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

func newClient(t testing.TB) *engine.Client {
	t.Helper()
	cli, err := engine.NewClient(&engine.ClientOptions{NumEventLoops: 2, TimerResolution: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

func newAgent(t testing.TB, o Options) *Agent {
	t.Helper()
	if o.Client == nil {
		o.Client = newClient(t)
	}
	a, err := NewAgent(&o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Destroy)
	return a
}

type server struct {
	*httptest.Server
	conns atomic.Int32
	host  string
	port  int
}

func newServer(t testing.TB, idle time.Duration, h http.HandlerFunc) *server {
	s := &server{Server: httptest.NewUnstartedServer(h)}
	s.Config.IdleTimeout = idle
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	s.host, s.port = splitAddr(t, s.Listener.Addr().String())
	return s
}

func splitAddr(t testing.TB, addr string) (string, int) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

func get(t testing.TB, a *Agent, host string, port int, path string) (*engine.ClientResponse, error) {
	req := engine.AcquireClientRequest()
	defer engine.ReleaseClientRequest(req)
	req.SetHost(host)
	req.SetPort(port)
	req.SetPath(path)
	resp := engine.AcquireClientResponse()
	return resp, a.Do(req, resp)
}

func mustGet(t testing.TB, a *Agent, host string, port int, path string) string {
	t.Helper()
	resp, err := get(t, a, host, port, path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer engine.ReleaseClientResponse(resp)
	return string(resp.Body())
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestGetName(t *testing.T) {
	req := engine.AcquireClientRequest()
	defer engine.ReleaseClientRequest(req)
	if got := GetName(req); got != "localhost:80:" {
		t.Fatalf("GetName = %q", got)
	}
	req.SetHost("a.example")
	req.SetPort(8080)
	req.LocalAddress = "10.0.0.1"
	req.Family = 6
	if got := GetName(req); got != "a.example:8080:10.0.0.1:6" {
		t.Fatalf("GetName = %q", got)
	}
	req.Reset()
	req.SocketPath = "/tmp/s"
	if got := GetName(req); got != "localhost:::/tmp/s" {
		t.Fatalf("GetName = %q", got)
	}
}

func TestAgentDefaults(t *testing.T) {
	a := newAgent(t, Options{})
	o := a.Options()
	if o.KeepAlive || o.KeepAliveMsecs != 1000 || o.MaxSockets != 0 || o.MaxTotalSockets != 0 ||
		o.MaxFreeSockets != 256 || o.Scheduling != LIFO || o.Timeout != 0 {
		t.Fatalf("defaults = %+v", o)
	}
}

func TestAgentKeepAliveReuse(t *testing.T) {
	s := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) })
	a := newAgent(t, Options{KeepAlive: true})
	for i := 0; i < 50; i++ {
		if got := mustGet(t, a, s.host, s.port, "/"+strconv.Itoa(i)); got != "/"+strconv.Itoa(i) {
			t.Fatalf("body %q", got)
		}
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("server saw %d connections; want 1", n)
	}
	name := s.host + ":" + strconv.Itoa(s.port) + ":"
	waitFor(t, "free socket", func() bool { return a.FreeSockets()[name] == 1 })
	if len(a.Sockets()) != 0 || len(a.Requests()) != 0 {
		t.Fatalf("sockets %v requests %v", a.Sockets(), a.Requests())
	}
}

func TestAgentNoKeepAlive(t *testing.T) {
	s := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Header.Get("Connection")) })
	a := newAgent(t, Options{})
	for i := 0; i < 5; i++ {
		if got := mustGet(t, a, s.host, s.port, "/"); got != "close" {
			t.Fatalf("Connection header %q; want close", got)
		}
	}
	if n := s.conns.Load(); n != 5 {
		t.Fatalf("server saw %d connections; want 5", n)
	}
	waitFor(t, "no sockets", func() bool { return a.TotalSockets() == 0 })
}

type result struct {
	body string
	err  error
}

type chanHandler chan result

func (h chanHandler) HandleResponse(_ *engine.ClientConn, _ *engine.ClientRequest, resp *engine.ClientResponse, err error) {
	var r result
	r.err = err
	if err == nil {
		r.body = string(resp.Body())
	}
	h <- r
}

// gate is a handler that holds requests to /block until released, and
// records the order paths arrive in.
type gate struct {
	mu      sync.Mutex
	order   []string
	release chan struct{}
	waiting atomic.Int32
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.order = append(g.order, r.URL.Path)
	g.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/block") {
		g.waiting.Add(1)
		<-g.release
	}
	io.WriteString(w, r.URL.Path+" "+r.RemoteAddr)
}

func send(a *Agent, host string, port int, path string, h engine.ResponseHandler) {
	req := engine.AcquireClientRequest()
	req.SetHost(host)
	req.SetPort(port)
	req.SetPath(path)
	a.Request(req, engine.AcquireClientResponse(), h)
}

func TestAgentMaxSocketsQueueOrder(t *testing.T) {
	g := &gate{release: make(chan struct{})}
	s := newServer(t, 0, g.ServeHTTP)
	a := newAgent(t, Options{KeepAlive: true, MaxSockets: 1})
	h := make(chanHandler, 10)
	send(a, s.host, s.port, "/block", h)
	waitFor(t, "first request at the server", func() bool { return g.waiting.Load() == 1 })
	name := a.GetName(reqFor(s.host, s.port))
	for i := 1; i <= 5; i++ {
		send(a, s.host, s.port, "/"+strconv.Itoa(i), h)
		if got := a.Requests()[name]; got != i {
			t.Fatalf("Requests()[%q] = %d; want %d", name, got, i)
		}
	}
	if got := a.Sockets()[name]; got != 1 {
		t.Fatalf("Sockets() = %v", a.Sockets())
	}
	close(g.release)
	for i := 0; i < 6; i++ {
		select {
		case r := <-h:
			if r.err != nil {
				t.Fatal(r.err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("timeout")
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if got := strings.Join(g.order, ","); got != "/block,/1,/2,/3,/4,/5" {
		t.Fatalf("server order %s", got)
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("server saw %d connections; want 1", n)
	}
}

func reqFor(host string, port int) *engine.ClientRequest {
	req := engine.AcquireClientRequest()
	req.SetHost(host)
	req.SetPort(port)
	return req
}

func TestAgentMaxTotalSockets(t *testing.T) {
	g := &gate{release: make(chan struct{})}
	s1 := newServer(t, 0, g.ServeHTTP)
	s2 := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "two") })
	a := newAgent(t, Options{KeepAlive: true, MaxTotalSockets: 1})
	h1, h2 := make(chanHandler, 1), make(chanHandler, 1)
	send(a, s1.host, s1.port, "/block", h1)
	waitFor(t, "first request", func() bool { return g.waiting.Load() == 1 })
	send(a, s2.host, s2.port, "/", h2)
	name2 := a.GetName(reqFor(s2.host, s2.port))
	if a.Requests()[name2] != 1 || a.TotalSockets() != 1 {
		t.Fatalf("requests %v total %d", a.Requests(), a.TotalSockets())
	}
	close(g.release)
	for _, h := range []chanHandler{h1, h2} {
		select {
		case r := <-h:
			if r.err != nil {
				t.Fatal(r.err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("queued request for another origin never ran")
		}
	}
	if a.TotalSockets() > 1 {
		t.Fatalf("total %d > 1", a.TotalSockets())
	}
}

func TestAgentMaxFreeSockets(t *testing.T) {
	g := &gate{release: make(chan struct{})}
	s := newServer(t, 0, g.ServeHTTP)
	a := newAgent(t, Options{KeepAlive: true, MaxFreeSockets: 1})
	h := make(chanHandler, 3)
	for i := 0; i < 3; i++ {
		send(a, s.host, s.port, "/block", h)
	}
	waitFor(t, "three requests", func() bool { return g.waiting.Load() == 3 })
	close(g.release)
	for i := 0; i < 3; i++ {
		if r := <-h; r.err != nil {
			t.Fatal(r.err)
		}
	}
	waitFor(t, "one free socket", func() bool { return a.TotalSockets() == 1 })
	name := a.GetName(reqFor(s.host, s.port))
	if a.FreeSockets()[name] != 1 {
		t.Fatalf("free %v", a.FreeSockets())
	}
}

func TestAgentScheduling(t *testing.T) {
	for _, sched := range []Scheduling{LIFO, FIFO} {
		s := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				time.Sleep(100 * time.Millisecond)
			}
			io.WriteString(w, r.RemoteAddr)
		})
		a := newAgent(t, Options{KeepAlive: true, Scheduling: sched})
		h1, h2 := make(chanHandler, 1), make(chanHandler, 1)
		send(a, s.host, s.port, "/fast", h1) // freed first
		send(a, s.host, s.port, "/slow", h2) // freed last
		r1, r2 := <-h1, <-h2
		if r1.err != nil || r2.err != nil {
			t.Fatal(r1.err, r2.err)
		}
		name := a.GetName(reqFor(s.host, s.port))
		waitFor(t, "two free sockets", func() bool { return a.FreeSockets()[name] == 2 })
		got := mustGet(t, a, s.host, s.port, "/")
		want := r2.body // LIFO: the most recently freed
		if sched == FIFO {
			want = r1.body
		}
		if got != want {
			t.Fatalf("scheduling %d: reused %s; want %s (fast %s, slow %s)", sched, got, want, r1.body, r2.body)
		}
	}
}

// TestAgentServerClosesIdleAfter1s: the server closes connections idle for
// 1 s while the client keeps sending at intervals around that: every request
// must succeed.
func TestAgentServerClosesIdleAfter1s(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	s := newServer(t, time.Second, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	a := newAgent(t, Options{KeepAlive: true})
	for _, d := range []time.Duration{0, 990, 1000, 1010, 1005, 0} {
		time.Sleep(d * time.Millisecond)
		if got := mustGet(t, a, s.host, s.port, "/"); got != "ok" {
			t.Fatalf("body %q", got)
		}
	}
}

// rawServer answers the first request on each connection, then reads the
// next request and closes without a response: the shape of a keep-alive race.
func rawServer(t testing.TB) (string, int, *atomic.Int32) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
				http.ReadRequest(br)
			}()
		}
	}()
	h, p := splitAddr(t, ln.Addr().String())
	return h, p, &conns
}

func TestAgentRetryIdempotentOnce(t *testing.T) {
	host, port, conns := rawServer(t)
	a := newAgent(t, Options{KeepAlive: true})
	mustGet(t, a, host, port, "/")
	// The free connection is reused; the server drops the request: GET is
	// retried on a new connection, which answers.
	if got := mustGet(t, a, host, port, "/"); got != "first" {
		t.Fatalf("body %q", got)
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("server saw %d connections; want 2", n)
	}
	// POST is not idempotent: it fails with a clear error.
	req := reqFor(host, port)
	req.SetMethod("POST")
	req.SetBodyString("x")
	resp := engine.AcquireClientResponse()
	err := a.Do(req, resp)
	if !errors.Is(err, ErrReusedConnFailed) || !engine.IsNoResponse(err) {
		t.Fatalf("POST on a dropped reused connection = %v; want ErrReusedConnFailed", err)
	}
}

// TestAgentNoRetry: with NoRetry a GET whose reused connection is dropped
// fails as a POST does, on the one connection (fails with the retry).
func TestAgentNoRetry(t *testing.T) {
	host, port, conns := rawServer(t)
	a := newAgent(t, Options{KeepAlive: true, NoRetry: true})
	mustGet(t, a, host, port, "/")
	_, err := get(t, a, host, port, "/")
	if !errors.Is(err, ErrReusedConnFailed) || !engine.IsNoResponse(err) {
		t.Fatalf("GET on a dropped reused connection = %v; want ErrReusedConnFailed", err)
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("server saw %d connections; want 1", n)
	}
}

func TestAgentKeepAliveHint(t *testing.T) {
	for _, tt := range []struct {
		hint string
		free bool
	}{{"timeout=1", false}, {"timeout=2", true}} {
		s := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Keep-Alive", tt.hint)
			io.WriteString(w, "ok")
		})
		a := newAgent(t, Options{KeepAlive: true})
		mustGet(t, a, s.host, s.port, "/")
		name := a.GetName(reqFor(s.host, s.port))
		if !tt.free {
			waitFor(t, "socket closed", func() bool { return a.TotalSockets() == 0 })
			continue
		}
		waitFor(t, "free socket", func() bool { return a.FreeSockets()[name] == 1 })
		start := time.Now()
		waitFor(t, "expiry a second before the hint", func() bool { return a.TotalSockets() == 0 })
		if d := time.Since(start); d > 1500*time.Millisecond {
			t.Fatalf("free socket lived %v; want about 1s", d)
		}
	}
}

func TestAgentTimeoutClosesFree(t *testing.T) {
	s := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) {})
	a := newAgent(t, Options{KeepAlive: true, Timeout: 50 * time.Millisecond})
	mustGet(t, a, s.host, s.port, "/")
	waitFor(t, "free socket timeout", func() bool { return a.TotalSockets() == 0 })
}

func TestAgentDestroy(t *testing.T) {
	g := &gate{release: make(chan struct{})}
	defer close(g.release)
	s := newServer(t, 0, g.ServeHTTP)
	a := newAgent(t, Options{KeepAlive: true, MaxSockets: 1})
	h := make(chanHandler, 2)
	send(a, s.host, s.port, "/block", h)
	waitFor(t, "blocked", func() bool { return g.waiting.Load() == 1 })
	send(a, s.host, s.port, "/queued", h)
	a.Destroy()
	for i := 0; i < 2; i++ {
		select {
		case r := <-h:
			if r.err == nil {
				t.Fatal("request survived Destroy")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("timeout")
		}
	}
	if _, err := get(t, a, s.host, s.port, "/"); !errors.Is(err, ErrAgentDestroyed) {
		t.Fatalf("after Destroy: %v", err)
	}
	if a.TotalSockets() != 0 {
		waitFor(t, "sockets closed", func() bool { return a.TotalSockets() == 0 })
	}
}

// TestAgentStress: many goroutines through one agent, the server closing
// connections at random (with and without a response): every request
// completes or fails exactly once.
func TestAgentStress(t *testing.T) {
	var n atomic.Int64
	s := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) {
		switch v := n.Add(1); {
		case v%7 == 0:
			w.Header().Set("Connection", "close")
		case v%11 == 0:
			if hj, ok := w.(http.Hijacker); ok {
				c, _, _ := hj.Hijack()
				c.Close()
				return
			}
		}
		io.WriteString(w, r.URL.Path)
	})
	a := newAgent(t, Options{KeepAlive: true, MaxSockets: 8, MaxFreeSockets: 4})
	const workers, per = 32, 40
	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w)))
			for i := 0; i < per; i++ {
				path := "/" + strconv.Itoa(w) + "/" + strconv.Itoa(i)
				if rng.Intn(2) == 0 {
					resp, err := get(t, a, s.host, s.port, path)
					if err == nil && string(resp.Body()) != path {
						t.Errorf("got %q for %s", resp.Body(), path)
					}
					count(err, &ok, &failed)
					continue
				}
				h := make(chanHandler, 2)
				send(a, s.host, s.port, path, h)
				select {
				case r := <-h:
					if r.err == nil && r.body != path {
						t.Errorf("got %q for %s", r.body, path)
					}
					count(r.err, &ok, &failed)
				case <-time.After(20 * time.Second):
					t.Errorf("request %s lost", path)
					return
				}
				select {
				case <-h:
					t.Errorf("request %s answered twice", path)
				case <-time.After(time.Millisecond):
				}
			}
		}(w)
	}
	wg.Wait()
	if got := ok.Load() + failed.Load(); got != workers*per {
		t.Fatalf("%d outcomes for %d requests", got, workers*per)
	}
	if ok.Load() < workers*per/2 {
		t.Fatalf("only %d of %d succeeded", ok.Load(), workers*per)
	}
	t.Logf("ok %d, failed %d", ok.Load(), failed.Load())
	waitFor(t, "no busy sockets", func() bool { return len(a.Sockets()) == 0 })
	if a.TotalSockets() > 8 {
		t.Fatalf("total sockets %d > maxSockets", a.TotalSockets())
	}
}

func count(err error, ok, failed *atomic.Int64) {
	if err == nil {
		ok.Add(1)
	} else {
		failed.Add(1)
	}
}

// nodeServer runs `node` with a server that answers "node" (and its
// connection count at /conns), configured by setup (which sees srv), and
// returns its port.
func nodeServer(t *testing.T, setup string) int {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, "node", "-e", `
		const http = require('http'); let conns = 0;
		const srv = http.createServer((req, res) => res.end(req.url === '/conns' ? String(conns) : 'node'));
		srv.on('connection', () => conns++);
		`+setup+`
		srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
		process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`)
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Skip(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait(); cancel() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(strings.TrimSpace(line))
	return port
}

// TestAgentNodeServer: keep-alive reuse against Node's http server, counted by the server.
func TestAgentNodeServer(t *testing.T) {
	port := nodeServer(t, "")
	a := newAgent(t, Options{KeepAlive: true, MaxSockets: 4})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if got := mustGet(t, a, "127.0.0.1", port, "/"); got != "node" {
					t.Errorf("body %q", got)
				}
			}
		}()
	}
	wg.Wait()
	if got := mustGet(t, a, "127.0.0.1", port, "/conns"); got != "4" {
		t.Fatalf("node saw %s connections; want 4 (maxSockets)", got)
	}
}

// TestAgentNodeServerIdleClose: Node closes connections idle for 1 s (and
// says so with "Keep-Alive: timeout=1"); requests sent around that interval
// all succeed, on new connections since the hint leaves no safe reuse window.
func TestAgentNodeServerIdleClose(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	port := nodeServer(t, "srv.keepAliveTimeout = 1000;")
	a := newAgent(t, Options{KeepAlive: true})
	for _, d := range []time.Duration{0, 990, 1000, 1010} {
		time.Sleep(d * time.Millisecond)
		if got := mustGet(t, a, "127.0.0.1", port, "/"); got != "node" {
			t.Fatalf("body %q", got)
		}
	}
	if got := mustGet(t, a, "127.0.0.1", port, "/conns"); got != "5" {
		t.Fatalf("node saw %s connections; want 5 (no reuse under a 1 s hint)", got)
	}
}

// TestAgentMaxTotalSocketsFreesIdle: at maxTotalSockets, a request for a new
// origin closes another origin's free socket instead of waiting for it to expire.
func TestAgentMaxTotalSocketsFreesIdle(t *testing.T) {
	s1 := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "one") })
	s2 := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "two") })
	a := newAgent(t, Options{KeepAlive: true, MaxTotalSockets: 1})
	mustGet(t, a, s1.host, s1.port, "/")
	waitFor(t, "free socket", func() bool { return len(a.FreeSockets()) == 1 })
	done := make(chan string, 1)
	go func() { done <- mustGet(t, a, s2.host, s2.port, "/") }()
	select {
	case got := <-done:
		if got != "two" {
			t.Fatalf("body %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("request waited for another origin's idle socket")
	}
}

// TestAgentDetectsIdleClose: a free socket the server closes leaves the
// free list without any request touching it.
func TestAgentDetectsIdleClose(t *testing.T) {
	s := newServer(t, 50*time.Millisecond, func(w http.ResponseWriter, r *http.Request) {})
	a := newAgent(t, Options{KeepAlive: true})
	mustGet(t, a, s.host, s.port, "/")
	waitFor(t, "server close detected", func() bool { return a.TotalSockets() == 0 })
	mustGet(t, a, s.host, s.port, "/")
	if n := s.conns.Load(); n != 2 {
		t.Fatalf("conns = %d; want 2", n)
	}
}

// TestAgentAlternatingOrigins sends to two origins in turn, which defeats
// the agent's last-origin shortcut on every request: each response must
// come from its own server, over one reused socket per origin.
func TestAgentAlternatingOrigins(t *testing.T) {
	s1 := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "one") })
	s2 := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "two") })
	a := newAgent(t, Options{KeepAlive: true})
	for i := 0; i < 10; i++ {
		if got := mustGet(t, a, s1.host, s1.port, "/"); got != "one" {
			t.Fatalf("request %d to the first origin answered %q", i, got)
		}
		if got := mustGet(t, a, s2.host, s2.port, "/"); got != "two" {
			t.Fatalf("request %d to the second origin answered %q", i, got)
		}
	}
	free := a.FreeSockets()
	n1, n2 := a.GetName(reqFor(s1.host, s1.port)), a.GetName(reqFor(s2.host, s2.port))
	if free[n1] != 1 || free[n2] != 1 || s1.conns.Load() != 1 || s2.conns.Load() != 1 {
		t.Fatalf("free sockets %v, connections %d and %d; want one socket per origin", free, s1.conns.Load(), s2.conns.Load())
	}
}

// holdingHandler is a SocketUser that holds its connection after the
// response, records reusedSocket, and sends the held connection on.
type holdingHandler struct {
	chanHandler
	reused chan bool
	held   chan *engine.ClientConn
}

func (h holdingHandler) SocketAssigned(_ *engine.ClientConn, reused bool) { h.reused <- reused }
func (h holdingHandler) HoldSocket(cc *engine.ClientConn) bool            { h.held <- cc; return true }

// TestAgentSocketUserHolds: a SocketUser's kept-alive connection stays busy
// after its response until Release, then goes to the queued request, which
// Node's reusedSocket calls not reused; a later request takes it from the
// free list, reused. Without the hold, the queued request gets it at once.
func TestAgentSocketUserHolds(t *testing.T) {
	s := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	a := newAgent(t, Options{KeepAlive: true, MaxSockets: 1})
	name := a.GetName(reqFor(s.host, s.port))
	h := holdingHandler{make(chanHandler, 3), make(chan bool, 3), make(chan *engine.ClientConn, 3)}
	recv := func() result {
		t.Helper()
		select {
		case r := <-h.chanHandler:
			if r.err != nil {
				t.Fatal(r.err)
			}
			return r
		case <-time.After(5 * time.Second):
			t.Fatal("no response")
		}
		return result{}
	}
	held := func() *engine.ClientConn {
		t.Helper()
		select {
		case cc := <-h.held:
			return cc
		case <-time.After(5 * time.Second):
			t.Fatal("connection not held")
		}
		return nil
	}
	send(a, s.host, s.port, "/1", h)
	send(a, s.host, s.port, "/2", h)
	recv()
	cc := held()
	time.Sleep(50 * time.Millisecond) // the queued request would have gone by now
	if got := len(h.chanHandler); got != 0 || a.Requests()[name] != 1 || a.Sockets()[name] != 1 {
		t.Fatalf("held: %d responses, requests %v, sockets %v; want 0, 1, 1", got, a.Requests(), a.Sockets())
	}
	a.Release(cc)
	recv()
	a.Release(held())
	if got := a.FreeSockets()[name]; got != 1 {
		t.Fatalf("FreeSockets()[%q] = %d after Release; want 1", name, got)
	}
	send(a, s.host, s.port, "/3", h)
	recv()
	a.Release(held())
	if r1, r2, r3 := <-h.reused, <-h.reused, <-h.reused; r1 || r2 || !r3 {
		t.Fatalf("reused = %v, %v, %v; want false, false, true", r1, r2, r3)
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("server saw %d connections; want 1", n)
	}
}

// queueingHandler counts RequestQueued calls.
type queueingHandler struct {
	chanHandler
	queued *atomic.Int32
}

func (h queueingHandler) RequestQueued() { h.queued.Add(1) }

// TestAgentQueuerTold: a Queuer hears RequestQueued for a request that
// waits for a socket (the second on a MaxSockets 1 agent), before Request
// returns, and not for one that gets a socket at once.
func TestAgentQueuerTold(t *testing.T) {
	g := &gate{release: make(chan struct{})}
	s := newServer(t, 0, g.ServeHTTP)
	a := newAgent(t, Options{KeepAlive: true, MaxSockets: 1})
	first := queueingHandler{make(chanHandler, 1), new(atomic.Int32)}
	second := queueingHandler{make(chanHandler, 1), new(atomic.Int32)}
	send(a, s.host, s.port, "/block", first)
	send(a, s.host, s.port, "/2", second)
	if f, s := first.queued.Load(), second.queued.Load(); f != 0 || s != 1 {
		t.Fatalf("RequestQueued calls: first %d, second %d; want 0, 1", f, s)
	}
	close(g.release)
	for _, h := range []queueingHandler{first, second} {
		select {
		case r := <-h.chanHandler:
			if r.err != nil {
				t.Fatal(r.err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no response")
		}
	}
}

// givingUpHandler is a SocketUser and Canceler that gives its request up
// in SocketAssigned, as a Node 'socket' listener that destroys it.
type givingUpHandler struct {
	chanHandler
	gaveUp *atomic.Bool
}

func (h givingUpHandler) SocketAssigned(*engine.ClientConn, bool) { h.gaveUp.Store(true) }
func (h givingUpHandler) HoldSocket(*engine.ClientConn) bool      { return false }
func (h givingUpHandler) RequestCancelled() error {
	if h.gaveUp.Load() {
		return errGiveUp
	}
	return nil
}

var errGiveUp = errors.New("given up in SocketAssigned")

// TestAgentCancelledInSocketAssigned: a request given up by its handler's
// SocketAssigned is not written, its handler gets the Canceler's error,
// and its connection closes, as Node destroys the socket of a request
// destroyed in 'socket' (before, the request was sent).
func TestAgentCancelledInSocketAssigned(t *testing.T) {
	var served atomic.Int32
	s := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) { served.Add(1) })
	a := newAgent(t, Options{KeepAlive: true})
	h := givingUpHandler{make(chanHandler, 1), new(atomic.Bool)}
	send(a, s.host, s.port, "/", h)
	select {
	case r := <-h.chanHandler:
		if !errors.Is(r.err, errGiveUp) {
			t.Fatalf("handler got %v; want errGiveUp", r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no answer")
	}
	waitFor(t, "the connection closed", func() bool { return a.TotalSockets() == 0 })
	waitFor(t, "the server's accept", func() bool { return s.conns.Load() > 0 })
	if n := served.Load(); n != 0 || s.conns.Load() != 1 {
		t.Fatalf("server served %d requests on %d connections; want 0 on 1", n, s.conns.Load())
	}
}

// dialGivingUpHandler is a DialWatcher and Canceler that takes its new
// connection in SocketDialing (if own) and gives its request up there,
// as a Node 'socket' listener that destroys a request whose socket is
// connecting.
type dialGivingUpHandler struct {
	chanHandler
	own bool
}

func (h dialGivingUpHandler) SocketDialing(func()) bool { return h.own }
func (h dialGivingUpHandler) RequestCancelled() error   { return errGiveUp }

// TestAgentCancelledWhileDialing: a request given up after SocketDialing
// is not written and its handler gets the Canceler's error. Its new
// connection closes if the request took it (Node destroys the socket with
// its request); if not, it carries the next queued request, else closes
// (Node's 'free' for a socket whose request was destroyed before getting
// it, which no request keeps alive; before, it joined the free list).
func TestAgentCancelledWhileDialing(t *testing.T) {
	for _, tc := range []struct {
		own, queued bool
	}{{true, false}, {false, false}, {false, true}} {
		var served atomic.Int32
		s := newServer(t, 0, func(w http.ResponseWriter, r *http.Request) { served.Add(1) })
		a := newAgent(t, Options{KeepAlive: true, MaxSockets: 1})
		h := dialGivingUpHandler{make(chanHandler, 1), tc.own}
		send(a, s.host, s.port, "/", h)
		next := make(chanHandler, 1)
		if tc.queued {
			send(a, s.host, s.port, "/", next)
		}
		select {
		case r := <-h.chanHandler:
			if !errors.Is(r.err, errGiveUp) {
				t.Fatalf("%+v: handler got %v; want errGiveUp", tc, r.err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no answer")
		}
		if tc.queued {
			select {
			case r := <-next:
				if r.err != nil {
					t.Fatalf("%+v: the queued request: %v", tc, r.err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the queued request got no answer")
			}
			if n := served.Load(); n != 1 || s.conns.Load() != 1 {
				t.Fatalf("%+v: server served %d requests on %d connections; want 1 on 1", tc, n, s.conns.Load())
			}
			continue
		}
		waitFor(t, "the connection closed", func() bool { return a.TotalSockets() == 0 })
		if n := served.Load(); n != 0 || s.conns.Load() != 1 {
			t.Fatalf("%+v: server served %d requests on %d connections; want 0 on 1", tc, n, s.conns.Load())
		}
	}
}

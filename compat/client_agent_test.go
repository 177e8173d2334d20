package compat

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// keepAliveServer answers every request on a connection with "ok".
func keepAliveServer(t *testing.T) int {
	port, _ := headServer(t, "")
	return port
}

// TestClientAgentMatchesNode: the agents' fields (globalAgent: keepAlive,
// timeout 5000, lifo) and a keep-alive agent's sockets, freeSockets and
// requests counts at each event of a request and of the next one made on
// the freed socket, with reusedSocket, shouldKeepAlive and agent, as node
// v20 has them.
func TestClientAgentMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	port := keepAliveServer(t)
	out, err := exec.Command(node, "testdata/client_agent.js", fmt.Sprint(port)).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	want := strings.TrimSpace(string(out))

	var lines []string
	g := GlobalAgent().Options()
	inf := func(n int) string {
		if n == 0 {
			return "Infinity"
		}
		return fmt.Sprint(n)
	}
	lines = append(lines, fmt.Sprintf("global keepAlive=%v timeout=%d scheduling=%s maxSockets=%s maxFreeSockets=%d maxTotalSockets=%s keepAliveMsecs=%d",
		g.KeepAlive, g.Timeout.Milliseconds(), g.Scheduling, inf(g.MaxSockets), g.MaxFreeSockets, inf(g.MaxTotalSockets), g.KeepAliveMsecs))
	agent, err := NewAgent(&AgentOptions{KeepAlive: true, MaxSockets: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Destroy()
	o := agent.Options()
	lines = append(lines, fmt.Sprintf("agent keepAlive=%v scheduling=%s maxSockets=%s maxFreeSockets=%d keepAliveMsecs=%d",
		o.KeepAlive, o.Scheduling, inf(o.MaxSockets), o.MaxFreeSockets, o.KeepAliveMsecs))
	opts := &RequestOptions{Host: "127.0.0.1", Port: port, Agent: agent}
	name := agent.GetName(opts)
	tr := &trace{}
	at := func(i int, ev string) {
		tr.add("%d %s sockets=%d free=%d requests=%d", i, ev, agent.Sockets()[name], agent.FreeSockets()[name], agent.Requests()[name])
	}
	for i := 1; i <= 2; i++ {
		done := make(chan struct{})
		var req *ClientRequest
		// Request, then End: the response may come before Get would return.
		req, err = Request("", opts, func(res *IncomingMessage) {
			at(i, fmt.Sprintf("response reused=%v keep=%v agent=%v", req.ReusedSocket(), req.ShouldKeepAlive(), req.Agent() == agent))
			res.Resume()
			res.OnEnd(func() { at(i, "end") })
			res.OnClose(func() {
				at(i, "res.close")
				time.AfterFunc(20*time.Millisecond, func() { at(i, "next tick"); close(done) })
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		req.OnClose(func() { at(i, "close") })
		if err := req.End(nil); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			t.Fatal("no close")
		}
	}
	got := strings.Join(append(lines, tr.String()), "\n")
	if got != want {
		t.Errorf("compat:\n%s\nnode:\n%s", got, want)
	}
}

// TestClientAgentFreeMatchesNode: a keep-alive socket goes back to its
// agent a tick after the response's 'end', once the request has emitted
// 'close' (Node's 'free'), not as the body ends: a request queued behind
// it gets it then, with reusedSocket false, and a request made from 'end'
// opens a second socket. Events, counters, sockets and reusedSocket as in
// node v20.
func TestClientAgentFreeMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	port, gate := gatedServer(t)
	for _, scenario := range []string{"queued", "fromEnd"} {
		t.Run(scenario, func(t *testing.T) {
			out, err := exec.Command(node, "testdata/client_free.js", fmt.Sprint(port), scenario).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			want := strings.TrimSpace(string(out))
			if got := agentFreeEvents(t, port, scenario, gate); got != want {
				t.Errorf("compat:\n%s\nnode:\n%s", got, want)
			}
		})
	}
}

// gatedServer answers every request with "ok"; the i-th request it reads
// (counted from the last setGates) waits for gates[i] to close. A test
// holds responses with it where compat could run one exchange's events
// concurrently with another's on the event loop, which Node runs in turn.
func gatedServer(t *testing.T) (port int, setGates func(gates ...chan struct{})) {
	var mu sync.Mutex
	var gates []chan struct{}
	n := 0
	port, _ = requestServer(t, func(c net.Conn, _ *http.Request) {
		mu.Lock()
		var g chan struct{}
		if n < len(gates) {
			g = gates[n]
		}
		n++
		mu.Unlock()
		if g != nil {
			<-g
		}
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	})
	return port, func(g ...chan struct{}) { mu.Lock(); gates, n = g, 0; mu.Unlock() }
}

// agentFreeEvents runs client_free.js's scenario through compat. The
// server answers the first request once both are made (as Node makes them
// in one tick) and the second once the first's 'close' has been emitted
// (Node emits the first's events up to it in one tick).
func agentFreeEvents(t *testing.T, port int, scenario string, setGates func(...chan struct{})) string {
	first, second := make(chan struct{}), make(chan struct{})
	var once1, once2 sync.Once
	open1 := func() { once1.Do(func() { close(first) }) }
	open2 := func() { once2.Do(func() { close(second) }) }
	setGates(first, second)
	defer func() { open1(); open2(); setGates() }()
	opts := &AgentOptions{KeepAlive: true}
	if scenario == "queued" {
		opts.MaxSockets = 1
	}
	agent, err := NewAgent(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Destroy()
	ropts := &RequestOptions{Host: "127.0.0.1", Port: port, Agent: agent}
	name := agent.GetName(ropts)
	tr := &trace{}
	at := func(i any, ev string) {
		tr.add("%v %s sockets=%d free=%d requests=%d", i, ev, agent.Sockets()[name], agent.FreeSockets()[name], agent.Requests()[name])
	}
	sid := socketNames()
	agent.OnFree(func(s SocketInfo) { at("-", "free "+sid(s)) })
	done := make(chan struct{})
	var open atomic.Int32
	var get func(i int, then func())
	get = func(i int, then func()) {
		open.Add(1)
		var req *ClientRequest
		req, err := Request("", ropts, func(res *IncomingMessage) {
			at(i, fmt.Sprintf("response %s reused=%v", sid(res.Socket.SocketInfo), req.ReusedSocket()))
			res.Resume()
			res.OnEnd(func() {
				at(i, "end")
				if then != nil {
					then()
				}
			})
			res.OnClose(func() {
				at(i, "res.close")
				if i == 1 {
					open2()
				}
				if open.Add(-1) == 0 {
					time.AfterFunc(50*time.Millisecond, func() { at("-", "after"); close(done) })
				}
			})
		})
		if err != nil {
			t.Error(err)
			return
		}
		req.OnClose(func() { at(i, "close") })
		if err := req.End(nil); err != nil {
			t.Error(err)
		}
	}
	if scenario == "queued" {
		get(1, nil)
		get(2, nil)
		at("-", "queued")
	} else {
		get(1, func() { get(2, nil) })
	}
	open1()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("not done; so far:\n%s", tr)
	}
	return tr.String()
}

// socketNames names sockets s1, s2, ... by order of first sight, as the
// scripts' sid does.
func socketNames() func(SocketInfo) string {
	var mu sync.Mutex
	ids := map[int]int{}
	return func(s SocketInfo) string {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := ids[s.LocalPort]; !ok {
			ids[s.LocalPort] = len(ids) + 1
		}
		return fmt.Sprintf("s%d", ids[s.LocalPort])
	}
}

// TestClientSchedulingMatchesNode: a keep-alive agent hands its free
// sockets out last freed first (lifo) or first freed first (fifo), to
// requests made together and to requests made one after the other from
// its 'free', as node v20's agent does (matched already). Sockets are
// named by the order they were first seen, as client_scheduling.js
// prints them.
func TestClientSchedulingMatchesNode(t *testing.T) {
	port, _ := requestServer(t, func(c net.Conn, req *http.Request) {
		ms, _ := strconv.Atoi(strings.TrimPrefix(req.URL.Path, "/d/"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	})
	for _, scheduling := range []string{"lifo", "fifo"} {
		t.Run(scheduling, func(t *testing.T) {
			want := runNode(t, "testdata/client_scheduling.js", fmt.Sprint(port), scheduling)
			agent, err := NewAgent(&AgentOptions{KeepAlive: true, Scheduling: scheduling})
			if err != nil {
				t.Fatal(err)
			}
			defer agent.Destroy()
			tr := &trace{}
			var mu sync.Mutex
			var seen []int
			index := func(p int) int {
				mu.Lock()
				defer mu.Unlock()
				if i := slices.Index(seen, p); i >= 0 {
					return i
				}
				seen = append(seen, p)
				return len(seen) - 1
			}
			get := func(ms int, got func(int)) {
				_, err := Get("", &RequestOptions{Host: "127.0.0.1", Port: port, Path: fmt.Sprint("/d/", ms), Agent: agent}, func(res *IncomingMessage) {
					res.Resume()
					local := res.Socket.LocalPort
					res.OnEnd(func() { got(index(local)) })
				})
				if err != nil {
					t.Error(err)
				}
			}
			wave := func(name string, delays ...int) {
				got := make([]string, len(delays))
				n := 0
				for i, ms := range delays {
					get(ms, func(s int) {
						mu.Lock()
						got[i] = fmt.Sprint(s)
						n++
						all := n == len(delays)
						mu.Unlock()
						if all {
							tr.add("%s %s", name, strings.Join(got, ","))
						}
					})
				}
			}
			done := make(chan struct{})
			frees := 0
			var serial []string
			agent.OnFree(func(SocketInfo) {
				mu.Lock()
				frees++
				f := frees
				mu.Unlock()
				switch {
				case f == 3:
					wave("together", 300, 200, 100)
				case f >= 6 && f < 9:
					get(0, func(s int) { mu.Lock(); serial = append(serial, fmt.Sprint(s)); mu.Unlock() })
				case f == 9:
					mu.Lock()
					tr.add("serial %s", strings.Join(serial, ","))
					mu.Unlock()
					close(done)
				}
			})
			wave("first", 100, 200, 300)
			awaitEvents(t, done, tr, want)
		})
	}
}

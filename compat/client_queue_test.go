package compat

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// queueServer answers "ok", /slow after 400 ms, and reports the paths it
// saw and its connections since the last call.
func queueServer(t *testing.T) (port int, seen func() string) {
	var mu sync.Mutex
	var paths []string
	var conns atomic.Int32
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/slow" {
			time.Sleep(400 * time.Millisecond)
		}
		w.Write([]byte("ok"))
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	fmt.Sscan(s.URL[strings.LastIndex(s.URL, ":")+1:], &port)
	return port, func() string {
		mu.Lock()
		defer mu.Unlock()
		out := fmt.Sprintf("server saw %s on %d", strings.Join(paths, ","), conns.Swap(0))
		paths = nil
		return out
	}
}

// byRequest orders event lines by their request (the first field), keeping
// each request's own order: compat emits a destroyed request's events at
// Destroy, where Node emits them when the agent would have given it a
// socket (see README).
func byRequest(events string) string {
	lines := strings.Split(strings.TrimSpace(events), "\n")
	sort.SliceStable(lines, func(i, j int) bool {
		return strings.Fields(lines[i])[0] < strings.Fields(lines[j])[0]
	})
	return strings.Join(lines, "\n")
}

// TestClientDestroyQueuedMatchesNode: a request destroyed while it waits in
// a MaxSockets 1 agent's queue gets 'error' "socket hang up" and 'close'
// and is never written: the socket goes on to the next request, so the
// server sees two requests on one connection, as with node v20 (before,
// it was written and its connection closed: three requests on two).
func TestClientDestroyQueuedMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	port, seen := queueServer(t)
	out, err := exec.Command(node, "testdata/client_queued_destroy.js", fmt.Sprint(port)).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	want := byRequest(string(out)) + "\n" + seen()

	agent, err := NewAgent(&AgentOptions{KeepAlive: true, MaxSockets: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Destroy()
	tr := &trace{}
	var left atomic.Int32
	left.Store(3)
	done := make(chan struct{})
	get := func(i int, path string) *ClientRequest {
		r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, Path: path, Agent: agent}, func(res *IncomingMessage) {
			tr.add("%d response %d", i, res.StatusCode)
			res.OnEnd(func() { tr.add("%d end", i) })
			res.Resume()
		})
		if err != nil {
			t.Fatal(err)
		}
		r.OnSocket(func(SocketInfo) { tr.add("%d socket", i) })
		r.OnError(func(err error) { tr.add("%d error %s", i, nodeError(err)) })
		r.OnClose(func() {
			tr.add("%d close", i)
			if left.Add(-1) == 0 {
				close(done)
			}
		})
		if err := r.End(nil); err != nil {
			t.Fatal(err)
		}
		return r
	}
	get(1, "/slow")
	r2 := get(2, "/two")
	get(3, "/three")
	tr.add("- queued requests=%d", agent.Requests()[agent.GetName(&RequestOptions{Host: "127.0.0.1", Port: port})])
	r2.Destroy(nil)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("not done; so far:\n%s", tr)
	}
	time.Sleep(100 * time.Millisecond)
	got := byRequest(tr.String()) + "\n" + seen()
	if got != want {
		t.Errorf("compat:\n%s\nnode:\n%s", got, want)
	}
}

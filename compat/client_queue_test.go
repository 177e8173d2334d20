package compat

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
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

// TestClientDestroyQueuedMatchesNode: a request destroyed while it waits in
// a MaxSockets 1 agent's queue gets 'error' "socket hang up" and 'close'
// when the agent reaches it, after the request before it has closed and
// before the one after it gets the socket, and is never written: the socket
// goes on to the next request, so the server sees two requests on one
// connection, as with node v20 (before, its events came at Destroy). An
// aborted one gets 'abort' at once and 'close' then, with no 'error'. The
// lines written as the first request's socket connects (the agent's
// queue, 'abort') are checked apart: the dial's goroutine emits 'socket'.
// A queued request's SetTimeout(250 ms) counts from when it gets its
// socket, as Node's socket timeout: no 'timeout' after 400 ms in the
// queue (compat's clock started at End before).
func TestClientDestroyQueuedMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	port, seen := queueServer(t)
	for _, mode := range []string{"destroy", "abort", "timeout"} {
		t.Run(mode, func(t *testing.T) {
			out, err := exec.Command(node, "testdata/client_queued_destroy.js", fmt.Sprint(port), mode).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			want := strings.TrimSpace(string(out)) + "\n" + seen()
			got := queuedDestroyEvents(t, port, mode) + "\n" + seen()
			// Lines whose place among the others is up to the dial.
			apart := []string{"- queued requests=2"}
			if mode == "abort" {
				apart = append(apart, "2 abort")
			}
			for _, line := range apart {
				var gotOK, wantOK bool
				got, gotOK = withoutLine(got, line)
				want, wantOK = withoutLine(want, line)
				if gotOK != wantOK {
					t.Errorf("%q: compat has it %v, node %v", line, gotOK, wantOK)
				}
			}
			if got != want {
				t.Errorf("compat:\n%s\nnode:\n%s", got, want)
			}
		})
	}
}

// queuedDestroyEvents runs client_queued_destroy.js's scenario with
// compat's client.
func queuedDestroyEvents(t *testing.T, port int, mode string) string {
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
		r.OnAbort(func() { tr.add("%d abort", i) })
		if err := r.End(nil); err != nil {
			t.Fatal(err)
		}
		return r
	}
	get(1, "/slow")
	r2 := get(2, "/two")
	get(3, "/three")
	tr.add("- queued requests=%d", agent.Requests()[agent.GetName(&RequestOptions{Host: "127.0.0.1", Port: port})])
	switch mode {
	case "timeout":
		r2.SetTimeout(250*time.Millisecond, func() { tr.add("2 timeout") })
	case "abort":
		r2.Abort()
	default:
		r2.Destroy(nil)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("not done; so far:\n%s", tr)
	}
	time.Sleep(100 * time.Millisecond)
	return tr.String()
}

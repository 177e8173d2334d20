package compat

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// hintScenarios are client_hint.js's scenarios: what the server adds to
// its response head ("close" closes the connection 100 ms after it).
var hintScenarios = map[string]string{
	"hint1":       "Keep-Alive: timeout=1\r\n",
	"hint2":       "Keep-Alive: timeout=2\r\n",
	"hint2-t5":    "Keep-Alive: timeout=2\r\n",
	"maxfirst-t5": "Keep-Alive: max=5, timeout=2\r\n",
	"serverclose": "close",
}

// hintServer answers "ok" with the head its path's scenario names.
func hintServer(t *testing.T) int {
	port, _ := requestServer(t, func(c net.Conn, req *http.Request) {
		extra := hintScenarios[strings.TrimPrefix(req.URL.Path, "/")]
		if extra == "close" {
			extra = ""
			time.AfterFunc(100*time.Millisecond, func() { c.Close() })
		}
		c.Write([]byte("HTTP/1.1 200 OK\r\n" + extra + "Content-Length: 2\r\n\r\nok"))
	})
	return port
}

// TestClientKeepAliveHintMatchesNode: a free socket's life after the
// server's Keep-Alive hint or close, as node v20's agent has it: timeout=1
// is not pooled; timeout=N bounds the agent's timeout to N-1 s but is
// ignored by an agent without one, and when the field does not start with
// timeout=; a socket the server closes leaves the pool. Each scenario
// compares the counters at the response's 'close' (free sockets: one the
// agent closes leaves sockets when its close is seen, which compat may see
// sooner than node) and 2.5 s later, and a second request's socket and
// reusedSocket.
func TestClientKeepAliveHintMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	port := hintServer(t)
	for scenario := range hintScenarios {
		t.Run(scenario, func(t *testing.T) {
			t.Parallel()
			// node and compat run side by side: each waits 2.5 s.
			var out []byte
			var nodeErr error
			ran := make(chan struct{})
			go func() {
				out, nodeErr = exec.Command(node, "testdata/client_hint.js", fmt.Sprint(port), scenario).Output()
				close(ran)
			}()
			got := hintEvents(t, port, scenario)
			<-ran
			if nodeErr != nil {
				t.Fatalf("node: %v", nodeErr)
			}
			if want := strings.TrimSpace(string(out)); got != want {
				t.Errorf("compat:\n%s\nnode:\n%s", got, want)
			}
		})
	}
}

// hintEvents runs one client_hint.js scenario through compat.
func hintEvents(t *testing.T, port int, scenario string) string {
	opts := &AgentOptions{KeepAlive: true}
	if strings.HasSuffix(scenario, "-t5") {
		opts.Timeout = 5 * time.Second
	}
	agent, err := NewAgent(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Destroy()
	ropts := &RequestOptions{Host: "127.0.0.1", Port: port, Path: "/" + scenario, Agent: agent}
	name := agent.GetName(ropts)
	tr := &trace{}
	at := func(ev string) {
		tr.add("%s sockets=%d free=%d", ev, agent.Sockets()[name], agent.FreeSockets()[name])
	}
	sid := socketNames()
	done := make(chan struct{})
	get := func(i int, then func()) {
		var req *ClientRequest
		req, err := Request("", ropts, func(res *IncomingMessage) {
			at(fmt.Sprintf("%d response %s reused=%v", i, sid(res.Socket.SocketInfo), req.ReusedSocket()))
			res.Resume()
			res.OnClose(func() {
				tr.add("%d res.close free=%d", i, agent.FreeSockets()[name])
				then()
			})
		})
		if err != nil {
			t.Error(err)
			close(done)
			return
		}
		if err := req.End(nil); err != nil {
			t.Error(err)
		}
	}
	get(1, func() {
		time.AfterFunc(2500*time.Millisecond, func() {
			at("later")
			get(2, func() { close(done) })
		})
	})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("not done; so far:\n%s", tr)
	}
	return tr.String()
}

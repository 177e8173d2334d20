package compat

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/internal/looptest"
)

// TestClientConnectTimeoutMatchesNode: the Timeout option, and an agent's
// Timeout for a request that listens for 'timeout', time the connection
// from when the agent starts it, as Node's do from the socket's creation:
// a connect that hangs gives 'timeout', and Destroy from its listener
// 'error' "socket hang up" and 'close' (before, nothing came: the timer
// started once connected). A SetTimeout from the 'socket' listener starts
// at the connect, as Node's, so none comes. The destroyed request's dial
// is given up: 50 ms after 'close' its agent counts no socket (before, the
// dial went on, counted, until the connect failed). Events as
// client_connect_timeout.js prints them with node v20.
func TestClientConnectTimeoutMatchesNode(t *testing.T) {
	addr := looptest.Unanswered(t)
	_, p, _ := strings.Cut(addr, "127.0.0.1:")
	port, _ := strconv.Atoi(p)
	for _, mode := range []string{"option", "agent", "set"} {
		t.Run(mode, func(t *testing.T) {
			want := runNode(t, "testdata/client_connect_timeout.js", fmt.Sprint(port), mode)
			opts := &RequestOptions{Host: "127.0.0.1", Port: port, NoAgent: true}
			var agent *Agent
			switch mode {
			case "option":
				opts.Timeout = 200 * time.Millisecond
			case "agent":
				var err error
				agent, err = NewAgent(&AgentOptions{KeepAlive: true, Timeout: 200 * time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				defer agent.Destroy()
				opts.Agent, opts.NoAgent = agent, false
			}
			tr := &trace{}
			done := make(chan struct{})
			var r *ClientRequest
			r, err := Request("", opts, func(*IncomingMessage) { tr.add("response") })
			if err != nil {
				t.Fatal(err)
			}
			r.OnSocket(func(SocketInfo) {
				tr.add("socket")
				if mode == "set" {
					r.SetTimeout(200*time.Millisecond, nil)
				}
			})
			r.OnTimeout(func() { tr.add("timeout"); r.Destroy(nil) })
			r.OnError(func(err error) { tr.add("error %s", errCodeMessage(err)) })
			r.OnClose(func() {
				tr.add("close")
				if agent == nil {
					close(done)
					return
				}
				time.AfterFunc(50*time.Millisecond, func() {
					n := 0
					for _, c := range agent.Sockets() {
						n += c
					}
					tr.add("sockets %d", n)
					close(done)
				})
			})
			r.End(nil)
			select {
			case <-done:
			case <-time.After(600 * time.Millisecond):
				tr.add("no timeout by 600 ms")
			}
			if got := tr.String(); got != want {
				t.Errorf("compat:\n%s\nnode:\n%s", got, want)
			}
		})
	}
}

package compat

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestClientEarlyDestroyMatchesNode: a request destroyed right after End,
// before its agent gives it the socket it opens for it, emits 'error'
// "socket hang up" and 'close', and that socket goes to a request queued
// behind it ('queued'), or, with none, closes ('alone': a second request
// 200 ms later opens another), as Node's agent frees it with no request to
// keep it alive (matched already). Events and the agent's counters as
// client_early_destroy.js prints them with node v20, and the connections
// the server saw; but for the counters at the first request's 'error' and
// 'close' (see compat/README.md: they come as the socket is dialed, not
// once the agent has handed it on). The dial runs on a goroutine of its own: a
// run where it gave the request its socket before Destroy (it emitted
// 'socket') is not this scenario and is run again.
func TestClientEarlyDestroyMatchesNode(t *testing.T) {
	answer := func(c net.Conn, _ *http.Request) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	}
	for _, mode := range []string{"alone", "queued"} {
		t.Run(mode, func(t *testing.T) {
			port, conns := requestServer(t, answer)
			want := runNode(t, "testdata/client_early_destroy.js", fmt.Sprint(port), mode)
			want += fmt.Sprintf("\nconns=%d", conns.Load())
			var got string
			for try := 0; try < 5; try++ {
				got = earlyDestroyEvents(t, mode)
				if !strings.Contains(got, "1 socket") {
					break
				}
				t.Logf("the dial gave the request its socket before Destroy:\n%s", got)
			}
			got, want = firstCountersOff(got), firstCountersOff(want)
			if got != want {
				t.Errorf("compat:\n%s\nnode:\n%s", got, want)
			}
		})
	}
}

// earlyDestroyEvents runs client_early_destroy.js's scenario with
// compat's client and returns its events and the connections its server saw.
func earlyDestroyEvents(t *testing.T, mode string) string {
	port, conns := requestServer(t, func(c net.Conn, _ *http.Request) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	})
	opts := &AgentOptions{KeepAlive: true}
	if mode == "queued" {
		opts.MaxSockets = 1
	}
	agent, err := NewAgent(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Destroy()
	name := agent.GetName(&RequestOptions{Host: "127.0.0.1", Port: port})
	tr := &trace{}
	at := func(format string, args ...any) {
		tr.add("%s sockets=%d free=%d requests=%d", fmt.Sprintf(format, args...),
			agent.Sockets()[name], agent.FreeSockets()[name], agent.Requests()[name])
	}
	done := make(chan struct{})
	get := func(i int, then func()) *ClientRequest {
		var r *ClientRequest
		r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, Agent: agent}, func(res *IncomingMessage) {
			at("%d response reused=%v", i, r.ReusedSocket())
			res.OnEnd(func() { at("%d end", i) })
			res.Resume()
		})
		if err != nil {
			t.Fatal(err)
		}
		r.OnSocket(func(SocketInfo) { at("%d socket", i) })
		r.OnError(func(err error) { at("%d error %s", i, errCodeMessage(err)) })
		r.OnClose(func() {
			at("%d close", i)
			if then != nil {
				then()
			}
		})
		if err := r.End(nil); err != nil {
			t.Fatal(err)
		}
		return r
	}
	fin := func() { time.AfterFunc(50*time.Millisecond, func() { close(done) }) }
	get(1, nil).Destroy(nil)
	at("- destroyed")
	if mode == "queued" {
		get(2, fin)
	} else {
		time.AfterFunc(200*time.Millisecond, func() {
			at("- later")
			get(2, fin)
		})
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("not done; so far:\n%s", tr)
	}
	return tr.String() + fmt.Sprintf("\nconns=%d", conns.Load())
}

// firstCountersOff drops the counters from the first request's lines and
// from the line right after its Destroy: compat's agent counts the socket
// it dials once the dial's goroutine has begun, which a Destroy right after
// End may beat under load (0 where Node, which counts it inside end(), has 1;
// see compat/README.md).
func firstCountersOff(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "1 ") || strings.HasPrefix(l, "- destroyed ") {
			lines[i], _, _ = strings.Cut(l, " sockets=")
		}
	}
	return strings.Join(lines, "\n")
}

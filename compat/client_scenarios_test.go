package compat

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

// scenarioServer answers client_scenarios.js's paths: /part with 5 of
// its 10 bytes and the rest 300 ms later, /utf with "h" and the first
// byte of "é", then the rest 100 ms later, /cut with "h" and that byte
// only, /slow with "ok" after 500 ms, anything else with "ok" at once;
// keep-alive.
func scenarioServer(t *testing.T) int {
	port, _ := requestServer(t, func(c net.Conn, req *http.Request) {
		switch req.URL.Path {
		case "/part":
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcde"))
			time.Sleep(300 * time.Millisecond)
			c.Write([]byte("fghij"))
		case "/utf":
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nh\xc3"))
			time.Sleep(100 * time.Millisecond)
			c.Write([]byte("\xa9llo"))
		case "/cut":
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nh\xc3"))
		case "/slow":
			time.Sleep(500 * time.Millisecond)
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
		default:
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
		}
	})
	return port
}

// TestClientScenariosMatchNode runs client_scenarios.js's scenarios with
// compat's client and compares the events with node v20's: a response
// destroyed in 'response' while its body arrives gives 'aborted' inside
// Destroy, no 'data', the response's 'close' then the request's, and an
// error only when given (before, it was the request's Destroy: 'data',
// then ECONNRESET "aborted"); a paused response with SetEncoding, and a
// SetTimeout on a request that reuses its socket, matched already.
func TestClientScenariosMatchNode(t *testing.T) {
	for _, mode := range []string{"destroy", "destroyerr", "destroyend", "enc", "encend", "reusedtimeout"} {
		t.Run(mode, func(t *testing.T) {
			port := scenarioServer(t)
			want := runNode(t, "testdata/client_scenarios.js", fmt.Sprint(port), mode)
			agent, err := NewAgent(&AgentOptions{KeepAlive: true, MaxSockets: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer agent.Destroy()
			tr := &trace{}
			done := make(chan struct{})
			var one func(path string, then func(), setup func(*ClientRequest))
			one = func(path string, then func(), setup func(*ClientRequest)) {
				r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, Path: path, Agent: agent}, func(res *IncomingMessage) {
					tr.add("%s response %d", path, res.StatusCode)
					switch mode {
					case "destroy", "destroyerr":
						res.OnData(func(b []byte) { tr.add("%s data %s", path, b) })
					case "encend":
						res.SetEncoding("utf8")
						res.OnData(func(b []byte) { tr.add("%s data %q", path, b) })
					case "enc":
						res.SetEncoding("utf8")
						res.Pause()
						res.OnData(func(b []byte) { tr.add("%s data %q", path, b) })
						time.AfterFunc(400*time.Millisecond, func() { tr.add("resume"); res.Resume() })
					default:
						res.OnData(func(b []byte) { tr.add("%s data %s", path, b) })
					}
					res.OnEnd(func() {
						tr.add("%s end", path)
						if mode == "destroyend" {
							res.Destroy(nil)
						}
					})
					res.OnAborted(func() { tr.add("%s aborted", path) })
					res.OnError(func(err error) { tr.add("%s res error %s", path, errCodeMessage(err)) })
					res.OnClose(func() { tr.add("%s res close", path) })
					if mode == "destroy" || mode == "destroyerr" {
						tr.add("destroy()")
						var err error
						if mode == "destroyerr" {
							err = errors.New("boom")
						}
						res.Destroy(err)
						tr.add("destroy() returned")
					}
				})
				if err != nil {
					t.Error(err)
					return
				}
				r.OnError(func(err error) { tr.add("%s error %s", path, errCodeMessage(err)) })
				r.OnTimeout(func() { tr.add("%s timeout", path) })
				r.OnClose(func() {
					reused := ""
					if r.ReusedSocket() {
						reused = " reused"
					}
					tr.add("%s close%s", path, reused)
					then()
				})
				if setup != nil {
					setup(r)
				}
				r.End(nil)
			}
			fin := func() { time.AfterFunc(100*time.Millisecond, func() { close(done) }) }
			switch mode {
			case "destroy", "destroyerr":
				one("/part", fin, nil)
			case "enc":
				one("/utf", fin, nil)
			case "encend":
				one("/cut", fin, nil)
			case "destroyend":
				one("/ok", func() { time.AfterFunc(50*time.Millisecond, func() { one("/ok2", fin, nil) }) }, nil)
			case "reusedtimeout":
				one("/ok", func() {
					time.AfterFunc(50*time.Millisecond, func() {
						one("/slow", fin, func(r *ClientRequest) { r.SetTimeout(200*time.Millisecond, nil) })
					})
				}, nil)
			}
			awaitEvents(t, done, tr, want)
		})
	}
}

// errCodeMessage is err's Node code and message, as the scripts print them.
func errCodeMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code + " " + e.Message
	}
	return " " + err.Error() // no code
}

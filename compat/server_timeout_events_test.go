package compat

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// startCompatTimeoutEventServers is diff_server_timeout_events.js on compat.
func startCompatTimeoutEventServers(t *testing.T) (map[string]int, *caseEvents) {
	ev := &caseEvents{}
	log := func(info SocketInfo, s string) { ev.add(strconv.Itoa(info.RemotePort), s) }
	handle := func(req *IncomingMessage, res *ServerResponse) {
		sock := req.Socket.SocketInfo
		log(sock, "request "+req.URL)
		if req.URL == "/res" {
			res.OnTimeout(func() { log(sock, "res.timeout"); res.EndString("late") })
		}
		if req.URL == "/req" {
			req.OnTimeout(func() { log(sock, "req.timeout complete="+strconv.FormatBool(req.Complete())) })
			req.OnData(func(c []byte) { log(sock, "data "+string(c)) })
			req.OnEnd(func() { res.EndString("got") })
		}
		res.OnClose(func() { log(sock, "res.close") })
	}
	ports := map[string]int{}
	for _, name := range []string{"t1", "t2"} {
		s := CreateServer(nil, handle)
		s.Timeout = 300 * time.Millisecond
		if name == "t2" {
			s.OnTimeout(func(info SocketInfo) { log(info, "timeout") })
		}
		ports[name] = listenLocal(t, s)
	}
	return ports, ev
}

// waitEvent waits up to 5 s for an event of key that contains sub, or for
// done to close, and reports whether the event came.
func (c *caseEvents) waitEvent(key, sub string, done <-chan struct{}) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		evs := c.m[key]
		c.mu.Unlock()
		for _, e := range evs {
			if strings.Contains(e, sub) {
				return true
			}
		}
		select {
		case <-done:
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return false
}

// TestServerTimeoutEventsMatchNode compares how node's and compat's servers
// with timeout 300 ms emit 'timeout' on a request that has not arrived in
// full, on a response not yet sent and on the server (socketOnTimeout), and
// whether they keep the connection: a request or response listener keeps
// it as a server listener does (a response listener that ends the
// response, a request listener whose body's rest comes after it), and with
// no listener at all the connection closes.
func TestServerTimeoutEventsMatchNode(t *testing.T) {
	peers := startTimeoutPeers(t, "diff_server_timeout_events.js", startCompatTimeoutEventServers)
	const post = "POST /req HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabcde"
	cases := []struct{ server, label, first, rest string }{
		{"t1", "res", "GET /res HTTP/1.1\r\nHost: x\r\n\r\n", ""},
		{"t1", "req", post, "fghij"},
		{"t1", "none", "GET /none HTTP/1.1\r\nHost: x\r\n\r\n", ""},
		{"t2", "res", "GET /res HTTP/1.1\r\nHost: x\r\n\r\n", ""},
		{"t2", "req", post, "fghij"},
		{"t2", "none", "GET /none HTTP/1.1\r\nHost: x\r\n\r\n", ""},
	}
	for _, tt := range cases {
		peers.compare(t, tt.server, tt.label, timeoutExchange{first: tt.first, wait: "timeout", rest: tt.rest})
	}
}

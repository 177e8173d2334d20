package compat

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// startCompatTunnelTimeoutServers is diff_server_tunnel_timeout.js on
// compat.
func startCompatTunnelTimeoutServers(t *testing.T) (map[string]int, *caseEvents) {
	ev := &caseEvents{}
	tunnel := func(req *IncomingMessage, sock *Socket) {
		p := strconv.Itoa(sock.RemotePort)
		kind := "upgrade "
		if req.Method == "CONNECT" {
			kind = "connect "
		}
		ev.add(p, kind+req.URL)
		if req.URL == "/up" {
			sock.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
		}
		if req.Method == "CONNECT" {
			sock.WriteString("HTTP/1.1 200 Connection Established\r\n\r\n")
		}
		sock.SetTimeout(300*time.Millisecond, func() { ev.add(p, "sock.timeout cb") })
		sock.OnTimeout(func() { ev.add(p, "sock.timeout") })
		sock.OnData(func(d []byte) {
			ev.add(p, "data "+string(d))
			sock.WriteString(strings.ToUpper(string(d)))
		})
	}
	ports := map[string]int{}
	for _, name := range []string{"a", "b"} {
		s := CreateServer(nil, nil)
		s.OnUpgrade(tunnel)
		s.OnConnect(tunnel)
		var mu sync.Mutex
		seen := map[*Socket]bool{}
		s.OnClientError(func(err *Error, sock *Socket) {
			p := strconv.Itoa(sock.RemotePort)
			raw, _ := json.Marshal(string(err.RawPacket))
			ev.add(p, fmt.Sprintf("clientError %s %d %s", err.Code, err.BytesParsed, raw))
			mu.Lock()
			again := seen[sock]
			seen[sock] = true
			mu.Unlock()
			if !again {
				sock.SetTimeout(300*time.Millisecond, func() { ev.add(p, "sock.timeout cb") })
			}
		})
		if name == "b" {
			s.OnTimeout(func(info SocketInfo) { ev.add(strconv.Itoa(info.RemotePort), "timeout") })
		}
		ports[name] = listenLocal(t, s)
	}
	return ports, ev
}

// TestTunnelTimeoutMatchesNode compares node's and compat's servers on
// socket.setTimeout(300, cb) on the sockets HTTP has left: an 'upgrade'
// socket after its 101 head and one with nothing written, and a 'connect'
// socket, which emit 'timeout' once idle, to their own listeners only
// (also on a server with a 'timeout' listener), stay open, and emit it
// again after the client's bytes (echoed); and a 'clientError' socket its
// listener left open, which Node's socketOnTimeout still watches: the
// server's listener gets 'timeout' and keeps it, else it is destroyed,
// and then the callback runs; a later read on a 'clientError' socket kept
// gives 'clientError' again (the first error's code and bytesParsed, the
// read as rawPacket) and re-arms the timeout. Compared: the events in order, the wire
// bytes, and whether the connection is kept.
func TestTunnelTimeoutMatchesNode(t *testing.T) {
	peers := startTimeoutPeers(t, "diff_server_tunnel_timeout.js", startCompatTunnelTimeoutServers)
	const up = "HTTP/1.1\r\nHost: x\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n"
	// Refused where zerohttp's parser and llhttp stop at the same byte.
	const bad = "GET / HTTP/1.1\r\nBad Header\r\n\r\n"
	cases := []struct {
		server, label string
		first, rest   string
	}{
		{"a", "upgrade", "GET /up " + up, "hi"},
		{"a", "silent", "GET /silent " + up, "hi"},
		{"a", "connect", "CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\n\r\n", "hi"},
		{"a", "clientError", bad, ""},
		{"b", "upgrade", "GET /up " + up, "hi"},
		{"b", "clientError", bad, ""},
		{"b", "clientError-more", bad, "hi"},
	}
	for _, tt := range cases {
		peers.compare(t, tt.server, tt.label, timeoutExchange{first: tt.first, wait: "sock.timeout cb", rest: tt.rest})
	}
}

package compat

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startCompatSocketTimeoutServers is diff_server_socket_timeout.js on compat.
func startCompatSocketTimeoutServers(t *testing.T) (map[string]int, *caseEvents) {
	ev := &caseEvents{}
	log := func(info SocketInfo, s string) { ev.add(strconv.Itoa(info.RemotePort), s) }
	handle := func(req *IncomingMessage, res *ServerResponse) {
		sock := req.Socket
		log(sock.SocketInfo, "request "+req.URL)
		res.OnClose(func() { log(sock.SocketInfo, "res.close") })
		got := 0
		switch req.URL {
		case "/req", "/rearm":
			d := 300 * time.Millisecond
			if req.URL == "/rearm" {
				d = 500 * time.Millisecond
			}
			req.SetTimeout(d, func() {
				log(sock.SocketInfo, fmt.Sprintf("req.timeout complete=%v got=%d", req.Complete(), got))
			})
			req.OnData(func(c []byte) { got += len(c) })
			req.OnEnd(func() { res.EndString("got " + strconv.Itoa(got)) })
		case "/res":
			res.SetTimeout(300*time.Millisecond, func() { log(sock.SocketInfo, "res.timeout"); res.EndString("late") })
		case "/res-keep":
			res.SetTimeout(300*time.Millisecond, func() { log(sock.SocketInfo, "res.timeout") })
		case "/res-destroy":
			res.SetTimeout(300*time.Millisecond, func() { log(sock.SocketInfo, "res.timeout"); sock.Destroy() })
		case "/off":
			res.SetTimeout(0, nil)
			time.AfterFunc(600*time.Millisecond, func() { res.EndString("late") })
		case "/between":
			res.OnFinish(func() {
				sock.SetTimeout(300*time.Millisecond, func() { log(sock.SocketInfo, "sock.timeout") })
			})
			res.EndString("ok")
		case "/end-then":
			res.EndString("ok")
			res.SetTimeout(300*time.Millisecond, func() { log(sock.SocketInfo, "res.timeout") })
		case "/res-finish":
			res.OnFinish(func() {
				s := "null"
				if res.Socket() != nil {
					s = "[object Object]"
				}
				log(sock.SocketInfo, "finish socket="+s)
				res.SetTimeout(300*time.Millisecond, func() { log(sock.SocketInfo, "res.timeout") })
			})
			res.EndString("ok")
		case "/later":
			res.EndString("ok")
			time.AfterFunc(50*time.Millisecond, func() {
				sock.SetTimeout(300*time.Millisecond, func() { log(sock.SocketInfo, "sock.timeout") })
			})
		case "/hang":
		default:
			res.EndString("ok")
		}
	}
	ports := map[string]int{}
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		s := CreateServer(nil, handle)
		switch name {
		case "b":
			s.SetTimeout(300*time.Millisecond, nil)
		case "c":
			s.OnConnection(func(sock *Socket) {
				sock.SetTimeout(300*time.Millisecond, func() { log(sock.SocketInfo, "sock.timeout") })
			})
		case "d":
			s.OnConnection(func(sock *Socket) {
				sock.SetTimeout(300*time.Millisecond, func() { log(sock.SocketInfo, "sock.timeout destroy"); sock.Destroy() })
			})
			s.OnTimeout(func(info SocketInfo) { log(info, "timeout") })
		case "e":
			s.OnConnection(func(sock *Socket) {
				sock.OnTimeout(func() { log(sock.SocketInfo, "sock.on timeout") })
				sock.SetTimeout(300*time.Millisecond, nil)
			})
			s.OnTimeout(func(info SocketInfo) { log(info, "timeout") })
		}
		ports[name] = listenLocal(t, s)
	}
	return ports, ev
}

// TestSocketTimeoutMatchesNode compares node's and compat's servers on
// timeouts of a connection's own (Node's socket.setTimeout): set by
// req.setTimeout on a request whose body stalls, and re-armed by its bytes
// as they trickle in; by res.setTimeout while the handler is slow (a
// listener that answers, one that does nothing and keeps the connection,
// one that destroys it); res.setTimeout(0) turning the server's timeout
// off; socket.setTimeout at 'connection' on an idle socket (with no other
// listener the server destroys it; a callback that destroys it; a socket
// 'timeout' listener with a server one, which keeps it) and on a socket
// that served a request, whose timeout the keep-alive one replaced and
// whose next request, never answered, has the server's (none); set at
// 'finish' or 50 ms after the response (but not right after end(), before
// 'finish', nor by res.setTimeout at 'finish', when the response has left
// its socket), replacing the keep-alive timeout
// on the idle connection, and lasting only until the next request's head,
// which gets the server's timeout (none) again.
// Compared: whether and which 'timeout' events came, in order, the wire
// bytes, and whether the connection is kept. The timeouts are 300-500 ms
// and the engine checks them every 100 ms, so each may fire up to that
// early or late; the waits allow for it.
func TestSocketTimeoutMatchesNode(t *testing.T) {
	peers := startTimeoutPeers(t, "diff_server_socket_timeout.js", startCompatSocketTimeoutServers)
	get := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n" }
	const post = "POST /req HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabcde"
	const rearm = "POST /rearm HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
	cases := []struct {
		server, label string
		first         string
		trickle       string // sent a byte every 100 ms after first
		next          string // sent 150 ms after first (and trickle)
		wait          string // the event to wait for; "" waits 800 ms
		rest          string
	}{
		{"a", "req", post, "", "", "timeout", "fghij"},
		{"a", "rearm", rearm, "abcdef", "", "timeout", "ghij"},
		{"a", "res", get("/res"), "", "", "timeout", ""},
		{"a", "res-keep", get("/res-keep"), "", "", "timeout", ""},
		{"a", "res-destroy", get("/res-destroy"), "", "", "timeout", ""},
		{"b", "off", get("/off"), "", "", "", ""},
		{"c", "idle", "", "", "", "timeout", ""},
		{"c", "served", get("/"), "", "", "", get("/hang")},
		{"d", "idle", "", "", "", "sock.timeout", ""},
		{"e", "idle", "", "", "", "sock.on", ""},
		{"a", "between", get("/between"), "", "", "sock.timeout", ""},
		{"a", "between-next", get("/between"), "", get("/hang"), "", ""},
		{"a", "end-then", get("/end-then"), "", "", "", ""},
		{"a", "res-finish", get("/res-finish"), "", "", "", ""},
		{"c", "pipelined", get("/") + get("/hang"), "", "", "", ""},
		{"a", "later", get("/later"), "", "", "sock.timeout", ""},
		{"a", "later-next", get("/later"), "", get("/hang"), "", ""},
	}
	for _, tt := range cases {
		// Pipelined requests' events interleave in Node (see README): their
		// order is not compared.
		anyOrder := strings.HasSuffix(tt.label, "pipelined")
		peers.compare(t, tt.server, tt.label, timeoutExchange{tt.first, tt.trickle, tt.next, tt.wait, tt.rest, anyOrder})
	}
}

// listenLocal starts s on a port of 127.0.0.1, closed when the test ends,
// and returns the port.
func listenLocal(t *testing.T, s *Server) int {
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	return s.Address().Port
}

// timeoutPeers are the servers of a timeout test: node's, from a script
// of testdata, and compat's, by name, with the events each logs.
type timeoutPeers struct {
	nodePorts, ports map[string]int
	nodeEv, ev       *caseEvents
}

// startTimeoutPeers starts compat's servers and node's script with as
// many.
func startTimeoutPeers(t *testing.T, script string, compat func(*testing.T) (map[string]int, *caseEvents)) timeoutPeers {
	var p timeoutPeers
	p.ports, p.ev = compat(t)
	sc := startNodeScript(t, script)
	p.nodePorts = nodeServerPorts(t, sc, len(p.ports))
	p.nodeEv = nodeEvents(sc)
	return p
}

// compare makes x with node's server and then compat's of that name, in a
// parallel subtest server/label, and compares what each gave.
func (p timeoutPeers) compare(t *testing.T, server, label string, x timeoutExchange) {
	t.Run(server+"/"+label, func(t *testing.T) {
		t.Parallel()
		// Timed by 100 ms ticks on both sides: a loaded machine (CI runs
		// every package's tests under -race at once) can delay the
		// trickled bytes or a timer past a tick. A real difference
		// fails every try; a delay, one.
		var got, want string
		for try := 0; try < 3; try++ {
			want = x.run(t, p.nodePorts[server], p.nodeEv)
			got = x.run(t, p.ports[server], p.ev)
			if got == want {
				return
			}
			t.Logf("try %d differs:\ncompat:\n%s\nnode:\n%s", try+1, got, want)
		}
		t.Errorf("compat:\n%s\nnode:\n%s", got, want)
	})
}

// nodeServerPorts reads the "NAME\tPORT" lines of a node script's n
// servers.
func nodeServerPorts(t *testing.T, sc *bufio.Scanner, n int) map[string]int {
	ports := map[string]int{}
	for len(ports) < n && sc.Scan() {
		name, port, _ := strings.Cut(sc.Text(), "\t")
		var err error
		if ports[name], err = strconv.Atoi(port); err != nil {
			t.Fatalf("node server: %q", sc.Text())
		}
	}
	return ports
}

// timeoutExchange is one connection of the timeout tests: it sends first,
// then trickle a byte every 100 ms, then next 150 ms later (if not ""),
// waits for an event containing wait ("" waits 800 ms), sends rest and
// reads for a second more.
type timeoutExchange struct {
	first, trickle, next, wait, rest string
	anyOrder                         bool // the events are sorted
}

// run makes the exchange with the server on port, whose events go to ev,
// and returns whether the event came, the wire bytes (dates masked),
// whether the connection was closed or kept, and the events.
func (x timeoutExchange) run(t *testing.T, port int, ev *caseEvents) string {
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key := strconv.Itoa(c.LocalAddr().(*net.TCPAddr).Port)
	var wire []byte
	var readErr error
	done := make(chan struct{})
	go func() {
		wire, readErr = io.ReadAll(c)
		close(done)
	}()
	if x.first != "" {
		if _, err := io.WriteString(c, x.first); err != nil {
			t.Fatal(err)
		}
	}
	for i := range x.trickle {
		time.Sleep(100 * time.Millisecond)
		io.WriteString(c, x.trickle[i:i+1])
	}
	if x.next != "" {
		time.Sleep(150 * time.Millisecond)
		io.WriteString(c, x.next)
	}
	came := true
	if x.wait != "" {
		// A server may log an event after the close it made: once closed,
		// give it half a second more.
		if came = ev.waitEvent(key, x.wait, done); !came {
			grace := make(chan struct{})
			time.AfterFunc(500*time.Millisecond, func() { close(grace) })
			came = ev.waitEvent(key, x.wait, grace)
		}
	} else {
		select {
		case <-done:
		case <-time.After(800 * time.Millisecond):
		}
	}
	if x.rest != "" {
		io.WriteString(c, x.rest)
	}
	// What follows comes at once; the connection is then closed or kept
	// (for 5 s, the keep-alive timeout, after a response).
	c.SetReadDeadline(time.Now().Add(time.Second))
	<-done
	state := "[closed]"
	if isTimeout(readErr) {
		state = "[open]"
	} else if readErr != nil {
		state = "[error: " + readErr.Error() + "]"
	}
	return fmt.Sprintf("event %q: %v\n%s%s\n%s", x.wait, came,
		dateValue.ReplaceAllString(string(wire), "Date: (date)\r"), state, x.events(ev, key))
}

// events takes key's events from ev, sorted if x.anyOrder.
func (x timeoutExchange) events(ev *caseEvents, key string) string {
	s := ev.take(key)
	if !x.anyOrder {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	sort.Strings(lines)
	return strings.Join(lines, "")
}

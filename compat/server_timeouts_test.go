package compat

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startNodeTimeoutServers runs testdata/diff_server_timeouts.js until the
// test ends and returns its servers' ports by name and its events by the
// client's port.
func startNodeTimeoutServers(t *testing.T) (map[string]int, *caseEvents) {
	sc := startNodeScript(t, "diff_server_timeouts.js")
	ports := map[string]int{}
	for len(ports) < 4 && sc.Scan() {
		name, port, _ := strings.Cut(sc.Text(), "\t")
		var err error
		if ports[name], err = strconv.Atoi(port); err != nil {
			t.Fatalf("node timeouts server: %q", sc.Text())
		}
	}
	return ports, nodeEvents(sc)
}

// startCompatTimeoutServers is diff_server_timeouts.js on compat: the
// same servers, their timeouts set after Listen through the setters.
func startCompatTimeoutServers(t *testing.T) (map[string]int, *caseEvents) {
	ev := &caseEvents{}
	log := func(info SocketInfo, s string) { ev.add(strconv.Itoa(info.RemotePort), s) }
	handle := func(req *IncomingMessage, res *ServerResponse) {
		log(req.Socket.SocketInfo, fmt.Sprintf("request %s %s upgrade=%v", req.Method, req.URL, req.Upgrade))
		req.OnData(func([]byte) {})
		req.OnEnd(func() {
			if req.URL == "/slow" {
				time.AfterFunc(800*time.Millisecond, func() { res.EndString("x") })
				return
			}
			res.EndString("x")
		})
	}
	set := func(s *Server) {
		s.SetKeepAliveTimeout(300 * time.Millisecond)
		s.SetHeadersTimeout(300 * time.Millisecond)
		s.SetRequestTimeout(500 * time.Millisecond)
	}
	ports := map[string]int{}
	for _, name := range []string{"tim", "timL", "tims", "tim0"} {
		// Node checks tim's and timL's head and request timeouts every 50
		// ms; tims keeps the default resolution, which its sub-second
		// Timeout makes 100 ms.
		opts := &ServerOptions{TimerResolution: 50 * time.Millisecond}
		if name == "tims" || name == "tim0" {
			opts = nil
		}
		s := CreateServer(opts, handle)
		if name == "timL" {
			s.OnClientError(func(err *Error, sock *Socket) {
				bytesParsed := "undefined" // Node's for a timeout, which is no parse error
				if errors.Is(err, ErrParse) {
					bytesParsed = strconv.Itoa(err.BytesParsed)
				}
				log(sock.SocketInfo, "clientError "+err.Code+" "+err.Message+" "+bytesParsed)
				sock.WriteString("HTTP/1.1 418 X\r\nX-Code: " + err.Code + "\r\n\r\n")
				sock.End()
			})
		}
		if err := s.Listen(0, "127.0.0.1", nil); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeServer(t, s) })
		switch name {
		case "tim":
			set(s)
			s.SetMaxRequestsPerSocket(2)
		case "timL":
			set(s)
			s.SetTimeout(0, func(info SocketInfo) { log(info, "timeout") })
		case "tims":
			s.SetTimeout(300*time.Millisecond, func(info SocketInfo) { log(info, "timeout") })
		case "tim0":
			s.SetKeepAliveTimeout(0)
			s.SetTimeout(300*time.Millisecond, nil)
		}
		ports[name] = s.Address().Port
	}
	return ports, ev
}

// timedExchange connects to port, waits idle first, sends send and reads
// until the server closes or 4 s have passed. It returns the bytes (Date
// masked), when the close came after the send ("soon": under 1 s, "later":
// under 3.5 s, "open": not within 4 s) and the server's events for the
// connection.
func timedExchange(t *testing.T, port int, ev *caseEvents, idle time.Duration, send string) string {
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(idle)
	start := time.Now()
	if _, err := io.WriteString(c, send); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(start.Add(4 * time.Second))
	b, err := io.ReadAll(c)
	state := "open"
	if err == nil {
		switch d := time.Since(start); {
		case d < time.Second:
			state = "soon"
		case d < 3500*time.Millisecond:
			state = "later"
		default:
			state = fmt.Sprintf("after %v", d)
		}
	} else if !isTimeout(err) {
		state = err.Error()
	}
	key := strconv.Itoa(c.LocalAddr().(*net.TCPAddr).Port)
	return dateValue.ReplaceAllString(string(b), "Date: (date)\r") + "[closed " + state + "]\n" + ev.take(key)
}

// TestServerTimeoutsMatchNode sets timeouts after listen on node's and
// compat's servers and compares what each connection gets: keepAliveTimeout
// 300 ms announces "timeout=0" and ends an idle connection 1.3 s after its
// response (Node 20's extra second), or, with a 'timeout' listener, emits
// 'timeout' and keeps it; headersTimeout 300 ms answers a stalled head, and
// a connection that sends nothing, with Node's 408 or the 'clientError'
// listener's reply; requestTimeout 500 ms answers a body that stalls, but
// not a response that comes 800 ms after a request received in full;
// server.setTimeout(300 ms, cb) emits 'timeout' on an idle new connection;
// maxRequestsPerSocket 2 says "max=2"; with keepAliveTimeout 0 and
// server.setTimeout(300 ms) with no listener, responses announce no
// timeout and a connection idle for 300 ms, new or between requests, is
// closed.
func TestServerTimeoutsMatchNode(t *testing.T) {
	nodePorts, nodeEv := startNodeTimeoutServers(t)
	ports, ev := startCompatTimeoutServers(t)
	const get = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n"
	cases := []struct {
		server, label string
		idle          time.Duration
		send          string
	}{
		{"tim", "keepAlive", 0, get},
		{"tim", "headers", 0, "GET /x HTTP/1.1\r\nHost: x\r\n"},
		{"tim", "fresh", 0, ""},
		{"tim", "body", 0, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab"},
		{"tim", "slowResponse", 0, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"timL", "keepAlive", 0, get},
		{"timL", "headers", 0, "GET /x HTTP/1.1\r\nHost: x\r\n"},
		{"timL", "fresh", 0, ""},
		{"tims", "idle", 800 * time.Millisecond, get},
		{"tim0", "idle", 0, ""},
		{"tim0", "keepAlive", 0, get},
	}
	for _, tt := range cases {
		t.Run(tt.server+"/"+tt.label, func(t *testing.T) {
			t.Parallel()
			want := timedExchange(t, nodePorts[tt.server], nodeEv, tt.idle, tt.send)
			got := timedExchange(t, ports[tt.server], ev, tt.idle, tt.send)
			if got != want {
				t.Errorf("sent %q after %v idle\ncompat:\n%s\nnode:\n%s", tt.send, tt.idle, got, want)
			}
		})
	}
}

// TestServerSetTimeoutSubSecond: server.setTimeout(200 ms) after Listen,
// on a server whose timers started at 1 s, fires 'timeout' on an idle new
// connection within a tick of 100 ms, as Node's exact timer does, not at
// the next whole second.
func TestServerSetTimeoutSubSecond(t *testing.T) {
	fired := make(chan time.Time, 1)
	s := CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) { res.End(nil) })
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	s.SetTimeout(200*time.Millisecond, func(SocketInfo) {
		select {
		case fired <- time.Now():
		default:
		}
	})
	// The engine ticks at each whole second too: connect 20 ms past one
	// (the 1 s tick already due has come), so that 1 s ticks would fire
	// about 1 s later.
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second + 20*time.Millisecond).Sub(now))
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.Address().Port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	select {
	case at := <-fired:
		if d := at.Sub(start); d > 700*time.Millisecond {
			t.Errorf("'timeout' %v after the connection; want about 200-300 ms", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no 'timeout' in 5 s")
	}
}

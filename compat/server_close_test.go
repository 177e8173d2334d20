package compat

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startCompatCloseServer is testdata/diff_server_close.js on compat.
func startCompatCloseServer(t *testing.T) (int, *caseEvents) {
	ev := &caseEvents{}
	var s *Server
	s = CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) {
		log := func(e string) { ev.add(req.URL, e) }
		log("request " + req.Method)
		req.OnAborted(func() { log("aborted") })
		req.OnError(func(err error) { log("req.error " + errText(err, "")) })
		req.OnClose(func() { log("req.close") })
		res.OnClose(func() { log("res.close") })
		res.OnFinish(func() { log("res.finish") })
		switch req.URL {
		case "/ok":
			res.EndString("ok")
		case "/closeAll":
			s.CloseAllConnections()
			log("listening=" + strconv.FormatBool(s.Listening()))
		}
	})
	s.OnConnection(func(*Socket) { ev.add("connection", "connection") })
	s.OnClientError(func(err *Error, _ *Socket) { ev.add("kept", "clientError "+err.Code) })
	s.OnUpgrade(func(req *IncomingMessage, sock *Socket) {
		ev.add("upgraded", "upgrade "+req.URL)
		sock.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	return s.Address().Port, ev
}

// waitEvents waits up to 5 s for name's first n events, leaving them in place.
func (c *caseEvents) waitEvents(name string, n int) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c.mu.Lock()
		got := len(c.m[name])
		c.mu.Unlock()
		if got >= n {
			return true
		}
	}
	return false
}

// closeAllScenario opens an idle connection, one whose request hangs, one
// refused with a 'clientError' listener that keeps the socket and an
// upgraded one, then asks for /closeAll on a fifth, and reports what each
// connection got, whether a new connection is then served, and the events.
func closeAllScenario(t *testing.T, port int, ev *caseEvents) string {
	dial := func() net.Conn {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	idle, hang, kept, upgraded, closer := dial(), dial(), dial(), dial(), dial()
	io.WriteString(hang, fmt.Sprintf(get11, "/hang"))
	io.WriteString(kept, "G@T / HTTP/1.1\r\nHost: x\r\n\r\n")
	io.WriteString(upgraded, "GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n")
	const head101 = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n"
	upgraded.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(upgraded, make([]byte, len(head101))); err != nil {
		t.Fatalf("upgraded: %v", err)
	}
	// The server has accepted the five (a dial returns before) and
	// received the requests.
	if !ev.waitEvents("connection", 5) || !ev.waitEvents("/hang", 1) || !ev.waitEvents("kept", 1) || !ev.waitEvents("upgraded", 1) {
		t.Fatal("connections not accepted, or no request, clientError or upgrade event")
	}
	io.WriteString(closer, fmt.Sprintf(get11, "/closeAll"))
	var out strings.Builder
	for _, c := range []struct {
		name string
		conn net.Conn
	}{{"idle", idle}, {"hang", hang}, {"kept", kept}, {"closeAll", closer}, {"upgraded", upgraded}} {
		d := 5 * time.Second
		if c.conn == upgraded {
			// The others have closed: closeAllConnections has run.
			d = 300 * time.Millisecond
		}
		c.conn.SetReadDeadline(time.Now().Add(d))
		b, err := io.ReadAll(c.conn)
		state := "closed"
		if isTimeout(err) {
			state = "open"
		} else if err != nil {
			state = err.Error()
		}
		fmt.Fprintf(&out, "%s: %q %s\n", c.name, b, state)
	}
	out.WriteString("after: " + exchangeRaw(t, port, fmt.Sprintf(get11c, "/ok")) + "\n")
	for _, url := range []string{"/hang", "/closeAll", "/ok", "kept", "upgraded"} {
		out.WriteString(url + ":\n" + ev.take(url) + "\n")
	}
	ev.take("connection")
	return out.String()
}

// TestServerCloseAllMatchesNode: server.closeAllConnections closes an idle
// connection, one whose response is owed, a 'clientError' socket its
// listener kept and the caller's own, with Node's events for the requests
// cut short, leaves an upgraded one open, and the server keeps serving.
func TestServerCloseAllMatchesNode(t *testing.T) {
	sc := startNodeScript(t, "diff_server_close.js")
	if !sc.Scan() {
		t.Fatal("node close server printed no port")
	}
	nodePort, err := strconv.Atoi(sc.Text())
	if err != nil {
		t.Fatalf("node close server: %q", sc.Text())
	}
	nodeEv := nodeEvents(sc)
	port, ev := startCompatCloseServer(t)
	want := closeAllScenario(t, nodePort, nodeEv)
	if got := closeAllScenario(t, port, ev); got != want {
		t.Errorf("compat:\n%s\nnode:\n%s", got, want)
	}
}

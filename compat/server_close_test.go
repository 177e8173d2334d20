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

// closeAllScenario opens an idle connection and one whose request hangs,
// then asks for /closeAll on a third, and reports what each connection
// got, whether a new connection is then served, and the events.
func closeAllScenario(t *testing.T, port int, ev *caseEvents) string {
	dial := func() net.Conn {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	idle, hang, closer := dial(), dial(), dial()
	io.WriteString(hang, fmt.Sprintf(get11, "/hang"))
	// The server has accepted the three (a dial returns before) and
	// received the request.
	if !ev.waitEvents("connection", 3) || !ev.waitEvents("/hang", 1) {
		t.Fatal("connections not accepted, or no request event for /hang")
	}
	io.WriteString(closer, fmt.Sprintf(get11, "/closeAll"))
	var out strings.Builder
	for _, c := range []struct {
		name string
		conn net.Conn
	}{{"idle", idle}, {"hang", hang}, {"closeAll", closer}} {
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, err := io.ReadAll(c.conn)
		state := "closed"
		if err != nil {
			state = err.Error()
		}
		fmt.Fprintf(&out, "%s: %q %s\n", c.name, b, state)
	}
	out.WriteString("after: " + exchangeRaw(t, port, fmt.Sprintf(get11c, "/ok")) + "\n")
	for _, url := range []string{"/hang", "/closeAll", "/ok"} {
		out.WriteString(url + ":\n" + ev.take(url) + "\n")
	}
	ev.take("connection")
	return out.String()
}

// TestServerCloseAllMatchesNode: server.closeAllConnections closes an idle
// connection, one whose response is owed and the caller's own, with
// Node's events for the requests cut short, and the server keeps serving.
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

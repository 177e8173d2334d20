package compat

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// startCompatConnectionServers is diff_server_connection.js on compat.
func startCompatConnectionServers(t *testing.T) (map[string]int, *caseEvents) {
	ev := &caseEvents{}
	var mu sync.Mutex
	sockets := map[int]*Socket{}
	log := func(port int, s string) { ev.add(strconv.Itoa(port), s) }
	handle := func(req *IncomingMessage, res *ServerResponse) {
		mu.Lock()
		sock := sockets[req.Socket.RemotePort]
		mu.Unlock()
		port := sock.RemotePort
		log(port, fmt.Sprintf("request %s same=%v", req.URL, req.Socket == sock && res.Socket() == sock))
		req.OnAborted(func() { log(port, "aborted") })
		req.OnError(func(err error) { log(port, "req.error "+errText(err, "")) })
		req.OnClose(func() { log(port, "req.close") })
		res.OnClose(func() { log(port, "res.close") })
		switch req.URL {
		case "/later":
			time.AfterFunc(50*time.Millisecond, sock.Destroy)
		case "/resdestroy":
			time.AfterFunc(50*time.Millisecond, res.Destroy)
		case "/reqdestroy":
			time.AfterFunc(50*time.Millisecond, func() { req.Destroy(nil) })
		case "/end-after":
			res.EndString("ok")
			sock.End()
		case "/end-mid":
			res.WriteString("part")
			sock.End()
			time.AfterFunc(50*time.Millisecond, func() { res.EndString("rest") })
		case "/end-before":
			sock.End()
			time.AfterFunc(50*time.Millisecond, func() { res.EndString("late") })
		case "/end-later":
			time.AfterFunc(50*time.Millisecond, func() {
				res.WriteString("part")
				sock.End()
			})
		case "/end-big":
			res.WriteString(strings.Repeat("a", 4<<20))
			sock.End()
		case "/slow":
		default:
			res.EndString("ok")
		}
	}
	connection := func(destroyNow, endNow bool) func(*Socket) {
		return func(sock *Socket) {
			port := sock.RemotePort
			log(port, "connection "+sock.RemoteAddress+" "+sock.RemoteFamily+" "+sock.LocalAddress)
			sock.OnClose(func() {
				log(port, "socket.close")
				mu.Lock()
				delete(sockets, port)
				mu.Unlock()
			})
			mu.Lock()
			sockets[port] = sock
			mu.Unlock()
			if destroyNow {
				sock.Destroy()
			}
			if endNow {
				sock.End()
			}
		}
	}
	ports := map[string]int{}
	for _, name := range []string{"c1", "c2", "c3"} {
		s := CreateServer(nil, handle)
		s.OnConnection(connection(name == "c1", name == "c3"))
		if err := s.Listen(0, "127.0.0.1", nil); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeServer(t, s) })
		ports[name] = s.Address().Port
	}
	return ports, ev
}

// TestServerConnectionSocketMatchesNode compares what a 'connection'
// listener does with its socket on node's and compat's servers, and the
// order of the socket's 'close' among the request's and the response's
// events: destroyed at once (the client gets nothing), destroyed 50 ms
// into a request that has no response yet, the response or the request
// destroyed then, the client closing or resetting while the server holds
// its request, and a request answered on a socket kept (its 'close' when
// the client leaves); and socket.end(): at 'connection', after a
// response, in the middle of one (now and 50 ms later), before one, and
// after a 4 MiB body the client reads late, each read to the FIN. Every
// request checks that req.socket and res.socket are the 'connection'
// socket.
func TestServerConnectionSocketMatchesNode(t *testing.T) {
	sc := startNodeScript(t, "diff_server_connection.js")
	nodePorts := map[string]int{}
	for len(nodePorts) < 3 && sc.Scan() {
		name, port, _ := strings.Cut(sc.Text(), "\t")
		var err error
		if nodePorts[name], err = strconv.Atoi(port); err != nil {
			t.Fatalf("node connection server: %q", sc.Text())
		}
	}
	nodeEv := nodeEvents(sc)
	ports, ev := startCompatConnectionServers(t)
	// leave is how the client leaves a request the server holds: "" reads
	// to the end, "close" closes once the request was emitted, "reset"
	// resets then, "fin" reads to the end and closes.
	// last is the event each case ends with, on node.
	cases := []struct{ server, label, send, leave, last string }{
		{"c1", "now", "", "", "socket.close"},
		{"c2", "later", "GET /later HTTP/1.1\r\nHost: x\r\n\r\n", "", "req.close"},
		{"c2", "kept", "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "", "socket.close"},
		{"c2", "resdestroy", "GET /resdestroy HTTP/1.1\r\nHost: x\r\n\r\n", "", "req.close"},
		{"c2", "reqdestroy", "POST /reqdestroy HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab", "", "res.close"},
		{"c2", "gone", "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", "close", "req.close"},
		{"c2", "gonebody", "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab", "close", "req.close"},
		{"c2", "reset", "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab", "reset", "req.close"},
		{"c2", "end-after", "GET /end-after HTTP/1.1\r\nHost: x\r\n\r\n", "fin", "socket.close"},
		{"c2", "end-mid", "GET /end-mid HTTP/1.1\r\nHost: x\r\n\r\n", "fin", "req.close"},
		{"c2", "end-before", "GET /end-before HTTP/1.1\r\nHost: x\r\n\r\n", "fin", "req.close"},
		{"c3", "end-now", "", "fin", "socket.close"},
		{"c2", "end-later", "GET /end-later HTTP/1.1\r\nHost: x\r\n\r\n", "fin", "req.close"},
		{"c2", "end-big", "GET /end-big HTTP/1.1\r\nHost: x\r\n\r\n", "slow", "req.close"},
	}
	run := func(t *testing.T, port int, ev *caseEvents, send, leave, last string) string {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		key := strconv.Itoa(c.LocalAddr().(*net.TCPAddr).Port)
		// Nothing is sent to c1, which destroys the socket at once: bytes
		// reaching a closed socket would reset it (on either server).
		io.WriteString(c, send)
		state := ""
		if leave != "" && leave != "fin" && leave != "slow" {
			if !ev.waitEvent(key, "request", nil) {
				t.Errorf("no request event")
			}
			if leave == "reset" {
				c.(*net.TCPConn).SetLinger(0)
			}
			c.Close()
		} else {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if leave == "slow" {
				time.Sleep(300 * time.Millisecond)
			}
			b, err := io.ReadAll(c)
			if len(b) > 256 {
				b = fmt.Appendf(b[:256:256], "... (%d bytes)", len(b))
			}
			state = "[closed]"
			if err != nil {
				state = "[error]" // a reset: the server destroyed the socket
				if isTimeout(err) {
					state = "[open]"
				}
			}
			state = dateValue.ReplaceAllString(string(b), "Date: (date)\r") + state + "\n"
			if leave == "fin" || leave == "slow" {
				c.Close()
			}
		}
		if !ev.waitEvent(key, last, nil) {
			t.Errorf("no %s", last)
		}
		return state + ev.take(key)
	}
	for _, tt := range cases {
		t.Run(tt.server+"/"+tt.label, func(t *testing.T) {
			t.Parallel()
			want := run(t, nodePorts[tt.server], nodeEv, tt.send, tt.leave, tt.last)
			got := run(t, ports[tt.server], ev, tt.send, tt.leave, tt.last)
			if got != want {
				t.Errorf("compat:\n%s\nnode:\n%s", got, want)
			}
		})
	}
}

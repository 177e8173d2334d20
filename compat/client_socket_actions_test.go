package compat

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"
)

// answerWhole records the bytes that arrive on c before the client closes
// it or has sent a whole request, which it answers 300 ms later with "ok"
// and Connection: close.
func answerWhole(c net.Conn, _ int) string {
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var all []byte
	buf := make([]byte, 4096)
	for !complete(all) {
		n, err := c.Read(buf)
		all = append(all, buf[:n]...)
		if err != nil {
			break
		}
	}
	if complete(all) {
		time.Sleep(300 * time.Millisecond)
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"))
	}
	return fmt.Sprintf("server got %d bytes", len(all))
}

// TestClientSocketActionsMatchNode: on a new connection 'socket' comes
// while it connects, as in Node: its remote address still empty (Node's
// undefined) and Socket set, the addresses there by 'finish' (before, it
// came once connected, with them). What its listener does acts before the
// request is written: Destroy gives 'error' "socket hang up" and 'close'
// with nothing sent (no 'prefinish'), the server seeing a connection
// close empty; Abort gives 'abort' first; SetTimeout(100 ms), timed from
// the connect, gives 'timeout' before a response 300 ms late. Events as
// client_socket_actions.js prints them with node v20, and what the server
// got.
func TestClientSocketActionsMatchNode(t *testing.T) {
	for _, mode := range []string{"none", "destroy", "abort", "timeout"} {
		t.Run(mode, func(t *testing.T) {
			port, rec := recordServer(t, answerWhole)
			want := runNode(t, "testdata/client_socket_actions.js", fmt.Sprint(port), mode)
			want += "\n" + awaitRecord(t, rec)
			tr := &trace{}
			done := make(chan struct{})
			opts := &RequestOptions{Host: "127.0.0.1", Port: port, Method: "POST", NoAgent: true}
			var r *ClientRequest
			r, err := Request("", opts, func(res *IncomingMessage) {
				tr.add("response %d", res.StatusCode)
				res.Resume()
				res.OnEnd(func() { tr.add("end") })
			})
			if err != nil {
				t.Fatal(err)
			}
			r.OnSocket(func(s SocketInfo) {
				_, set := r.Socket()
				tr.add("socket remote=%s set=%v", undefinedIfEmpty(s.RemoteAddress), set)
				switch mode {
				case "destroy":
					r.Destroy(nil)
				case "abort":
					r.Abort()
				case "timeout":
					r.SetTimeout(100*time.Millisecond, func() { tr.add("timeout") })
				}
			})
			r.OnFinish(func() {
				s, _ := r.Socket()
				tr.add("finish remote=%s", undefinedIfEmpty(s.RemoteAddress))
			})
			r.OnPrefinish(func() { tr.add("prefinish") })
			r.OnAbort(func() { tr.add("abort") })
			r.OnError(func(err error) {
				var e *Error
				if errors.As(err, &e) {
					tr.add("error %s %s", e.Code, e.Message)
				} else {
					tr.add("error %v", err)
				}
			})
			r.OnClose(func() { tr.add("close"); close(done) })
			r.EndString("body")
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("not done; so far:\n%s", tr)
			}
			if got := tr.String() + "\n" + awaitRecord(t, rec); got != want {
				t.Errorf("compat:\n%s\nnode:\n%s", got, want)
			}
		})
	}
}

// awaitRecord returns the next record from rec (at most 10 s).
func awaitRecord(t *testing.T, rec <-chan string) string {
	t.Helper()
	select {
	case s := <-rec:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the server recorded nothing")
	}
	return ""
}

// undefinedIfEmpty is s, or "undefined" for "", as node prints an unset
// socket property.
func undefinedIfEmpty(s string) string {
	if s == "" {
		return "undefined"
	}
	return s
}

package engine

import (
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// openEnd makes TestConnEnd's OnOpenConn end the connection.
var openEnd atomic.Bool

// TestConnEnd: ConnHandle.End (Node's socket.end() on a server's socket)
// closes the connection once what was written before it has gone out: a
// 4 MiB response to a client that reads it late arrives whole, where Close
// drops what the socket had not taken; a detached response ended from
// another goroutine stops where it is, after the bytes written before End;
// End at the connection's opening closes it with no bytes.
func TestConnEnd(t *testing.T) {
	big := strings.Repeat("a", 4<<20)
	h := func(w *Response, r *Request) {
		switch string(r.Path()) {
		case "/big":
			w.WriteString(big)
			w.End()
			r.Conn().End()
		case "/later":
			conn := r.Conn()
			d := w.Detach()
			go func() {
				d.Do(func(w *Response) {
					w.WriteString("part")
					w.Flush()
				})
				conn.End()
			}()
		}
	}
	_, addr := startServer(t, h, &Options{
		OnOpenConn: func(h ConnHandle) func() {
			if openEnd.Load() {
				h.End()
			}
			return nil
		},
	})
	for _, tc := range []struct {
		name, req string
		wantLen   int    // bytes of body wanted, if not 0
		wantTail  string // the end of what is read, if not ""
	}{
		{"big", "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", 4 << 20, ""},
		{"later", "GET /later HTTP/1.1\r\nHost: x\r\n\r\n", 0, "4\r\npart\r\n"},
		{"open", "", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			openEnd.Store(tc.name == "open")
			c := dialServer(t, addr)
			defer c.Close()
			io.WriteString(c, tc.req)
			time.Sleep(200 * time.Millisecond) // the server's output backs up
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			b, err := io.ReadAll(c)
			if err != nil {
				t.Fatalf("read %d bytes, then %v; want them all, then the close", len(b), err)
			}
			got := string(b)
			switch {
			case tc.wantLen > 0:
				_, body, _ := strings.Cut(got, "\r\n\r\n")
				if len(body) != tc.wantLen {
					t.Errorf("body of %d bytes; want %d", len(body), tc.wantLen)
				}
			case tc.wantTail != "":
				if !strings.HasSuffix(got, tc.wantTail) {
					t.Errorf("read %q; want it to end with %q", got, tc.wantTail)
				}
			default:
				if got != "" {
					t.Errorf("read %q; want nothing", got)
				}
			}
		})
	}
}

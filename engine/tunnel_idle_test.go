package engine

import (
	"bufio"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// idleTunnel echoes as echoTunnel and counts its idle timeouts; with
// tick, each timeout writes "t" from another goroutine (WriteAsync).
type idleTunnel struct {
	echoTunnel
	fired *atomic.Int32
	tick  bool
}

func (h idleTunnel) OnIdleTimeout(t *Tunnel) {
	h.fired.Add(1)
	if h.tick {
		go t.WriteAsync([]byte("t"))
	}
}

// TestTunnelIdleTimeout: a tunnel's own idle timeout (Node's
// socket.setTimeout on an upgraded socket, or on a 'clientError' one the
// listener left open) runs OnIdleTimeout once the tunnel has read and
// written nothing for it, keeps the connection, and is re-armed by the next
// read, by a write on the loop (the echo) and by one from another
// goroutine (WriteAsync); 0 turns it off; a handler without OnIdleTimeout
// has the connection closed.
func TestTunnelIdleTimeout(t *testing.T) {
	var fired atomic.Int32
	h := func(w *Response, r *Request) {
		var th TunnelHandler = idleTunnel{fired: &fired, tick: string(r.Path()) == "/tick"}
		if string(r.Path()) == "/plain" {
			th = echoTunnel{}
		}
		w.SetStatus(101)
		tn, err := w.Hijack(th)
		if err != nil {
			panic(err)
		}
		tn.SetIdleTimeout(100 * time.Millisecond)
		if string(r.Path()) == "/off" {
			tn.SetIdleTimeout(0)
		}
	}
	_, addr := startServer(t, h, &Options{
		TickInterval: 10 * time.Millisecond,
		ErrorTunnel: func(dst []byte, _ int, _ error, tn *Tunnel) ([]byte, TunnelHandler) {
			tn.SetIdleTimeout(100 * time.Millisecond)
			return append(dst, "refused\n"...), idleTunnel{fired: &fired}
		},
	})
	for _, tc := range []struct {
		name, req string
		min, max  int32 // timeouts in 450 ms, then in 450 more after the client's "x"
		closes    bool
	}{
		{"idle", "GET /idle HTTP/1.1\r\nHost: x\r\nUpgrade: a\r\nConnection: Upgrade\r\n\r\n", 1, 2, false},
		{"tick", "GET /tick HTTP/1.1\r\nHost: x\r\nUpgrade: a\r\nConnection: Upgrade\r\n\r\n", 3, 7, false},
		{"off", "GET /off HTTP/1.1\r\nHost: x\r\nUpgrade: a\r\nConnection: Upgrade\r\n\r\n", 0, 0, false},
		{"refused", "BAD\r\n\r\n", 1, 2, false},
		{"plain", "GET /plain HTTP/1.1\r\nHost: x\r\nUpgrade: a\r\nConnection: Upgrade\r\n\r\n", 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fired.Store(0)
			c := dialServer(t, addr)
			defer c.Close()
			io.WriteString(c, tc.req)
			br := bufio.NewReader(c)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := br.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
			closed, _ := closedWithin(readerConn{c, br}, 450*time.Millisecond)
			if closed != tc.closes {
				t.Fatalf("closed %v; want %v", closed, tc.closes)
			}
			if closed {
				return
			}
			first := fired.Load()
			io.WriteString(c, "x")
			closedWithin(readerConn{c, br}, 450*time.Millisecond)
			second := fired.Load() - first
			if first < tc.min || first > tc.max || second < tc.min || second > tc.max {
				t.Errorf("%d timeouts in the first 450 ms, %d after a read; want %d to %d", first, second, tc.min, tc.max)
			}
		})
	}
}

// readerConn reads c through br, which may hold bytes read ahead.
type readerConn struct {
	net.Conn
	br *bufio.Reader
}

func (r readerConn) Read(p []byte) (int, error) { return r.br.Read(p) }

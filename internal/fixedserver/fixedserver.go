// Package fixedserver is a loopback HTTP/1.1 responder for tests and
// benchmarks: it answers every request head it reads with one fixed response,
// without allocating per request, so that a client's allocations and CPU can
// be measured against it. It understands no bodies: each "\r\n\r\n" is a request.
package fixedserver

import (
	"bytes"
	"net"
	"testing"
)

// Start listens on 127.0.0.1, answers with resp until the test ends, and
// returns the listening address. Pipelined heads in one read get their
// responses in one write.
func Start(tb testing.TB, resp string) string {
	tb.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c, resp)
		}
	}()
	return ln.Addr().String()
}

func serve(c net.Conn, resp string) {
	defer c.Close()
	buf, out := make([]byte, 64<<10), make([]byte, 0, 64<<10)
	have := 0
	for {
		n, err := c.Read(buf[have:])
		if err != nil {
			return
		}
		have += n
		out = out[:0]
		start := 0
		for {
			i := bytes.Index(buf[start:have], []byte("\r\n\r\n"))
			if i < 0 {
				break
			}
			start += i + 4
			out = append(out, resp...)
		}
		have = copy(buf, buf[start:have])
		if have == len(buf) {
			return // a head longer than the buffer: not a client under test
		}
		if len(out) > 0 {
			if _, err := c.Write(out); err != nil {
				return
			}
		}
	}
}

//go:build !race

package engine

import (
	"bytes"
	"net"
	"testing"
)

// minAllocsPerRun is testing.AllocsPerRun taking the minimum of several
// rounds, so that a stray allocation by the runtime or the loopback server
// (not by the client) does not fail the test.
func minAllocsPerRun(rounds, runs int, f func()) float64 {
	min := -1.0
	for i := 0; i < rounds; i++ {
		if n := testing.AllocsPerRun(runs, f); min < 0 || n < min {
			min = n
		}
	}
	return min
}

func TestClientAllocsKeepAliveGet(t *testing.T) {
	body := []byte("hello, world")
	addr := fixedServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nKeep-Alive: timeout=5\r\n\r\nhello, world")
	cli := newTestClient(t)
	cc := dialTest(t, cli, addr, nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	req.SetPath("/alloc")
	req.Header.AddString("User-Agent", "zerohttp")
	var err error
	do := func() {
		if err = cc.Do(req, resp); err == nil && string(resp.Body()) != string(body) {
			t.Fatalf("body %q", resp.Body())
		}
	}
	do()
	if n := minAllocsPerRun(5, 200, do); n != 0 {
		t.Fatalf("allocs = %v; want 0", n)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// fixedServer answers every request head (bodies are not supported) with
// resp. It does not allocate per request, so AllocsPerRun, which counts the
// whole process, sees only the client.
func fixedServer(t testing.TB, resp string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := []byte(resp)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64<<10)
				var wbuf []byte
				have := 0
				for {
					n, err := c.Read(buf[have:])
					if err != nil {
						return
					}
					have += n
					wbuf = wbuf[:0]
					start := 0
					for {
						i := bytes.Index(buf[start:have], []byte("\r\n\r\n"))
						if i < 0 {
							break
						}
						start += i + 4
						wbuf = append(wbuf, out...)
					}
					have = copy(buf, buf[start:have])
					if len(wbuf) > 0 {
						if _, err := c.Write(wbuf); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

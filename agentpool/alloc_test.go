//go:build !race

package agentpool

import (
	"bytes"
	"net"
	"testing"

	"github.com/zerohttp/zerohttp/engine"
)

// TestAgentAllocsKeepAliveGet: a keep-alive GET through the agent allocates
// nothing in steady state (min of several AllocsPerRun rounds, as the count
// is process-wide).
func TestAgentAllocsKeepAliveGet(t *testing.T) {
	host, port := splitAddr(t, fixedServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	a := newAgent(t, Options{KeepAlive: true})
	req, resp := engine.AcquireClientRequest(), engine.AcquireClientResponse()
	req.SetHost(host)
	req.SetPort(port)
	req.SetPath("/alloc")
	do := func() {
		if err := a.Do(req, resp); err != nil || string(resp.Body()) != "ok" {
			t.Fatalf("Do = %v %q", err, resp.Body())
		}
	}
	do()
	min := -1.0
	for i := 0; i < 5; i++ {
		if n := testing.AllocsPerRun(200, do); min < 0 || n < min {
			min = n
		}
	}
	if min != 0 {
		t.Fatalf("allocs = %v; want 0", min)
	}
}

// fixedServer answers every request head with resp without allocating per request.
func fixedServer(t testing.TB, resp string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
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
					if len(out) > 0 {
						if _, err := c.Write(out); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

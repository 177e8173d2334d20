package main

import (
	"bytes"
	"context"

	"github.com/panjf2000/gnet/v2"
)

// The fixed fast server: one gnet loop that answers each "\r\n\r\n" it sees
// with the same response, batched into one write per read. It does no HTTP
// work, so the client is the bottleneck.

const fixedResponse = "HTTP/1.1 200 OK\r\nServer: fixed\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!"

type fixedServer struct {
	gnet.BuiltinEventEngine
}

type fixedConn struct {
	partial int
	out     []byte
}

func (*fixedServer) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	c.SetContext(&fixedConn{out: make([]byte, 0, 64<<10)})
	return nil, gnet.None
}

var endOfHead = []byte("\r\n\r\n")

func (*fixedServer) OnTraffic(c gnet.Conn) gnet.Action {
	fc := c.Context().(*fixedConn)
	b, _ := c.Next(-1)
	n := 0
	// Finish a terminator split across reads.
	for fc.partial > 0 && len(b) > 0 {
		if b[0] == endOfHead[fc.partial] {
			fc.partial++
			b = b[1:]
			if fc.partial == 4 {
				n++
				fc.partial = 0
			}
			continue
		}
		fc.partial = 0
	}
	for {
		i := bytes.Index(b, endOfHead)
		if i < 0 {
			break
		}
		n++
		b = b[i+4:]
	}
	for k := 3; k > 0; k-- {
		if len(b) >= k && bytes.Equal(b[len(b)-k:], endOfHead[:k]) {
			fc.partial = k
			break
		}
	}
	out := fc.out[:0]
	for ; n > 0; n-- {
		out = append(out, fixedResponse...)
	}
	fc.out = out
	if len(out) > 0 {
		c.Write(out)
	}
	return gnet.None
}

func serve(ctx context.Context, addr string) error {
	go func() {
		<-ctx.Done()
		gnet.Stop(context.Background(), "tcp://"+addr)
	}()
	return gnet.Run(&fixedServer{}, "tcp://"+addr, gnet.WithMulticore(false), gnet.WithNumEventLoop(1),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay), gnet.WithReusePort(false))
}

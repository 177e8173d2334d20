package engine

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"
)

// BenchmarkServerKeepAlive measures a keep-alive hello-world round trip over
// loopback, one request per write.
func BenchmarkServerKeepAlive(b *testing.B) {
	benchServer(b, 1)
}

// BenchmarkServerPipelined16 sends 16 pipelined requests per write.
func BenchmarkServerPipelined16(b *testing.B) {
	benchServer(b, 16)
}

func benchServer(b *testing.B, depth int) {
	_, addr := startServer(b, helloHandler, &Options{NumLoops: 1, ServerName: "zerohttp"})
	c := dialServer(b, addr)
	one := []byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
	req := bytes.Repeat(one, depth)
	buf := make([]byte, 64<<10)
	c.Write(one)
	n := 0
	for !bytes.HasSuffix(buf[:n], []byte("Hello, World!")) {
		k, err := c.Read(buf[n:])
		if err != nil {
			b.Fatal(err)
		}
		n += k
	}
	respLen := n * depth
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	b.ResetTimer()
	for i := 0; i < b.N; i += depth {
		c.Write(req)
		if _, err := io.ReadFull(c, buf[:respLen]); err != nil {
			b.Fatal(err)
		}
	}
}

// rawGnet is the ceiling: a gnet handler that answers every request head in
// a read with a fixed response, with no parsing beyond finding "\r\n\r\n".
type rawGnet struct {
	gnet.BuiltinEventEngine
	resp []byte
	out  []byte
}

func (h *rawGnet) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Peek(-1)
	used := 0
	h.out = h.out[:0]
	for {
		i := bytes.Index(buf[used:], []byte("\r\n\r\n"))
		if i < 0 {
			break
		}
		used += i + 4
		h.out = append(h.out, h.resp...)
	}
	c.Discard(used)
	c.Write(h.out)
	return gnet.None
}

func BenchmarkRawGnetKeepAlive(b *testing.B)   { benchRawGnet(b, 1) }
func BenchmarkRawGnetPipelined16(b *testing.B) { benchRawGnet(b, 16) }

func benchRawGnet(b *testing.B, depth int) {
	resp := append(appendDate([]byte("HTTP/1.1 200 OK\r\nServer: zerohttp\r\n")), "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!"...)
	h := &rawGnet{resp: resp}
	ln, err := net.Listen("tcp", "127.0.0.1:0") // for a free port
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	proto := "tcp://" + addr
	done := make(chan error, 1)
	go func() { done <- gnet.Run(h, proto, gnet.WithNumEventLoop(1), gnet.WithLogLevel(logging.ErrorLevel)) }()
	defer func() {
		gnet.Stop(context.Background(), proto)
		<-done
	}()
	var c net.Conn
	for i := 0; i < 100; i++ {
		if c, err = net.Dial("tcp", addr); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if c == nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := bytes.Repeat([]byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"), depth)
	buf := make([]byte, 64<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	b.ResetTimer()
	for i := 0; i < b.N; i += depth {
		c.Write(req)
		if _, err := io.ReadFull(c, buf[:len(resp)*depth]); err != nil {
			b.Fatal(err)
		}
	}
}

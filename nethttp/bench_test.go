package nethttp

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

// BenchmarkServe sends keep-alive GETs over one raw connection to a hello
// handler on net/http and on the bridge; allocations are the server's and
// the raw client's, which allocates nothing.
func BenchmarkServe(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "Hello, World!")
	})
	b.Run("nethttp", func(b *testing.B) {
		s := httptest.NewServer(h)
		defer s.Close()
		benchRawGets(b, s.Listener.Addr().String())
	})
	b.Run("bridge", func(b *testing.B) {
		benchRawGets(b, startBridge(b, h, nil))
	})
}

// BenchmarkServeFloor is BenchmarkServe's hello from the engine's own API on
// the loop, the floor for the bridge: cachegrind's count per request here
// and in BenchmarkServe/bridge tells the bridge's own cost.
func BenchmarkServeFloor(b *testing.B) {
	body := []byte("Hello, World!")
	s := engine.NewServer(func(w *engine.Response, _ *engine.Request) {
		w.Header().AddString("Content-Type", "text/plain")
		_, _ = w.Write(body)
	}, &engine.Options{NumLoops: 1})
	if err := s.Start("tcp://127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	}()
	benchRawGets(b, s.Addr().String())
}

// benchRawGets writes a GET and reads its response (one whose head ends
// "\r\n\r\n" and whose body is "Hello, World!") b.N times.
func benchRawGets(b *testing.B, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	end := []byte("\r\n\r\nHello, World!")
	buf := make([]byte, 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := rawRoundTrip(c, req, end, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// rawRoundTrip writes req and reads into buf until what it read ends with end.
func rawRoundTrip(c net.Conn, req, end, buf []byte) error {
	if _, err := c.Write(req); err != nil {
		return err
	}
	n := 0
	for !bytes.HasSuffix(buf[:n], end) {
		m, err := c.Read(buf[n:])
		if err != nil {
			return err
		}
		n += m
	}
	return nil
}

// BenchmarkServePipelined sends batches of 16 pipelined GETs over one raw
// connection, as serverbench's pipeline mode does.
func BenchmarkServePipelined(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = []string{"text/plain"}
		io.WriteString(w, "Hello, World!")
	})
	b.Run("nethttp", func(b *testing.B) {
		s := httptest.NewServer(h)
		defer s.Close()
		benchPipelined(b, s.Listener.Addr().String())
	})
	b.Run("bridge", func(b *testing.B) {
		benchPipelined(b, startBridge(b, h, nil))
	})
}

func benchPipelined(b *testing.B, addr string) {
	const depth = 16
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := bytes.Repeat([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), depth)
	end := []byte("Hello, World!")
	buf := make([]byte, 64<<10)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += depth {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		n, got := 0, 0
		for got < depth {
			m, err := c.Read(buf[n:])
			if err != nil {
				b.Fatal(err)
			}
			n += m
			got = bytes.Count(buf[:n], end)
		}
	}
}

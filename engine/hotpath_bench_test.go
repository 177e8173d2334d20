package engine

import (
	"bytes"
	"testing"

	"github.com/panjf2000/gnet/v2"
)

// fakeConn is a gnet.Conn without a socket: Peek returns what the benchmark
// queued and Write counts bytes, so the HTTP layer's cost per request can be
// measured without the syscalls that dominate the loopback benchmarks.
// Methods the hot path does not call panic through the nil embedded Conn.
type fakeConn struct {
	gnet.Conn
	in      []byte
	off     int
	written int
	keep    bool   // append what is written to out
	out     []byte // written bytes, when keep is set
	ctx     any
}

func (f *fakeConn) Peek(n int) ([]byte, error) { return f.in[f.off:], nil }
func (f *fakeConn) Discard(n int) (int, error) { f.off += n; return n, nil }
func (f *fakeConn) Write(p []byte) (int, error) {
	f.written += len(p)
	if f.keep {
		f.out = append(f.out, p...)
	}
	return len(p), nil
}
func (f *fakeConn) InboundBuffered() int  { return len(f.in) - f.off }
func (f *fakeConn) OutboundBuffered() int { return 0 }
func (f *fakeConn) Fd() int               { return -1 }
func (f *fakeConn) Context() any          { return f.ctx }
func (f *fakeConn) SetContext(ctx any)    { f.ctx = ctx }

// BenchmarkHotPath feeds one read of depth requests to a connection and
// serves them with the hello-world handler: the engine's work per read,
// without the kernel. ns/op is per request.
func BenchmarkHotPath(b *testing.B) {
	for _, depth := range []int{1, 16} {
		b.Run(map[int]string{1: "keepalive", 16: "pipelined16"}[depth], func(b *testing.B) {
			s := NewServer(benchHello, &Options{ServerName: "zerohttp", KeepAliveTimeout: -1})
			l := newLoop(s, nil)
			// gnet's Peek returns a view of its 64 KiB read buffer.
			in := bytes.Repeat([]byte("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"), depth)
			f := &fakeConn{in: append(make([]byte, 0, 64<<10), in...)}
			c := newConn(s, l, f)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += depth {
				f.off = 0
				c.onTraffic()
			}
			b.StopTimer()
			if want := len(f.in); f.off != want {
				b.Fatalf("consumed %d bytes, want %d", f.off, want)
			}
		})
	}
}

var helloBody = []byte("Hello, World!")

// benchHello is cmd/server's zerohttp handler.
func benchHello(w *Response, _ *Request) {
	w.Header().AddString("Content-Type", "text/plain")
	w.Write(helloBody)
}

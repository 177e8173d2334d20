package nethttp

import (
	"io"
	"net/http"
	"testing"

	"github.com/zerohttp/zerohttp/internal/fixedserver"
)

// BenchmarkTransport sends keep-alive GETs through http.Client with
// http.Transport and with Transport to one fixed responder; allocations
// are the client's.
func BenchmarkTransport(b *testing.B) {
	url := "http://" + fixedserver.Start(b, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!") + "/"
	run := func(b *testing.B, rt http.RoundTripper) {
		c := &http.Client{Transport: rt}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			resp, err := c.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	b.Run("nethttp", func(b *testing.B) {
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		run(b, tr)
	})
	b.Run("bridge", func(b *testing.B) {
		tr := &Transport{}
		defer tr.CloseIdleConnections()
		run(b, tr)
	})
}

package nethttp

import (
	"io"
	"net/http"
	"testing"

	"github.com/zerohttp/zerohttp/agentpool"
	"github.com/zerohttp/zerohttp/engine"
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

// BenchmarkTransportFloor is what BenchmarkTransport/bridge is made of:
// agent, the same GET through the agent's own Do with one engine request
// and response reused, to the same responder; httpclient, http.Client's and
// NewRequest's own work, on a RoundTripper that answers at once with no
// I/O. cachegrind's count per request in bridge less both is what the
// Transport adds.
func BenchmarkTransportFloor(b *testing.B) {
	b.Run("agent", func(b *testing.B) {
		addr := fixedserver.Start(b, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")
		a, err := agentpool.NewKeepAliveAgent(nil)
		if err != nil {
			b.Fatal(err)
		}
		defer a.Destroy()
		req, resp := engine.AcquireClientRequest(), engine.AcquireClientResponse()
		defer engine.ReleaseClientRequest(req)
		defer engine.ReleaseClientResponse(resp)
		if err := req.SetAddr(addr); err != nil {
			b.Fatal(err)
		}
		req.SetPath("/")
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := a.Do(req, resp); err != nil {
				b.Fatal(err)
			}
			if resp.StatusCode() != http.StatusOK || string(resp.Body()) != "Hello, World!" {
				b.Fatalf("got %d %q", resp.StatusCode(), resp.Body())
			}
		}
	})
	b.Run("httpclient", func(b *testing.B) {
		c := &http.Client{Transport: &cannedTransport{http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: http.NoBody}}}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			resp, err := c.Get("http://127.0.0.1:1/")
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

// cannedTransport answers every request with its one response, an empty
// 200, and no I/O: what http.Client then allocates is its own.
type cannedTransport struct{ resp http.Response }

func (c *cannedTransport) RoundTrip(*http.Request) (*http.Response, error) { return &c.resp, nil }

package engine

import (
	"testing"

	"github.com/zerohttp/zerohttp/internal/fixedserver"
)

// TestClientConnValue: a connection's Value is nil until SetValue, then
// what was set last, from any goroutine, and each connection has its own.
func TestClientConnValue(t *testing.T) {
	addr := fixedserver.Start(t, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	cli := newTestClient(t)
	a, b := dialTest(t, cli, addr, nil), dialTest(t, cli, addr, nil)
	if v := a.Value(); v != nil {
		t.Fatalf("Value before SetValue = %v; want nil", v)
	}
	done := make(chan struct{})
	go func() {
		a.SetValue("first")
		a.SetValue("a")
		close(done)
	}()
	<-done
	b.SetValue(2)
	if v, w := a.Value(), b.Value(); v != "a" || w != 2 {
		t.Fatalf("Values = %v, %v; want a, 2", v, w)
	}
}

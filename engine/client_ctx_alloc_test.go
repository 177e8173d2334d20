//go:build !race

package engine

import (
	"context"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/internal/fixedserver"
)

// A request bounded by a cancellable context or a deadline allocates no
// more than a plain Do.
func TestClientAllocsDoContextDeadline(t *testing.T) {
	addr := fixedserver.Start(t, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello, world")
	cli := newTestClient(t)
	cc := dialTest(t, cli, addr, nil)
	req, resp := AcquireClientRequest(), AcquireClientResponse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	var err error
	forms := map[string]func(){
		"DoContext":  func() { err = cc.DoContext(ctx, req, resp) },
		"DoDeadline": func() { err = cc.DoDeadline(req, resp, time.Now().Add(time.Hour)) },
	}
	for name, do := range forms {
		do()
		if n := minAllocsPerRun(5, 200, do); n != 0 {
			t.Fatalf("%s: allocs = %v; want 0", name, n)
		}
		if err != nil || string(resp.Body()) != "hello, world" {
			t.Fatalf("%s: %v %q", name, err, resp.Body())
		}
	}
}

package main

import (
	"context"
	"time"

	"github.com/zerohttp/zerohttp/compat"
)

// serveCompat serves hello-world through the Node-style compat layer, as a
// Node program would: createServer, setHeader, end. The engine adds Date and
// Content-Length; Server is set by the handler as Node code would do it. The
// keep-alive timeout is off, as for every other server here.
func serveCompat(ctx context.Context, addr string) error {
	s := compat.CreateServer(nil, func(req *compat.IncomingMessage, res *compat.ServerResponse) {
		res.SetHeader("Content-Type", contentType)
		res.SetHeader("Server", "zerohttp-compat")
		if big, ok := largeBody(req.URL); ok {
			res.End(big)
			return
		}
		res.EndString(helloBody)
	})
	s.KeepAliveTimeout = 0
	if err := s.ListenAddr(addr, nil); err != nil {
		return err
	}
	<-ctx.Done()
	// Node's way: close, and cut the connections left after a grace period.
	done := make(chan struct{})
	s.Close(func(error) { close(done) })
	select {
	case <-done:
	case <-time.After(shutdownGrace):
		s.CloseAllConnections()
		<-done
	}
	return ctx.Err()
}

package main

import (
	"context"
	"net/http"
	"time"

	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"
)

// serveNbio serves with nbio's nbhttp, the event-loop HTTP server Go users
// compare gnet-style servers with: in IOModNonBlocking its pollers read every
// connection and hand parsed requests to a goroutine pool; in IOModBlocking
// (-impl nbio-blocking) each connection has a reading goroutine, as in
// net/http. Handlers are net/http handlers. Defaults otherwise, except that
// idle connections are not timed out, like every other server here.
func serveNbio(iomod int) func(ctx context.Context, addr string) error {
	return func(ctx context.Context, addr string) error {
		logging.SetLevel(logging.LevelNone)
		ctype, server, clen := []string{contentType}, []string{"nbio"}, []string{"13"}
		body := []byte(helloBody)
		e := nbhttp.NewEngine(nbhttp.Config{
			Network:       "tcp4",
			Addrs:         []string{addr},
			IOMod:         iomod,
			KeepaliveTime: 24 * time.Hour,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				h := w.Header()
				h["Content-Type"], h["Server"], h["Content-Length"] = ctype, server, clen
				w.Write(body)
			}),
		})
		if err := e.Start(); err != nil {
			return err
		}
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if e.Shutdown(sctx) != nil {
			e.Stop()
		}
		return ctx.Err()
	}
}

package main

import (
	"context"
	"net/http"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/nethttp"
)

// serveBridge serves the nethttp implementation's http.Handler through the
// nethttp bridge on the engine: the same handler code, a goroutine per
// request, engine framing. Date is added by the engine.
func serveBridge(ctx context.Context, addr string) error {
	ctype, server := []string{contentType}, []string{"bridge"}
	clen := []string{"13"}
	body := []byte(helloBody)
	s := nethttp.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["Content-Type"], h["Server"], h["Content-Length"] = ctype, server, clen
		w.Write(body)
	}), &engine.Options{KeepAliveTimeout: -1})
	return runEngine(ctx, s, addr)
}

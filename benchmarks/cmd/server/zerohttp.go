package main

import (
	"context"

	"github.com/zerohttp/zerohttp/engine"
)

// serveZerohttp serves with the engine API, handlers inline on the event
// loops (the default). The engine adds Date (its cached line), Server (from
// ServerName) and Content-Length. The keep-alive timeout is off, as it is for
// every other server here, so that the idle-connection mode measures memory
// rather than timeouts.
func serveZerohttp(ctx context.Context, addr string) error {
	body := []byte(helloBody)
	s := engine.NewServer(func(w *engine.Response, r *engine.Request) {
		w.Header().AddString("Content-Type", contentType)
		if p := r.Path(); len(p) > len(largePrefix) && p[1] == 'b' {
			if big, ok := largeBody(string(p)); ok {
				serveLargeZerohttp(w, big)
				return
			}
		}
		w.Write(body)
	}, &engine.Options{ServerName: "zerohttp", KeepAliveTimeout: -1})
	return runEngine(ctx, s, addr)
}

// runEngine serves s on addr until ctx ends, then shuts it down gracefully,
// as a deployment would stop it: in-flight requests finish.
func runEngine(ctx context.Context, s *engine.Server, addr string) error {
	if err := s.Start("tcp4://" + addr); err != nil {
		return err
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		s.Close()
	}
	return ctx.Err()
}

package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
)

// serveNetHTTP serves with net/http. Header values are preallocated so the
// handler adds no allocations of its own; Date is set by net/http itself.
func serveNetHTTP(ctx context.Context, addr string) error {
	ctype, server := []string{contentType}, []string{"nethttp"}
	clen := []string{"13"}
	body := []byte(helloBody)
	s := &http.Server{
		Addr: addr,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			if big, ok := largeBody(r.URL.Path); ok {
				h["Content-Type"], h["Server"] = ctype, server
				h.Set("Content-Length", strconv.Itoa(len(big)))
				w.Write(big)
				return
			}
			h["Content-Type"], h["Server"], h["Content-Length"] = ctype, server, clen
			w.Write(body)
		}),
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if s.Shutdown(sctx) != nil {
			s.Close()
		}
	}()
	if err := s.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-stopped // ListenAndServe returns as Shutdown starts
	return ctx.Err()
}

package main

import (
	"context"
	"net"

	"github.com/valyala/fasthttp"
)

// serveFastHTTP serves with fasthttp's defaults; it adds Date and Server
// (from Name) itself.
func serveFastHTTP(ctx context.Context, addr string) error {
	body := []byte(helloBody)
	s := &fasthttp.Server{
		Name: "fasthttp",
		Handler: func(c *fasthttp.RequestCtx) {
			c.SetContentType(contentType)
			if p := c.Path(); len(p) > len(largePrefix) && p[1] == 'b' {
				if big, ok := largeBody(string(p)); ok {
					c.Response.SetBodyRaw(big)
					return
				}
			}
			c.SetBody(body)
		},
	}
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		ln.Close()
		return ctx.Err()
	}
}

package engine_test

import (
	"context"
	"log"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

// A hello-world server: the handler runs inline on the event loop and its
// response is sent with a Content-Length when it returns.
func ExampleServer() {
	s := engine.NewServer(func(w *engine.Response, r *engine.Request) {
		w.Header().AddString("Content-Type", "text/plain")
		w.WriteString("Hello, World!")
	}, &engine.Options{ServerName: "zerohttp", ReusePort: true})
	if err := s.Start("tcp://127.0.0.1:0"); err != nil {
		log.Fatal(err)
	}
	log.Println("listening on", s.Addr())

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		log.Fatal(err)
	}
}

// A handler that must wait detaches the response and finishes it later on
// the connection's event loop.
func ExampleResponse_Detach() {
	h := func(w *engine.Response, r *engine.Request) {
		d := w.Detach()
		go func() {
			time.Sleep(10 * time.Millisecond) // a slow backend
			d.Do(func(w *engine.Response) {
				w.WriteString("done")
				w.End()
			})
		}()
	}
	_ = engine.NewServer(h, nil)
}

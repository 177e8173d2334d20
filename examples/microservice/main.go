// Command microservice is a small JSON service on the nethttp bridge:
// ServeMux patterns, a downstream call through nethttp.Transport, and a
// graceful shutdown on SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os/signal"
	"syscall"

	"github.com/zerohttp/zerohttp/nethttp"
)

func main() {
	downstream := &http.Client{Transport: &nethttp.Transport{}} // keep-alive pool on the engine
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"id": r.PathValue("id")})
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		var order struct{ Item string }
		if err := json.NewDecoder(r.Body).Decode(&order); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), "GET", "http://127.0.0.1:8081/stock/"+order.Item, nil)
		resp, err := downstream.Do(req) // cancelled if our client goes away
		if err != nil {
			http.Error(w, "stock service: "+err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"item": order.Item, "stock": resp.Status})
	})
	s := nethttp.NewServer(mux, nil)
	if err := s.Start("tcp://127.0.0.1:8080"); err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	s.Shutdown(context.Background()) // waits for requests in flight
}

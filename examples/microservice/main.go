// Command microservice is a small JSON service on the nethttp bridge:
// ServeMux patterns, a downstream call to a stock service through
// nethttp.Transport, and a graceful shutdown on SIGINT or SIGTERM.
//
//	go run ./examples/microservice -addr 127.0.0.1:8080 -stock http://127.0.0.1:8081
//
// main_test.go runs it as a user would and checks that README.md shows
// this main function.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"net/url"
	"os/signal"
	"syscall"

	"github.com/zerohttp/zerohttp/nethttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to serve on")
	stock := flag.String("stock", "http://127.0.0.1:8081", "the stock service")
	flag.Parse()
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
		req, _ := http.NewRequestWithContext(r.Context(), "GET", *stock+"/stock/"+url.PathEscape(order.Item), nil)
		resp, err := downstream.Do(req) // cancelled if our client goes away
		if err != nil {
			http.Error(w, "stock service: "+err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		var level struct{ Count int }
		if err := json.NewDecoder(resp.Body).Decode(&level); err != nil || resp.StatusCode != http.StatusOK {
			http.Error(w, "stock service: "+resp.Status, http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"item": order.Item, "stock": level.Count})
	})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s := nethttp.NewServer(mux, nil)
	if err := s.Start("tcp://" + *addr); err != nil {
		log.Fatal(err)
	}
	<-ctx.Done()
	s.Shutdown(context.Background()) // waits for requests in flight
}

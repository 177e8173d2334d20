package compat

import (
	"net/http"
	"testing"
	"time"
)

// TestStatusMessageOnWire checks that statusMessage and writeHead's message
// become the reason phrase, as in Node, and that the standard one is used
// otherwise.
func TestStatusMessageOnWire(t *testing.T) {
	_, addr := startServer(t, nil, func(req *IncomingMessage, res *ServerResponse) {
		switch req.URL {
		case "/field":
			res.StatusCode = 404
			res.StatusMessage = "Gone Fishing"
			res.End(nil)
		case "/writehead":
			res.WriteHead(201, "Made It", "X-A", "b")
			res.End(nil)
		default:
			res.StatusCode = 404
			res.End(nil)
		}
	})
	client := &http.Client{Timeout: 5 * time.Second}
	for path, want := range map[string]string{"/field": "404 Gone Fishing", "/writehead": "201 Made It", "/plain": "404 Not Found"} {
		resp, err := client.Get(addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Status != want {
			t.Errorf("GET %s: status line %q; want %q", path, resp.Status, want)
		}
	}
}

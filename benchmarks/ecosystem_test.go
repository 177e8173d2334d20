package benchmarks

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/gorilla/websocket"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/nethttp"
)

// Libraries from the Go ecosystem run on the nethttp bridge as on net/http:
// a chi router with middleware, and gorilla/websocket through the bridge's
// http.Hijacker.

func chiRouter() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer)
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Mw", "seen")
			next.ServeHTTP(w, r)
		})
	})
	r.Get("/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "user %s id-set=%v", chi.URLParam(r, "id"), middleware.GetReqID(r.Context()) != "")
	})
	r.Route("/api", func(r chi.Router) {
		r.Post("/items/{kind}/{n:[0-9]+}", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"kind":%q,"n":%q,"body":%q}`, chi.URLParam(r, "kind"), chi.URLParam(r, "n"), b)
		})
	})
	r.Get("/boom", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	return r
}

func startBridge(t *testing.T, h http.Handler) string {
	s := nethttp.NewServer(h, &engine.Options{NumLoops: 1})
	if err := s.Start("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return "http://" + s.Addr().String()
}

type chiOutcome struct {
	Status int
	Header http.Header
	Body   string
}

func chiDo(t *testing.T, c *http.Client, method, url, body string) chiOutcome {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	h := resp.Header.Clone()
	h.Del("Date")
	return chiOutcome{resp.StatusCode, h, string(b)}
}

// TestChiOnBridge sends the same requests to a chi router on net/http and
// on the bridge (through the bridge's Transport too) and compares them:
// path parameters, regexp parameters, middleware, 404, 405 and a panic
// caught by chi's Recoverer.
func TestChiOnBridge(t *testing.T) {
	std := httptest.NewServer(chiRouter())
	defer std.Close()
	bridge := startBridge(t, chiRouter())
	tr := &nethttp.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/users/42", ""},
		{"POST", "/api/items/book/7", "payload"},
		{"POST", "/api/items/book/x7", "no match"},
		{"GET", "/api/items/book/7", ""},
		{"GET", "/nowhere", ""},
		{"GET", "/boom", ""},
	} {
		want := chiDo(t, http.DefaultClient, tc.method, std.URL+tc.path, tc.body)
		got := chiDo(t, c, tc.method, bridge+tc.path, tc.body)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s: bridge %+v; net/http %+v", tc.method, tc.path, got, want)
		}
	}
}

// TestWebSocketOnBridge runs gorilla/websocket's handshake and an echo of
// text and binary messages on the bridge, and through httputil's
// ReverseProxy on the bridge with the bridge's Transport to a net/http
// backend, as a gateway would.
func TestWebSocketOnBridge(t *testing.T) {
	up := websocket.Upgrader{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for {
			mt, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if err := ws.WriteMessage(mt, append([]byte("echo:"), msg...)); err != nil {
				return
			}
		}
	})
	backend := httptest.NewServer(h)
	defer backend.Close()
	u, _ := url.Parse(backend.URL)
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.Transport = &nethttp.Transport{}
	for name, base := range map[string]string{"net/http": "", "bridge": startBridge(t, h), "bridge proxy": startBridge(t, proxy)} {
		t.Run(name, func(t *testing.T) {
			if base == "" {
				s := httptest.NewServer(h)
				defer s.Close()
				base = s.URL
			}
			ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws", nil)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer ws.Close()
			if resp.StatusCode != http.StatusSwitchingProtocols {
				t.Fatalf("status %d", resp.StatusCode)
			}
			ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			big := strings.Repeat("x", 100<<10)
			for _, m := range []struct {
				typ  int
				data string
			}{{websocket.TextMessage, "hello"}, {websocket.BinaryMessage, "\x00\x01\x02"}, {websocket.TextMessage, big}} {
				if err := ws.WriteMessage(m.typ, []byte(m.data)); err != nil {
					t.Fatal(err)
				}
				typ, got, err := ws.ReadMessage()
				if err != nil || typ != m.typ || string(got) != "echo:"+m.data {
					t.Fatalf("echo of %d bytes: type %d, %d bytes, %v", len(m.data), typ, len(got), err)
				}
			}
		})
	}
}

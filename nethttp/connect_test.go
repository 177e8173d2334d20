package nethttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/internal/looptest"
)

// TestTransportConnectDeadline checks that a request's context bounds its
// connect, as with http.Transport: a deadline gives a timeout error, a
// cancel context.Canceled, both soon; the Transport then serves the next
// request to another server as before.
func TestTransportConnectDeadline(t *testing.T) {
	addr := looptest.Unanswered(t)
	srv := newClientServer(t)
	ours := &Transport{}
	defer ours.CloseIdleConnections()
	std := &http.Transport{}
	defer std.CloseIdleConnections()
	for _, rt := range []struct {
		name string
		rt   http.RoundTripper
	}{{"http.Transport", std}, {"Transport", ours}} {
		for _, tc := range []struct {
			name  string
			ctx   func() (context.Context, context.CancelFunc)
			class string
		}{
			{"deadline", func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 150*time.Millisecond)
			}, "timeout"},
			{"cancel", func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(150*time.Millisecond, cancel)
				return ctx, cancel
			}, "canceled"},
			{"client timeout", nil, "timeout"},
		} {
			t.Run(rt.name+"/"+tc.name, func(t *testing.T) {
				c := &http.Client{Transport: rt.rt}
				ctx := context.Background()
				if tc.ctx != nil {
					var cancel context.CancelFunc
					ctx, cancel = tc.ctx()
					defer cancel()
				} else {
					c.Timeout = 150 * time.Millisecond
				}
				req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/", nil)
				start := time.Now()
				resp, err := c.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				if got := errClass(err); got != tc.class {
					t.Errorf("err = %v (%s); want %s", err, got, tc.class)
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("returned after %v; want soon after 150 ms", d)
				}
				resp, err = c.Get(srv.URL + "/hello")
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(b) != "hello" || err != nil {
					t.Fatalf("next request: %q, %v", b, err)
				}
			})
		}
	}
	// The abandoned connects leave nothing queued behind them: a
	// request to the same address fails by its own deadline again.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/", nil)
	if _, err := (&http.Client{Transport: ours}).Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("again: err = %v; want context.DeadlineExceeded", err)
	}
}

package compat

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServer listens on 127.0.0.1:0 and closes the server when the test ends.
func startServer(t *testing.T, opts *ServerOptions, fn func(*IncomingMessage, *ServerResponse)) (*Server, string) {
	t.Helper()
	s := CreateServer(opts, fn)
	s.KeepAliveTimeout = time.Second
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	return s, fmt.Sprintf("http://127.0.0.1:%d", s.Address().Port)
}

func closeServer(t *testing.T, s *Server) {
	s.Close(nil)
	select {
	case <-s.Closed():
	case <-time.After(5 * time.Second):
		s.CloseAllConnections()
		select {
		case <-s.Closed():
			t.Errorf("server did not close in time")
		case <-time.After(10 * time.Second):
			// A loop that does not stop: show where everything is.
			buf := make([]byte, 1<<20)
			t.Fatalf("server did not stop after CloseAllConnections; goroutines:\n%s", buf[:runtime.Stack(buf, true)])
		}
	}
}

// trace records events from any goroutine.
type trace struct {
	mu sync.Mutex
	ev []string
}

func (tr *trace) add(format string, args ...any) {
	tr.mu.Lock()
	tr.ev = append(tr.ev, fmt.Sprintf(format, args...))
	tr.mu.Unlock()
}

func (tr *trace) String() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return strings.Join(tr.ev, "\n")
}

func TestServerNetHTTP(t *testing.T) {
	_, url := startServer(t, nil, func(req *IncomingMessage, res *ServerResponse) {
		var body []byte
		req.OnData(func(c []byte) { body = append(body, c...) })
		req.OnEnd(func() {
			res.SetHeader("Content-Type", "text/plain")
			res.EndString(req.Method + " " + req.URL + " " + req.Headers()["x-a"] + " " + string(body))
		})
	})
	resp, err := http.Post(url+"/p?q=1", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got, want := string(b), "POST /p?q=1  hello"; got != want {
		t.Errorf("body = %q; want %q", got, want)
	}
	if resp.ContentLength != int64(len(b)) {
		t.Errorf("ContentLength = %d; want %d", resp.ContentLength, len(b))
	}
}

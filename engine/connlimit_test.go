package engine

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// TestMaxConnsWaitsForRoom opens MaxConns keep-alive connections and two
// more: the extra ones are not served while the first stay open, and each
// is served once one of the first closes.
func TestMaxConnsWaitsForRoom(t *testing.T) {
	const limit = 3
	s, addr := startServer(t, helloHandler, &Options{MaxConns: limit, NumLoops: 1})
	if got := s.MaxConns(); got != limit {
		t.Fatalf("MaxConns() = %d; want %d", got, limit)
	}
	type client struct {
		c  net.Conn
		br *bufio.Reader
	}
	dial := func() client {
		c := dialServer(t, addr)
		return client{c, bufio.NewReader(c)}
	}
	send := func(cl client) {
		t.Helper()
		if _, err := io.WriteString(cl.c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
	}
	served := func(cl client, what string) {
		t.Helper()
		cl.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(cl.br, nil)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil || string(body) != "Hello, World!" {
			t.Fatalf("%s: body %q, %v", what, body, err)
		}
	}
	// notServed checks that nothing arrives for a while: a limit that does
	// not hold serves the connection at once.
	notServed := func(cl client, what string) {
		t.Helper()
		cl.c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if _, err := cl.br.Peek(1); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("%s: read %v; want no response while %d connections are open", what, err, limit)
		}
	}

	var first []client
	for i := 0; i < limit; i++ {
		cl := dial()
		send(cl)
		served(cl, "connection within the limit")
		first = append(first, cl)
	}
	extra := []client{dial(), dial()}
	for _, cl := range extra {
		send(cl)
	}
	notServed(extra[0], "first connection over the limit")
	notServed(extra[1], "second connection over the limit")
	if n := s.NumConns(); n != limit {
		t.Fatalf("NumConns = %d; want %d", n, limit)
	}
	if s.ConnLimitWaits() == 0 {
		t.Fatal("ConnLimitWaits = 0 with the limit reached")
	}

	// The listen backlog is a queue: the first extra connection is
	// accepted when a slot frees, the second with the next one.
	first[0].c.Close()
	served(extra[0], "first connection over the limit, after a close")
	notServed(extra[1], "second connection over the limit, one close later")
	first[1].c.Close()
	served(extra[1], "second connection over the limit, after a second close")

	// Those admitted late are ordinary keep-alive connections.
	send(extra[0])
	served(extra[0], "second request on a connection admitted late")
	send(first[2])
	served(first[2], "second request on a connection admitted at once")
}

package engine

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
)

// TestConnValue checks that a value set on a connection is there for its
// next request, and that another connection, even one served by the same
// pooled conn after the first closed, starts with none.
func TestConnValue(t *testing.T) {
	var next atomic.Int64
	_, addr := startServer(t, func(w *Response, r *Request) {
		v, _ := r.ConnValue().(int64)
		if v == 0 {
			v = next.Add(1)
			r.SetConnValue(v)
		}
		w.WriteString(strconv.FormatInt(v, 10))
	}, &Options{NumLoops: 1})
	get := func(br *bufio.Reader, c io.Writer) string {
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	for conn := 1; conn <= 3; conn++ {
		c := dialServer(t, addr)
		br := bufio.NewReader(c)
		want := strconv.Itoa(conn)
		for i := 0; i < 2; i++ {
			if got := get(br, c); got != want {
				t.Fatalf("connection %d, request %d: value %s; want %s", conn, i, got, want)
			}
		}
		c.Close()
	}
}

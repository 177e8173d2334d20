package engine

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestHelloNetHTTP(t *testing.T) {
	_, addr := startServer(t, helloHandler, &Options{ServerName: "zerohttp"})
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr}
	for i := 0; i < 5; i++ {
		resp, err := cl.Get("http://" + addr + "/x?y=1")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "Hello, World!" || resp.StatusCode != 200 {
			t.Fatalf("got %d %q", resp.StatusCode, b)
		}
		if resp.Header.Get("Date") == "" || resp.Header.Get("Server") != "zerohttp" || resp.ContentLength != 13 {
			t.Fatalf("headers %v", resp.Header)
		}
	}
}

func TestPipelining(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		w.Write(r.Path())
	}, nil)
	c := dialServer(t, addr)
	var req strings.Builder
	for i := 0; i < 10; i++ {
		req.WriteString("GET /" + string(rune('a'+i)) + " HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	io.WriteString(c, req.String())
	br := bufio.NewReader(c)
	for i := 0; i < 10; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if want := "/" + string(rune('a'+i)); string(b) != want {
			t.Fatalf("response %d = %q; want %q", i, b, want)
		}
	}
}

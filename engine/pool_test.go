package engine

import (
	"bufio"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWorkersPipelinedOrder(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
		w.Write(r.Path())
		w.Write(r.Body())
	}, &Options{Workers: 4})
	c := dialServer(t, addr)
	var req strings.Builder
	const n = 20
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			req.WriteString("GET /" + strconv.Itoa(i) + " HTTP/1.1\r\nHost: x\r\n\r\n")
		} else {
			req.WriteString("POST /" + strconv.Itoa(i) + " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
		}
	}
	io.WriteString(c, req.String())
	br := bufio.NewReader(c)
	for i := 0; i < n; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		want := "/" + strconv.Itoa(i)
		if i%2 == 1 {
			want += "abc"
		}
		if string(b) != want {
			t.Fatalf("response %d = %q; want %q", i, b, want)
		}
	}
}

func TestWorkersBackPressure(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		time.Sleep(2 * time.Millisecond)
		w.Write(r.Path())
	}, &Options{Workers: 1, WorkerQueue: 1})
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := dialServer(t, addr)
			br := bufio.NewReader(c)
			for j := 0; j < 3; j++ {
				path := "/" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
				io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					errs <- err
					return
				}
				if b, _ := io.ReadAll(resp.Body); string(b) != path {
					errs <- io.ErrUnexpectedEOF
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestWorkersFlush(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		for i := 0; i < 5; i++ {
			w.WriteString(strings.Repeat("x", 100))
			w.Flush()
		}
	}, &Options{Workers: 2})
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if len(b) != 500 {
		t.Fatalf("len = %d", len(b))
	}
}

package engine_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/zerohttp/zerohttp/engine"
)

func ExampleClientConn_Do() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Method+" "+r.URL.Path)
	}))
	defer srv.Close()
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	p, _ := strconv.Atoi(port)

	cli, err := engine.NewClient(nil)
	if err != nil {
		panic(err)
	}
	defer cli.Close()
	cc, err := cli.Dial(context.Background(), &engine.DialOptions{Host: host, Port: p})
	if err != nil {
		panic(err)
	}
	req, resp := engine.AcquireClientRequest(), engine.AcquireClientResponse()
	defer engine.ReleaseClientRequest(req)
	defer engine.ReleaseClientResponse(resp)
	req.SetPath("/hello")
	if err := cc.Do(req, resp); err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode(), string(resp.Body()))
	// Output: 200 GET /hello
}

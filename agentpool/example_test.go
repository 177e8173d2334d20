package agentpool_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/zerohttp/zerohttp/agentpool"
	"github.com/zerohttp/zerohttp/engine"
)

func ExampleAgent_Do() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from "+r.URL.Path)
	}))
	defer srv.Close()
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	p, _ := strconv.Atoi(port)

	agent, err := agentpool.NewAgent(&agentpool.Options{KeepAlive: true, MaxSockets: 4})
	if err != nil {
		panic(err)
	}
	defer agent.Destroy()

	req, resp := engine.AcquireClientRequest(), engine.AcquireClientResponse()
	defer engine.ReleaseClientRequest(req)
	defer engine.ReleaseClientResponse(resp)
	req.SetHost(host)
	req.SetPort(p)
	for _, path := range []string{"/a", "/b"} {
		req.SetPath(path)
		if err := agent.Do(req, resp); err != nil {
			panic(err)
		}
		fmt.Println(resp.StatusCode(), string(resp.Body()))
	}
	// Output:
	// 200 hello from /a
	// 200 hello from /b
}

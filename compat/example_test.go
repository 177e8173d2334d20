package compat_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/zerohttp/zerohttp/compat"
)

// This is the client-server walkthrough (testdata's
// client-server-walkthrough.txt) line for line: a server that logs a
// request and its body, and a client that POSTs to it and logs the answer.
// The tutorial listens on port 80 of 0.0.0.0; the example takes a free port
// on 127.0.0.1 so that it runs anywhere.
func Example_clientServerWalkthrough() {
	var wg sync.WaitGroup
	wg.Add(2) // the server has seen the body; the client has the answer

	server := compat.CreateServer(nil, func(req *compat.IncomingMessage, res *compat.ServerResponse) {
		fmt.Println("got the request")
		fmt.Println(req.Method)
		fmt.Println(req.URL)

		req.OnData(func(chunk []byte) {
			fmt.Println(string(chunk))
			wg.Done()
		})

		res.EndString("Hello from HTTP Server")
	})

	server.Listen(0, "127.0.0.1", func() {
		fmt.Println("Server is listening")
	})
	port := server.Address().Port

	clientRequest, _ := compat.Request("", &compat.RequestOptions{
		Method:   "POST",
		Hostname: "localhost",
		Port:     port,
		Path:     "/",
	}, nil)

	clientRequest.WriteString("Hi i am client")

	clientRequest.OnResponse(func(response *compat.IncomingMessage) {
		response.OnData(func(chunk []byte) {
			fmt.Println(string(chunk))
			wg.Done()
		})
	})

	clientRequest.End(nil)

	wg.Wait()
	server.Close(nil)
	<-server.Closed()
	// Output:
	// Server is listening
	// got the request
	// POST
	// /
	// Hi i am client
	// Hello from HTTP Server
}

// This is "Servers Acting as Clients" (testdata's
// servers-acting-as-clients.md) line for line: http.request with a URL and
// options, a JSON body written with write and sent with end, and http.get,
// which ends the request itself. The tutorial's server on localhost:5000
// is started here on a free port, and a front server shows the point of
// the tutorial: a server whose handler is itself a client, answering once
// the other server has.
func Example_serversActingAsClients() {
	// The server the tutorial's requests go to.
	backend := compat.CreateServer(nil, func(req *compat.IncomingMessage, res *compat.ServerResponse) {
		var body []byte
		req.OnData(func(chunk []byte) { body = append(body, chunk...) })
		req.OnEnd(func() {
			res.SetHeader("Content-Type", "text/plain")
			res.EndString(fmt.Sprintf("%s %s content-type=%q body=%q", req.Method, req.URL, req.Headers()["content-type"], body))
		})
	})
	backend.Listen(0, "127.0.0.1", nil)
	url := "http://localhost:" + strconv.Itoa(backend.Address().Port)

	done := make(chan string)
	show := func(response *compat.IncomingMessage) {
		var b []byte
		response.OnData(func(chunk []byte) { b = append(b, chunk...) })
		response.OnEnd(func() { done <- string(b) })
	}

	// http.request() returns request1, a writable stream
	request1, _ := compat.Request(url, &compat.RequestOptions{
		Method: "POST",
		Headers: map[string]string{
			"Content-Type": "application/json",
		},
	}, func(response *compat.IncomingMessage) {
		show(response)
	})

	// JSON content
	body, _ := json.Marshal(map[string]string{"msg": "Hello World!"})

	request1.Write(body)

	request1.End(nil)
	fmt.Println(<-done)

	// http.get() sets the method to GET and calls end() itself.
	compat.Get(url, nil, show)
	fmt.Println(<-done)

	// A server acting as a client: it answers with what the backend said.
	front := compat.CreateServer(nil, func(req *compat.IncomingMessage, res *compat.ServerResponse) {
		compat.Get(url+req.URL, nil, func(response *compat.IncomingMessage) {
			res.StatusCode = response.StatusCode
			response.OnData(func(chunk []byte) { res.Write(chunk) })
			response.OnEnd(func() { res.End(nil) })
		})
	})
	front.Listen(0, "127.0.0.1", nil)
	compat.Get("http://127.0.0.1:"+strconv.Itoa(front.Address().Port)+"/via-front", nil, show)
	fmt.Println(<-done)

	front.Close(nil)
	backend.Close(nil)
	<-front.Closed()
	<-backend.Closed()
	// Output:
	// POST / content-type="application/json" body="{\"msg\":\"Hello World!\"}"
	// GET / content-type="" body=""
	// GET /via-front content-type="" body=""
}

// Command servers-acting-as-clients runs "Servers Acting as Clients" on
// compat: a server on -port (the tutorial's localhost:5000) and, line for line, the
// tutorial's http.request POST with a JSON body and its http.get; then a
// front server on -front-port whose handler is itself a client of the
// first, as the tutorial's title says. It prints what each request got,
// and with -serve keeps both servers running.
//
//	go run ./examples/servers-acting-as-clients
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"strconv"

	"github.com/zerohttp/zerohttp/compat"
)

func main() {
	port := flag.Int("port", 5000, "port of the server the requests go to")
	frontPort := flag.Int("front-port", 5001, "port of the server acting as a client")
	serve := flag.Bool("serve", false, "keep serving after the demo requests")
	flag.Parse()

	backend := compat.CreateServer(nil, func(req *compat.IncomingMessage, res *compat.ServerResponse) {
		var body []byte
		req.OnData(func(chunk []byte) { body = append(body, chunk...) })
		req.OnEnd(func() {
			res.SetHeader("Content-Type", "text/plain")
			res.EndString(fmt.Sprintf("%s %s content-type=%q body=%q\n", req.Method, req.URL, req.Headers()["content-type"], body))
		})
	})
	if err := backend.Listen(*port, "localhost", nil); err != nil {
		log.Fatal(err)
	}
	url := "http://localhost:" + strconv.Itoa(backend.Address().Port)

	done := make(chan struct{})
	show := func(response *compat.IncomingMessage) {
		response.OnData(func(chunk []byte) { fmt.Print(string(chunk)) })
		response.OnEnd(func() { done <- struct{}{} })
	}

	// http.request() returns request1, a writable stream
	request1, err := compat.Request(url, &compat.RequestOptions{
		Method: "POST",
		Headers: map[string]string{
			"Content-Type": "application/json",
		},
	}, func(response *compat.IncomingMessage) {
		show(response)
	})
	if err != nil {
		log.Fatal(err)
	}

	// JSON content
	body, _ := json.Marshal(map[string]string{"msg": "Hello World!"})

	request1.Write(body)

	request1.End(nil)
	<-done

	// http.get(): the method is GET and end() is called for you.
	if _, err := compat.Get(url, nil, show); err != nil {
		log.Fatal(err)
	}
	<-done

	// A server acting as a client.
	front := compat.CreateServer(nil, func(req *compat.IncomingMessage, res *compat.ServerResponse) {
		_, err := compat.Get(url+req.URL, nil, func(response *compat.IncomingMessage) {
			res.StatusCode = response.StatusCode
			response.OnData(func(chunk []byte) { res.Write(chunk) })
			response.OnEnd(func() { res.End(nil) })
		})
		if err != nil {
			res.StatusCode = 502
			res.End(nil)
		}
	})
	if err := front.Listen(*frontPort, "localhost", nil); err != nil {
		log.Fatal(err)
	}
	if _, err := compat.Get("http://localhost:"+strconv.Itoa(front.Address().Port)+"/via-front", nil, show); err != nil {
		log.Fatal(err)
	}
	<-done

	if *serve {
		select {}
	}
	front.Close(nil)
	backend.Close(nil)
	<-front.Closed()
	<-backend.Closed()
}

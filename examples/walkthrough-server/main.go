// Command walkthrough-server is the server of the client-server walkthrough
// on compat, line for line. The tutorial listens on port 80; -port changes it.
//
//	go run ./examples/walkthrough-server -port 8080
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/zerohttp/zerohttp/compat"
)

func main() {
	port := flag.Int("port", 80, "port to listen on")
	flag.Parse()

	server := compat.CreateServer(nil, func(req *compat.IncomingMessage, res *compat.ServerResponse) {
		fmt.Println("got the request")
		fmt.Println(req.Method)
		fmt.Println(req.URL)

		req.OnData(func(chunk []byte) {
			fmt.Println(string(chunk))
		})

		res.EndString("Hello from HTTP Server")
	})

	err := server.Listen(*port, "0.0.0.0", func() {
		fmt.Printf("Server is listening on port %d\n", *port)
	})
	if err != nil {
		log.Fatal(err)
	}
	<-server.Closed()
}

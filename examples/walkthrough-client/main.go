// Command walkthrough-client is the client of the client-server walkthrough
// on compat, line for line: it POSTs "Hi i am client" and prints the answer.
//
//	go run ./examples/walkthrough-client -port 8080
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/zerohttp/zerohttp/compat"
)

func main() {
	port := flag.Int("port", 80, "port of the walkthrough server")
	flag.Parse()
	done := make(chan struct{})

	clientRequest, err := compat.Request("", &compat.RequestOptions{
		Method:   "POST",
		Hostname: "localhost",
		Port:     *port,
		Path:     "/",
	}, nil)
	if err != nil {
		log.Fatal(err)
	}

	clientRequest.WriteString("Hi i am client")

	clientRequest.OnResponse(func(response *compat.IncomingMessage) {
		response.OnData(func(chunk []byte) {
			fmt.Println(string(chunk))
		})
		response.OnEnd(func() { close(done) })
	})
	clientRequest.OnError(func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	})

	clientRequest.End(nil)
	<-done
}

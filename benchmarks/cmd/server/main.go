// Command server serves a hello-world response with one HTTP implementation
// until it is killed, for the server benchmark (cmd/serverbench) and its test.
//
// Every implementation answers any request with status 200, the body
// "Hello, World!", and the headers Content-Type: text/plain, Content-Length,
// Date and Server (the implementation's name), on keep-alive connections.
//
// Usage:
//
//	server -impl nethttp -addr 127.0.0.1:8080
//
// Implementations: zerohttp, compat, nethttp, bridge (the nethttp handler
// on the engine through package nethttp), fasthttp, nbio and
// nbio-blocking (nbhttp's event-loop and goroutine-per-connection modes),
// gnet-raw (a hand-written gnet loop with a fixed response: the ceiling for
// any gnet-based server) and node (Node.js http.createServer, run as a child
// process).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // served on -debug-addr
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/lesismal/nbio/nbhttp"
)

const (
	helloBody   = "Hello, World!"
	contentType = "text/plain"
	// shutdownGrace bounds a graceful stop on SIGINT or SIGTERM; the
	// connections left after it are closed.
	shutdownGrace = 5 * time.Second
)

// impls maps -impl names to servers. serve runs until ctx is cancelled (on
// SIGINT or SIGTERM) or the server fails.
var impls = map[string]func(ctx context.Context, addr string) error{
	"zerohttp": serveZerohttp,
	"compat":   serveCompat,
	"nethttp":  serveNetHTTP,
	"bridge":   serveBridge, // net/http's handler on the engine (package nethttp)
	"fasthttp": serveFastHTTP,
	"gnet-raw": serveGnetRaw,
	"node":     serveNode,
	// nbio is nbhttp's event-loop mode; nbio-blocking its goroutine-per-connection mode.
	"nbio":          serveNbio(nbhttp.IOModNonBlocking),
	"nbio-blocking": serveNbio(nbhttp.IOModBlocking),
}

func main() {
	impl := flag.String("impl", "nethttp", "implementation: zerohttp, compat, nethttp, bridge, fasthttp, nbio, nbio-blocking, gnet-raw or node")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address, host:port")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	debugAddr := flag.String("debug-addr", "", "serve net/http/pprof on this loopback host:port (cmd/hostile counts goroutines there)")
	flag.Parse()
	serve, ok := impls[*impl]
	if !ok {
		fmt.Fprintf(os.Stderr, "server: unknown -impl %q\n", *impl)
		os.Exit(2)
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		fmt.Fprintf(os.Stderr, "server: bad -addr: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "server: cpuprofile: %v\n", err)
			os.Exit(1)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	if *debugAddr != "" {
		ln, err := net.Listen("tcp", *debugAddr)
		if err != nil {
			fmt.Fprintf(os.Stderr, "server: -debug-addr: %v\n", err)
			os.Exit(1)
		}
		go http.Serve(ln, nil)
	}
	if err := serve(ctx, *addr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(os.Stderr, "server: %s: %v\n", *impl, err)
		os.Exit(1)
	}
}

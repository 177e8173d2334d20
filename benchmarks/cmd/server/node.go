package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"syscall"
)

// nodeScript is the Node.js server. Keep-alive and request timeouts are off so
// the idle-connection benchmark measures memory, not Node closing sockets; the
// other servers have no idle timeout either.
const nodeScript = `
const http = require('http');
const [host, port] = [process.argv[1], Number(process.argv[2])];
const body = 'Hello, World!';
const server = http.createServer((req, res) => {
  res.writeHead(200, {'Content-Type': 'text/plain', 'Content-Length': body.length, 'Server': 'node'});
  res.end(body);
});
server.keepAliveTimeout = 0;
server.requestTimeout = 0;
server.headersTimeout = 0;
server.listen(port, host);
`

// serveNode runs node as a child process with the same stdout and stderr and
// sends it SIGTERM when ctx is cancelled. The child inherits this process's CPU
// affinity, so pinning this process pins Node too.
func serveNode(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	cmd := exec.Command("node", "-e", nodeScript, host, port)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// If this process dies without forwarding a signal, the kernel ends Node too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		cmd.Process.Signal(syscall.SIGTERM)
		<-done
		return ctx.Err()
	}
}

// Package targettest gives the benchmark commands' tests a user's server:
// one the test binary itself runs as a command target, and one listening on
// loopback as an address target.
package targettest

import (
	"net"
	"net/http"
	"os"
	"testing"
)

// env names the address a test binary started as a user's server serves on.
const env = "ZEROHTTP_BENCH_USER_SERVER_ADDR"

// ServeIfAsked serves h, and never returns, when this test binary was
// started by Command; otherwise it returns at once. Call it from the test
// Command names.
func ServeIfAsked(h http.Handler) {
	addr := os.Getenv(env)
	if addr == "" {
		return
	}
	http.ListenAndServe(addr, h)
	os.Exit(1)
}

// Command returns a -target value, name=CMD, that starts this test binary
// running only test, which must call ServeIfAsked.
func Command(t testing.TB, name, test string) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return name + "=" + env + "={addr} " + exe + " -test.run=^" + test + "$"
}

// Listen serves h on loopback, [::1] where the machine has it, until t ends,
// and returns the address.
func Listen(t testing.TB, h http.Handler) string {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go http.Serve(ln, h)
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

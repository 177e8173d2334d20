package compat

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/engine"
)

// closedPort returns a loopback port nobody listens on.
func closedPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// TestClientRefusedMatchesNode: a refused connection gives Node's
// 'socket', then 'error' ECONNREFUSED "connect ECONNREFUSED ip:port" with
// its syscall, errno, address and port, then 'close', and the request is
// destroyed by then.
func TestClientRefusedMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	port := closedPort(t)
	out, err := exec.Command(node, "testdata/client_refused.js", fmt.Sprint(port)).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	want := strings.TrimSpace(string(out))

	tr := &trace{}
	done := make(chan struct{})
	req, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, NoAgent: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.OnSocket(func(SocketInfo) { tr.add("socket destroyed=%v", req.Destroyed()) })
	req.OnFinish(func() { tr.add("finish destroyed=%v", req.Destroyed()) })
	req.OnError(func(err error) {
		var e *Error
		if !errors.As(err, &e) {
			tr.add("error %v", err)
			return
		}
		tr.add("error %s %s syscall=%s errno=%d address=%s port=%v", e.Code, e.Message, e.Syscall, e.Errno, e.Address, e.Port == port)
	})
	req.OnClose(func() { tr.add("close destroyed=%v", req.Destroyed()); close(done) })
	req.End(nil)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("no close")
	}
	if got := tr.String(); got != want {
		t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
	}
}

// TestClientConnErrorsMatchNode: a unix socket path with nothing at it
// gives ENOENT "connect ENOENT <path>", a socket file nobody listens on
// ECONNREFUSED "connect ECONNREFUSED <path>", and a reset after the
// request ECONNRESET "read ECONNRESET", a host name that does not
// resolve ENOTFOUND "getaddrinfo ENOTFOUND <host>", and a connect refused
// by the kernel at once ENETUNREACH "connect ENETUNREACH <addr>:80 - Local
// (0.0.0.0:0)", a closed port on ::1 "connect ECONNREFUSED ::1:<port>"
// (no brackets), each with the syscall,
// errno, address, port and hostname node v20 gives, between the same
// events.
func TestClientConnErrorsMatchNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	dir := t.TempDir()
	dead := filepath.Join(dir, "dead.sock")
	ln, err := net.Listen("unix", dead)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // the file stays, with nobody listening
	resetPort, _ := scriptedServer(t, []string{"RST"})
	for _, tt := range []struct{ mode, where string }{
		{"nounix", filepath.Join(dir, "none.sock")},
		{"refusedunix", dead},
		{"reset", fmt.Sprint(resetPort)},
		// An empty label: the resolver refuses it without asking a server,
		// so the test needs no DNS.
		{"dns", "a..invalid"},
		// Linux refuses a TCP connect to the broadcast address itself.
		{"unreach", "255.255.255.255"},
		{"refused6", ""},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			if tt.mode == "refused6" {
				ln, err := net.Listen("tcp6", "[::1]:0")
				if err != nil {
					t.Skip("no IPv6 loopback")
				}
				tt.where = fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
				ln.Close()
			}
			out, err := exec.Command(node, "testdata/client_connerr.js", tt.mode, tt.where).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			want := strings.TrimSpace(string(out))
			opts := &RequestOptions{SocketPath: tt.where, NoAgent: true}
			switch tt.mode {
			case "reset":
				opts = &RequestOptions{Host: "127.0.0.1", Port: resetPort, NoAgent: true}
			case "dns", "unreach":
				opts = &RequestOptions{Host: tt.where, Port: 80, NoAgent: true}
			case "refused6":
				port, _ := strconv.Atoi(tt.where)
				opts = &RequestOptions{Host: "::1", Port: port, NoAgent: true}
			}
			tr := &trace{}
			req, err := Request("", opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.OnSocket(func(SocketInfo) { tr.add("socket") })
			req.OnFinish(func() { tr.add("finish") })
			done := make(chan struct{})
			req.OnClose(func() { tr.add("close"); close(done) })
			req.OnError(func(err error) {
				var e *Error
				if !errors.As(err, &e) {
					tr.add("error %v", err)
					return
				}
				mask := func(s string) string { return strings.ReplaceAll(s, tt.where, "WHERE") }
				addr, port := mask(e.Address), "undefined"
				if addr == "" {
					addr = "undefined"
				}
				if e.Port != 0 {
					port = fmt.Sprint(e.Port)
				}
				host := mask(e.Hostname)
				if host == "" {
					host = "undefined"
				}
				tr.add("error %s %s syscall=%s errno=%d address=%s port=%s hostname=%s", e.Code, mask(e.Message), e.Syscall, e.Errno, addr, port, host)
			})
			req.End(nil)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("no close; so far:\n%s", tr)
			}
			if got := tr.String(); got != want {
				t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
			}
		})
	}
}

// TestLookupErrorShapes: Go's resolver errors become Node's getaddrinfo
// errors: a name that does not exist ENOTFOUND (errno -3008), a resolver
// that could not be reached or did not answer EAI_AGAIN (-3001), as node
// v20 reports nosuch.invalid with no network (unshare -rn): "getaddrinfo
// EAI_AGAIN nosuch.invalid", syscall getaddrinfo, hostname set.
func TestLookupErrorShapes(t *testing.T) {
	for _, tt := range []struct {
		de   net.DNSError
		want string
	}{
		{net.DNSError{Err: "no such host", Name: "nosuch.invalid", IsNotFound: true}, "ENOTFOUND getaddrinfo ENOTFOUND nosuch.invalid -3008"},
		{net.DNSError{Err: "network is unreachable", Name: "nosuch.invalid", IsTemporary: true}, "EAI_AGAIN getaddrinfo EAI_AGAIN nosuch.invalid -3001"},
		{net.DNSError{Err: "i/o timeout", Name: "nosuch.invalid", IsTimeout: true}, "EAI_AGAIN getaddrinfo EAI_AGAIN nosuch.invalid -3001"},
	} {
		err := lookupError(&tt.de)
		e := err.(*Error)
		if got := fmt.Sprintf("%s %s %d", e.Code, e.Message, e.Errno); got != tt.want || e.Syscall != "getaddrinfo" || e.Hostname != tt.de.Name || !errors.Is(err, ErrLookup) {
			t.Errorf("%+v: got %q syscall %q hostname %q Is(ErrLookup) %v; want %q", tt.de, got, e.Syscall, e.Hostname, errors.Is(err, ErrLookup), tt.want)
		}
	}
}

// TestDialErrorShapes: dial failures that need a network that drops or
// refuses packets, mapped as node v20 words them: EHOSTUNREACH "connect
// EHOSTUNREACH 2001:db8::1:80" (errno -113; node on a host whose router
// does not answer for that address) and the kernel's ETIMEDOUT "connect
// ETIMEDOUT 10.255.255.1:80" (errno -110), also when the engine joins
// ErrClientConnectTimeout to it.
func TestDialErrorShapes(t *testing.T) {
	dial := func(ip string, errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.ParseIP(ip), Port: 80}, Err: os.NewSyscallError("connect", errno)}
	}
	for _, tt := range []struct {
		err  error
		want string
	}{
		{dial("2001:db8::1", syscall.EHOSTUNREACH), "EHOSTUNREACH connect EHOSTUNREACH 2001:db8::1:80 -113 2001:db8::1 80"},
		{dial("10.255.255.1", syscall.ETIMEDOUT), "ETIMEDOUT connect ETIMEDOUT 10.255.255.1:80 -110 10.255.255.1 80"},
		{errors.Join(engine.ErrClientConnectTimeout, dial("10.255.255.1", syscall.ETIMEDOUT)), "ETIMEDOUT connect ETIMEDOUT 10.255.255.1:80 -110 10.255.255.1 80"},
	} {
		e, ok := dialError(tt.err).(*Error)
		if !ok {
			t.Errorf("%v: not mapped", tt.err)
			continue
		}
		if got := fmt.Sprintf("%s %s %d %s %d", e.Code, e.Message, e.Errno, e.Address, e.Port); got != tt.want || e.Syscall != "connect" || !errors.Is(e, ErrConnect) {
			t.Errorf("%v: got %q syscall %q Is(ErrConnect) %v; want %q", tt.err, got, e.Syscall, errors.Is(e, ErrConnect), tt.want)
		}
	}
}

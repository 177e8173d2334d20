package looptest

import (
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Unanswered returns a loopback address whose connects hang, to test
// deadlines that cover connecting: a socket listening with a backlog of 0,
// its queue filled, so that the kernel drops the next SYNs (Linux does). It
// skips the test where such connects fail at once instead.
func Unanswered(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		// The dial's timeout is the context's or the socket's deadline,
		// whichever the dialer sees first: a net.Error either way.
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return addr
		}
		if err != nil {
			break
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("connects to a full listen queue do not hang here")
	return ""
}

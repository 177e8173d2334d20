//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package engine

import (
	"syscall"

	"golang.org/x/sys/unix"
)

const reusePortSupported = true

// setReusePort is a net.ListenConfig.Control that sets SO_REUSEPORT, so
// that several sockets can listen on one port.
func setReusePort(_, _ string, c syscall.RawConn) error {
	var err error
	if cerr := c.Control(func(fd uintptr) {
		err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	}); cerr != nil {
		return cerr
	}
	return err
}

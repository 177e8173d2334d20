//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package engine

import (
	"errors"
	"log"
	"sync"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"
)

// Fallbacks for platforms other than Linux, which is the production target.
// macOS and the BSDs (gnet's kqueue poller) build and serve for development,
// but pausing a connection's reads for a paused body reader reaches into
// gnet's epoll loops and is Linux-only: elsewhere the connection keeps being
// read and its unread bytes are buffered without the pauseThreshold bound.
// This is logged once per process rather than failing silently.

// ErrPlatformUnsupported is reported (logged) when a Linux-only feature is
// used on another platform.
var ErrPlatformUnsupported = errors.New("engine: feature is Linux-only on this platform")

// pauseThreshold is how many buffered bytes a paused reader may leave before
// the engine would stop reading its socket (see pause_linux.go).
const pauseThreshold = 64 << 10

var pauseOnce sync.Once

// setReading cannot pause reads outside Linux; it logs that once.
func (l *loop) setReading(gc gnet.Conn, on bool) error { return setConnReading(&l.epfd, gc, on) }

// setConnReading cannot pause reads outside Linux; it logs that once.
func setConnReading(*int, gnet.Conn, bool) error {
	pauseOnce.Do(func() {
		log.Printf("engine: pausing reads for a paused body reader: %v (reads continue and are buffered)", ErrPlatformUnsupported)
	})
	return ErrPlatformUnsupported
}

// fionread is FIONREAD, _IOR('f', 127, int), the same on every BSD and on
// macOS; x/sys/unix does not export it there.
const fionread = 0x4004667f

// socketPending reports whether the socket fd has received bytes not yet read.
func socketPending(fd int) bool {
	n, err := unix.IoctlGetInt(fd, fionread)
	return err == nil && n > 0
}

package engine

import (
	"errors"
	"reflect"
	"syscall"
	"unsafe"

	"github.com/panjf2000/gnet/v2"
)

// Pausing reads (see loop.pauseRead for when). gnet v2 reads every readable
// socket and buffers what the handler leaves unread, so a connection that
// cannot use more bytes would let the buffer grow with whatever the peer
// sends, and would read a peer's FIN, on which gnet closes the connection.
// gnet has no call to stop reading one connection; this file stops it by
// changing the connection's epoll registration to exclude EPOLLIN, on the
// epoll instance of the connection's loop, found once per loop through
// gnet's unexported fields (pinned: gnet v2.10.0; TestPauseBackPressure
// fails if they move).
//
// gnet re-registers EPOLLIN by itself after it flushes a partial write of
// its own (the server writes the socket itself, but a tunnel writes through
// gnet), so pausing is re-applied after every read: at most one read
// (gnet's read buffer, 64 KiB by default) gets past it.

// pauseThreshold is how many buffered bytes a request with a CloseHandler
// may leave unserved, while its response is owed, before the socket stops
// being read.
const pauseThreshold = 64 << 10

var errNoEpoll = errors.New("engine: cannot find the event loop's epoll instance")

// epollFD returns the epoll descriptor of gc's event loop, or -1.
func epollFD(gc gnet.Conn) (fd int) {
	defer func() {
		if recover() != nil {
			fd = -1
		}
	}()
	v := reflect.ValueOf(gc)
	if v.Kind() != reflect.Pointer {
		return -1
	}
	el := v.Elem().FieldByName("loop")
	if !el.IsValid() || el.Kind() != reflect.Pointer || el.IsNil() {
		return -1
	}
	p := el.Elem().FieldByName("poller")
	if !p.IsValid() || p.Kind() != reflect.Pointer || p.IsNil() {
		return -1
	}
	f := p.Elem().FieldByName("fd")
	if !f.IsValid() || f.Kind() != reflect.Int {
		return -1
	}
	return int(f.Int())
}

// setReading turns reading of gc's socket on or off. Must be called on gc's loop.
func (l *loop) setReading(gc gnet.Conn, on bool) error { return setConnReading(&l.epfd, gc, on) }

// setConnReading turns reading of gc's socket on or off; *epfd caches the
// loop's epoll descriptor (0 unknown, -1 unavailable). Must be called on
// gc's loop.
func setConnReading(epfd *int, gc gnet.Conn, on bool) error {
	if *epfd == 0 {
		*epfd = epollFD(gc)
	}
	if *epfd < 0 {
		return errNoEpoll
	}
	var ev uint32
	if on {
		ev = syscall.EPOLLIN | syscall.EPOLLPRI
	}
	if gc.OutboundBuffered() > 0 {
		ev |= syscall.EPOLLOUT
	}
	fd := gc.Fd()
	return syscall.EpollCtl(*epfd, syscall.EPOLL_CTL_MOD, fd, &syscall.EpollEvent{Events: ev, Fd: int32(fd)})
}

// socketPending reports whether the socket fd has received bytes not yet read.
func socketPending(fd int) bool {
	var n int32
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
	return errno == 0 && n > 0
}

package engine

import (
	"errors"
	"reflect"
	"syscall"

	"github.com/panjf2000/gnet/v2"
)

// Stopping accepts during a graceful shutdown. gnet has no call to stop
// accepting while its loops keep serving, and closing a listening socket
// under it fails its next accept with an error that stops the whole engine
// (ErrAcceptSocket), connections and all. So each listening descriptor is
// replaced in place, with dup3, by a listening socket that nobody can reach:
//
//   - The replacement is atomic. A loop that calls accept on the descriptor
//     afterwards, for an event it received before, gets EAGAIN from the
//     replacement (it is non-blocking and never connected to), which gnet
//     treats as "nothing to accept".
//   - The real socket loses its last descriptor and closes: the kernel drops
//     it from epoll, resets the connections waiting in its backlog, and
//     refuses new ones (ECONNREFUSED), as net/http's Shutdown does by
//     closing its listeners.
//   - gnet closes the replacement when the engine stops (and removes a unix
//     socket's file then).
//
// The descriptors are found through gnet's unexported fields, as for pausing
// reads (pinned: gnet v2.10.0; TestShutdownStopsAccepting fails if they move).

var errNoListeners = errors.New("engine: cannot find gnet's listening sockets")

// listenerFDs returns the descriptors of eng's listening sockets: the
// engine's own, and in SO_REUSEPORT mode each event loop's.
func listenerFDs(eng gnet.Engine) (fds []int, err error) {
	defer func() {
		if recover() != nil {
			fds, err = nil, errNoListeners
		}
	}()
	seen := map[int]bool{}
	add := func(listeners reflect.Value) {
		for it := listeners.MapRange(); it.Next(); {
			if fd := int(it.Value().Elem().FieldByName("fd").Int()); fd > 0 && !seen[fd] {
				seen[fd] = true
				fds = append(fds, fd)
			}
		}
	}
	e := reflect.ValueOf(eng).FieldByName("eng").Elem()
	add(e.FieldByName("listeners"))
	loops := e.FieldByName("eventLoops").Elem().Elem().FieldByName("eventLoops")
	for i := 0; i < loops.Len(); i++ {
		add(loops.Index(i).Elem().FieldByName("listeners"))
	}
	if len(fds) == 0 {
		return nil, errNoListeners
	}
	return fds, nil
}

// stopAccepting closes eng's listening sockets without disturbing its loops:
// each descriptor becomes a copy of one non-blocking listening unix socket,
// bound to an autobound abstract address that is never published.
func stopAccepting(eng gnet.Engine) error {
	fds, err := listenerFDs(eng)
	if err != nil {
		return err
	}
	dead, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(dead)
	// An empty name binds to a fresh abstract address (Linux autobind).
	if err := syscall.Bind(dead, &syscall.SockaddrUnix{}); err != nil {
		return err
	}
	if err := syscall.Listen(dead, 1); err != nil {
		return err
	}
	for _, fd := range fds {
		if err := syscall.Dup3(dead, fd, syscall.O_CLOEXEC); err != nil {
			return err
		}
	}
	return nil
}

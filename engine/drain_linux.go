package engine

import (
	"sync"
	"syscall"

	"github.com/panjf2000/gnet/v2"
)

// drainWatch tells event loops when a stalled connection's socket has room
// again. The engine writes responses to the socket itself (output.go), so
// that a slow reader costs its unsent bytes once, not again as a copy in
// gnet's outbound buffer; but gnet says nothing when a socket drains. So one
// goroutine per server, started on the first stall, waits on an epoll
// instance of its own in which each stalled socket is registered for
// EPOLLOUT, one-shot, and wakes the connection on its loop. A peer that
// resets is reported the same way (EPOLLERR), and the write that follows
// fails and closes the connection.
type drainWatch struct {
	once sync.Once
	epfd int // -1 if the watch could not start
	efd  int // eventfd that stops the goroutine
	done chan struct{}

	mu    sync.Mutex
	conns map[int32]gnet.Conn // guarded by mu: the sockets registered
}

// start makes the epoll instance and the goroutine, once.
func (d *drainWatch) start() {
	d.once.Do(func() {
		d.epfd, d.efd = -1, -1
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			return
		}
		efd, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if errno != 0 {
			syscall.Close(epfd)
			return
		}
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(efd)}
		if syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, int(efd), &ev) != nil {
			syscall.Close(epfd)
			syscall.Close(int(efd))
			return
		}
		d.epfd, d.efd = epfd, int(efd)
		d.conns = make(map[int32]gnet.Conn)
		d.done = make(chan struct{})
		go d.run()
	})
}

// watch asks for c to be woken once its socket is writable. Must be called
// on c's loop; c.fd must be a socket.
func (d *drainWatch) watch(c *conn) {
	d.start()
	if d.epfd < 0 {
		return // out of descriptors: the connection waits for its timeout
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLOUT | syscall.EPOLLONESHOT, Fd: int32(c.fd)}
	op := syscall.EPOLL_CTL_MOD
	if !c.watched {
		op = syscall.EPOLL_CTL_ADD
		d.mu.Lock()
		d.conns[int32(c.fd)] = c.gc
		d.mu.Unlock()
		c.watched = true
	}
	_ = syscall.EpollCtl(d.epfd, op, c.fd, &ev)
}

// unwatch forgets c before its socket closes. Must be called on c's loop.
func (d *drainWatch) unwatch(c *conn) {
	if !c.watched {
		return
	}
	c.watched = false
	_ = syscall.EpollCtl(d.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
	d.mu.Lock()
	delete(d.conns, int32(c.fd))
	d.mu.Unlock()
}

func (d *drainWatch) run() {
	defer close(d.done)
	var events [64]syscall.EpollEvent
	for {
		n, err := syscall.EpollWait(d.epfd, events[:], -1)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			return
		}
		for _, ev := range events[:n] {
			if int(ev.Fd) == d.efd {
				return
			}
			d.mu.Lock()
			gc := d.conns[ev.Fd]
			d.mu.Unlock()
			if gc != nil {
				// A wake that arrives after the connection closed finds
				// no context and does nothing (events.OnTraffic).
				_ = gc.Wake(nil)
			}
		}
	}
}

// stop ends the goroutine, if it started, and closes the descriptors.
// Called once the event loops have stopped.
func (d *drainWatch) stop() {
	d.once.Do(func() { d.epfd = -1 }) // never started: nothing to stop
	if d.epfd < 0 {
		return
	}
	one := [8]byte{1}
	_, _ = syscall.Write(d.efd, one[:])
	<-d.done
	syscall.Close(d.epfd)
	syscall.Close(d.efd)
	d.epfd = -1
}

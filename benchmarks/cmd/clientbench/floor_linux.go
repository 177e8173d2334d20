//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/zerohttp/zerohttp/benchmarks/internal/latency"
)

func init() { clients["floor"] = runFloor }

// runFloor is a keep-alive client with no library: one goroutine, epoll,
// and per request one write of bytes made once and one read (more when a
// reply comes in pieces), the status and Content-Length found by hand. It
// makes the system calls every event-loop client here makes (zerohttp's
// and Node's: a write, a read and a share of an epoll_wait per request),
// so its requests per client CPU-second are this machine's ceiling for
// them: what the kernel's loopback TCP and the system calls leave.
func runFloor(j *job) error {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	defer unix.Close(ep)
	wire := j.req.Bytes(j.addr)
	conns := make(map[int32]*floorConn, j.conns)
	defer func() {
		for fd := range conns {
			unix.Close(int(fd))
		}
	}()
	for i := 0; i < j.conns; i++ {
		fd, err := floorDial(j.addr)
		if err != nil {
			return err
		}
		c := &floorConn{fd: fd, h: j.hist(i)}
		conns[int32(fd)] = c
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
			return err
		}
		if err := c.send(wire); err != nil {
			return err
		}
	}
	events := make([]unix.EpollEvent, 128)
	buf := make([]byte, 64<<10)
	for live := len(conns); live > 0; {
		n, err := unix.EpollWait(ep, events, 100)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 && j.stopped() {
			return nil
		}
		for _, ev := range events[:n] {
			c := conns[ev.Fd]
			if c == nil || c.done {
				continue
			}
			if !c.onReadable(j, buf, wire) {
				c.done = true
				live--
				unix.EpollCtl(ep, unix.EPOLL_CTL_DEL, c.fd, nil)
			}
		}
	}
	return nil
}

// floorConn is one of runFloor's connections.
type floorConn struct {
	fd      int
	h       *latency.Histogram
	t0      int64  // when the request in flight was sent (latency.Now)
	pending []byte // a reply's bytes that came in more than one read
	done    bool   // stopped or failed
}

// send writes the whole request, which a fresh socket's buffer takes at once.
func (c *floorConn) send(wire []byte) error {
	c.t0 = latency.Now()
	_, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(c.fd), uintptr(unsafe.Pointer(unsafe.SliceData(wire))), uintptr(len(wire)))
	if e != 0 {
		return fmt.Errorf("write: %w", e)
	}
	return nil
}

// onReadable reads what came and, once the reply is whole, counts it and
// sends the next request. It reports whether the connection goes on.
func (c *floorConn) onReadable(j *job, buf, wire []byte) bool {
	n, err := unix.Read(c.fd, buf)
	if err == unix.EAGAIN {
		return true
	}
	if err != nil || n == 0 {
		j.fail(fmt.Sprintf("floor: read: %v (%d bytes)", err, n))
		return false
	}
	data := buf[:n]
	if len(c.pending) > 0 {
		c.pending = append(c.pending, data...)
		data = c.pending
	}
	size, status, body, err := floorReply(data, j.req.Head())
	switch {
	case err != nil:
		j.fail("floor: " + err.Error())
		return false
	case size == 0: // not whole yet
		if len(c.pending) == 0 {
			c.pending = append(c.pending, data...)
		}
		return true
	case size != len(data):
		j.fail("floor: bytes after the reply (one request is in flight)")
		return false
	}
	c.pending = c.pending[:0]
	if !j.check(status, body) {
		return false
	}
	j.observe(c.h, c.t0)
	if j.stopped() {
		return false
	}
	if err := c.send(wire); err != nil {
		j.fail("floor: " + err.Error())
		return false
	}
	return true
}

var errFloorFraming = errors.New("the floor client reads only replies framed by Content-Length")

// floorReply finds the reply at the start of b: its size (0 while
// incomplete), status code and body.
func floorReply(b []byte, head bool) (size, status int, body []byte, err error) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return 0, 0, nil, nil
	}
	if end < 12 || !bytes.HasPrefix(b, []byte("HTTP/1.")) {
		return 0, 0, nil, fmt.Errorf("not a reply: %.40q", b)
	}
	status, err = strconv.Atoi(string(b[9:12]))
	if err != nil {
		return 0, 0, nil, fmt.Errorf("status: %.40q", b)
	}
	length := 0
	if !head {
		v, ok := contentLength(b[:end+2])
		if !ok {
			return 0, 0, nil, errFloorFraming
		}
		if length, err = strconv.Atoi(string(v)); err != nil {
			return 0, 0, nil, errFloorFraming
		}
	}
	size = end + 4 + length
	if len(b) < size {
		return 0, 0, nil, nil
	}
	return size, status, b[end+4 : size], nil
}

// contentLength returns the Content-Length field's value in head (its
// lines, each ending in CRLF).
func contentLength(head []byte) ([]byte, bool) {
	const name = "content-length:"
	for len(head) > 0 {
		i := bytes.IndexByte(head, '\n')
		line := head[:i+1]
		head = head[i+1:]
		if len(line) > len(name) && bytes.EqualFold(line[:len(name)], []byte(name)) {
			return bytes.TrimSpace(line[len(name):]), true
		}
	}
	return nil, false
}

// floorDial connects a blocking socket to addr, then makes it non-blocking
// with Nagle off, as the event-loop clients' sockets are.
func floorDial(addr string) (int, error) {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return -1, err
	}
	var sa unix.Sockaddr
	family := unix.AF_INET
	if ip4 := ta.IP.To4(); ip4 != nil {
		s := &unix.SockaddrInet4{Port: ta.Port}
		copy(s.Addr[:], ip4)
		sa = s
	} else {
		s := &unix.SockaddrInet6{Port: ta.Port}
		copy(s.Addr[:], ta.IP.To16())
		sa, family = s, unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.Connect(fd, sa); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

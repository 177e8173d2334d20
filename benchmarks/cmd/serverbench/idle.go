package main

import (
	"bytes"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
)

// idleImpl measures what idle keep-alive connections cost a server: RSS after
// o.idle connections have each made one request, minus RSS before, per
// connection. The server is started afresh so earlier load does not count.
func idleImpl(o options, impl string) idleRun {
	r := idleRun{impl: impl, conns: o.idle}
	if err := raiseNoFile(uint64(o.idle) + 1024); err != nil {
		r.skip = err.Error()
		return r
	}
	s, err := startServer(o, impl)
	if err != nil {
		r.skip = err.Error()
		return r
	}
	defer s.stop()

	// One request on one connection first, so lazily built state (pools, date
	// caches, JIT) is in the baseline rather than charged to the connections.
	if c, err := openOne(s.addr); err != nil {
		r.skip = err.Error()
		return r
	} else {
		c.Close()
	}
	time.Sleep(300 * time.Millisecond)
	pids := proc.Serving(s.cmd.Process.Pid)
	r.emptyKB = proc.MemKB("VmRSS", pids...)

	conns, err := openMany(s.addr, o.idle)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	if err != nil {
		r.skip = fmt.Sprintf("after %d connections: %v", len(conns), err)
		return r
	}
	time.Sleep(time.Second) // let the server settle: GC, freed read buffers
	r.kB = proc.MemKB("VmRSS", pids...)
	r.perConnBytes = float64(r.kB-r.emptyKB) * 1024 / float64(len(conns))
	return r
}

// raiseNoFile raises this process's open-file limit to at least n; servers
// started later inherit it. It reports why if it cannot.
func raiseNoFile(n uint64) error {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= n {
		return nil
	}
	want := lim
	want.Cur = n
	if want.Max < n {
		want.Max = n // needs CAP_SYS_RESOURCE
	}
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &want); err != nil {
		if lim.Max >= n {
			return err
		}
		return fmt.Errorf("skipped: open-file limit %d < %d and cannot be raised: %v", lim.Max, n, err)
	}
	return nil
}

var (
	idleRequest = []byte("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	helloBody   = []byte("Hello, World!")
)

// openOne dials addr, makes one request and reads its response.
func openOne(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp4", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(idleRequest); err != nil {
		c.Close()
		return nil, err
	}
	var buf [1024]byte
	n := 0
	for !bytes.HasSuffix(buf[:n], helloBody) {
		m, err := c.Read(buf[n:])
		if err != nil {
			c.Close()
			return nil, err
		}
		n += m
		if n == len(buf) {
			c.Close()
			return nil, fmt.Errorf("response too long")
		}
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

// openMany opens n connections with a few dialers at a time; it returns the
// connections it opened even on error, for the caller to close.
func openMany(addr string, n int) ([]net.Conn, error) {
	const dialers = 16
	var (
		mu       sync.Mutex
		conns    = make([]net.Conn, 0, n)
		firstErr error
		wg       sync.WaitGroup
		next     = make(chan struct{}, n)
	)
	for range n {
		next <- struct{}{}
	}
	close(next)
	for range dialers {
		wg.Go(func() {
			for range next {
				c, err := openOne(addr)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				conns = append(conns, c)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return conns, firstErr
}

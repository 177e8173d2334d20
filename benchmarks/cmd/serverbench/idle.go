package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
)

// idleImpl measures what idle keep-alive connections cost a server: RSS after
// o.idle connections have each made one request, minus RSS before, per
// connection. The server is started afresh so earlier load does not count
// (except a server found at an address, which cannot be).
func idleImpl(o options, t target.Target) idleRun {
	r := idleRun{impl: t.Name, conns: o.idle}
	if err := raiseNoFile(uint64(o.idle) + 1024); err != nil {
		r.skip = err.Error()
		return r
	}
	s, err := startServer(o, t)
	if err != nil {
		r.skip = err.Error()
		return r
	}
	defer s.Stop()
	pids := s.PIDs()
	if len(pids) == 0 {
		r.skip = "the server's process is unknown (not readable by this user)"
		return r
	}
	reqBytes := o.req.Bytes(s.Addr)

	// One request on one connection first, so lazily built state (pools, date
	// caches, JIT) is in the baseline rather than charged to the connections.
	if c, err := openOne(s.Addr, reqBytes, o.req); err != nil {
		r.skip = err.Error()
		return r
	} else {
		c.Close()
	}
	time.Sleep(300 * time.Millisecond)
	r.emptyKB = proc.MemKB("VmRSS", pids...)

	conns, err := openMany(o.idle, func() (net.Conn, error) { return openOne(s.Addr, reqBytes, o.req) })
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

// openOne dials addr, sends req and reads the whole reply, which must have
// the expected status (and body, if checked).
func openOne(addr string, req []byte, want target.Request) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(req); err != nil {
		c.Close()
		return nil, err
	}
	// The reader's buffer is dropped once the reply is read; a keep-alive
	// server sends nothing more, so nothing buffered is lost.
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 1024), &http.Request{Method: want.Method})
	if err == nil {
		var body []byte
		body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch {
		case err != nil:
		case resp.StatusCode != want.Status:
			err = fmt.Errorf("status %d, want %d", resp.StatusCode, want.Status)
		case want.CheckBody && string(body) != want.ExpectBody:
			err = fmt.Errorf("body %.40q, want %.40q", body, want.ExpectBody)
		}
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

// openMany opens n connections with a few dialers at a time; it returns the
// connections it opened even on error, for the caller to close.
func openMany(n int, open func() (net.Conn, error)) ([]net.Conn, error) {
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
				c, err := open()
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

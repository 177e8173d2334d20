package engine

import (
	"context"
	"errors"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Accepting. The server owns its listening sockets and accepts on them
// itself, one goroutine per socket, handing each connection to gnet's event
// loops (gnet.Client.EnrollContext). gnet's own acceptor stops the whole
// engine, connections and all, on the first accept error it does not
// expect, such as EMFILE when the process is out of descriptors. Here:
//
//   - Every accept error but the listener's close backs off and retries:
//     EMFILE, ENFILE, ENOBUFS and ENOMEM clear when descriptors or memory
//     free up (ECONNABORTED is retried by Go at once). The wait doubles
//     from 5 ms to 250 ms and starts over after the next success; the open
//     connections are served meanwhile. The errors are logged at most one
//     line per logInterval (see logLimiter) and counted (AcceptErrors).
//   - Handing a connection to a loop duplicates its descriptor, which fails
//     the same way when the process is out of them; the connection is then
//     closed and the acceptor backs off as for an accept error.
//   - Past Options.MaxConns open connections, the acceptor stops taking
//     connections until one closes (connlimit.go).
//   - Stopping accepting (Shutdown, Close) closes the listening sockets: the
//     kernel refuses new connections and resets those in the backlog.
//
// Each handover runs on its own short-lived goroutine, which waits for the
// loop to take the connection: a loop busy in a long callback then delays
// its own new connections, not everyone's.

// Accept back-off bounds.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = 250 * time.Millisecond
)

// listen opens the server's listening sockets on addr: one, or with
// Options.ReusePort one per event loop on the same port with SO_REUSEPORT,
// so that the kernel spreads new connections over parallel acceptors.
func (s *Server) listen(addr string) ([]net.Listener, error) {
	network, host := "tcp", addr
	if i := strings.Index(addr, "://"); i >= 0 {
		network, host = addr[:i], addr[i+3:]
	}
	switch network {
	case "unix":
		// As gnet did: a stale socket file from an earlier run would make bind fail.
		_ = os.Remove(host)
		ln, err := net.Listen("unix", host)
		if err != nil {
			return nil, err
		}
		return []net.Listener{ln}, nil
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, ErrBadAddress
	}
	lc := net.ListenConfig{KeepAlive: -1}
	if d := s.opts.TCPKeepAlive; d > 0 {
		// gnet's settings: probes every fifth of the idle time, five of them.
		lc.KeepAliveConfig = net.KeepAliveConfig{Enable: true, Idle: d, Interval: d / 5, Count: 5}
	}
	n := 1
	if s.opts.ReusePort {
		if reusePortSupported {
			lc.Control = setReusePort
			n = s.numLoops()
		} else {
			log.Printf("engine: ReusePort is not supported on this platform; using one listening socket")
		}
	}
	var lns []net.Listener
	for i := 0; i < n; i++ {
		ln, err := lc.Listen(context.Background(), network, host)
		if err != nil {
			closeAll(lns)
			return nil, err
		}
		lns = append(lns, ln)
		if i == 0 && n > 1 {
			// Port 0 chose a port: the others bind the same one.
			h, _, err := net.SplitHostPort(host)
			if err != nil {
				closeAll(lns)
				return nil, err
			}
			host = net.JoinHostPort(h, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
		}
	}
	return lns, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		_ = ln.Close()
	}
}

// acceptLoop accepts connections on ln until it is closed.
func (s *Server) acceptLoop(ln net.Listener) {
	defer s.handovers.Done()
	var wait time.Duration
	for {
		if s.handoverFailed.Load() && s.handoverFailed.Swap(false) {
			wait = s.backOff(wait)
		}
		if !s.admit() {
			return
		}
		nc, err := ln.Accept()
		if err != nil {
			s.release()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.acceptErrs.Add(1)
			s.acceptLog.printf("engine: accept: %v; retrying in at most %v", err, acceptBackoffMax)
			wait = s.backOff(wait)
			continue
		}
		wait = 0
		s.handovers.Add(1)
		go s.handover(nc)
	}
}

// backOff waits after an accept failure, longer for each failure in a row,
// or until the listeners close. It returns the time waited.
func (s *Server) backOff(last time.Duration) time.Duration {
	d := min(max(2*last, acceptBackoffMin), acceptBackoffMax)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.unlisten:
	}
	return d
}

// handover gives nc to an event loop; OnOpen runs there before it returns.
func (s *Server) handover(nc net.Conn) {
	defer s.handovers.Done()
	defer s.release()
	if _, err := s.cli.EnrollContext(nc, nil); err != nil {
		// EnrollContext has closed nc. Out of descriptors for the
		// duplicate, most likely: back off as for an accept error.
		s.acceptErrs.Add(1)
		s.acceptLog.printf("engine: accept: handing a connection to an event loop: %v", err)
		if isResourceError(err) {
			s.handoverFailed.Store(true)
		}
	}
}

// isResourceError reports whether err means the process or the system is
// out of descriptors or memory for now.
func isResourceError(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM)
}

// stopListening closes the listening sockets, once, and waits until every
// accepted connection has reached its event loop. Safe from any goroutine.
func (s *Server) stopListening() {
	s.unlistenOnce.Do(func() {
		close(s.unlisten)
		closeAll(s.lns)
	})
	s.handovers.Wait()
}

package main

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
)

// server is one target, listening: a process this command started (a
// built-in implementation or a user's command), or a user's server found
// listening at its address.
type server struct {
	target target.Target
	addr   string
	cmd    *exec.Cmd     // nil for an address target
	exited chan struct{} // closed once cmd has exited and been reaped
	stderr *cappedBuffer
	owner  []int // an address target's listening processes, if they could be found
}

// startServer starts t on a free port pinned to the server CPU and waits
// until it listens; an address target is only checked to be listening.
func startServer(o options, t target.Target) (*server, error) {
	if t.Kind() == "address" {
		if err := proc.WaitListening(t.Addr, nil, 2*time.Second); err != nil {
			return nil, fmt.Errorf("nothing listening: %v", err)
		}
		s := &server{target: t, addr: t.Addr}
		if pid, err := proc.ListenerPID(t.Addr); err == nil {
			s.owner = []int{pid}
		}
		return s, nil
	}
	if t.Impl == "node" {
		if _, err := exec.LookPath("node"); err != nil {
			return nil, errors.New("node not installed")
		}
	}
	addr, err := proc.FreeAddr()
	if err != nil {
		return nil, err
	}
	s := &server{target: t, addr: addr, exited: make(chan struct{}), stderr: new(cappedBuffer)}
	if t.Kind() == "command" {
		s.cmd = t.Command(addr, max(1, len(o.cpus[0])))
	} else {
		s.cmd = exec.Command(filepath.Join(o.dir, "server"), "-impl", t.Impl, "-addr", addr)
	}
	s.cmd.Stdout, s.cmd.Stderr = s.stderr, s.stderr
	if err := proc.StartPinned(s.cmd, o.cpus[0]); err != nil {
		return nil, err
	}
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	if err := proc.WaitListening(addr, s.exited, 10*time.Second); err != nil {
		s.stop()
		if msg := strings.TrimSpace(s.stderr.String()); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, err
	}
	return s, nil
}

// stop stops a process this command started, with its process group for a
// user's command (whose shell may have children); an address target is left
// alone.
func (s *server) stop() {
	switch {
	case s.cmd == nil:
	case s.target.Kind() == "command":
		proc.StopGroup(s.cmd, s.exited)
	default:
		proc.StopProcess(s.cmd, s.exited)
	}
}

// pids returns the processes whose CPU time and memory are the server's; none
// for an address target whose listener could not be found.
func (s *server) pids() []int {
	if s.cmd == nil {
		return s.owner
	}
	return proc.Serving(s.cmd.Process.Pid)
}

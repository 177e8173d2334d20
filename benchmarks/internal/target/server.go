package target

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
)

// Server is a target listening: a process a benchmark started (a built-in
// implementation or a user's command), or a user's server found listening
// at its address.
type Server struct {
	Target Target
	Addr   string

	cmd    *exec.Cmd     // nil for an address target
	exited chan struct{} // closed once cmd has exited and been reaped
	stderr *cappedBuffer
	owner  []int // an address target's listening processes, if they could be found
}

// Start starts t on a free loopback port pinned to cpus (a command's {cores}
// is their count) and waits until it listens; an address target is only
// checked to be listening. builtin returns the command that serves a
// built-in implementation on addr.
func Start(t Target, cpus []int, builtin func(impl, addr string) (*exec.Cmd, error)) (*Server, error) {
	if t.Kind() == "address" {
		if err := proc.WaitListening(t.Addr, nil, 2*time.Second); err != nil {
			return nil, fmt.Errorf("nothing listening: %v", err)
		}
		s := &Server{Target: t, Addr: t.Addr}
		if pid, err := proc.ListenerPID(t.Addr); err == nil {
			s.owner = []int{pid}
		}
		return s, nil
	}
	addr, err := proc.FreeAddr()
	if err != nil {
		return nil, err
	}
	s := &Server{Target: t, Addr: addr, exited: make(chan struct{}), stderr: new(cappedBuffer)}
	if t.Kind() == "command" {
		s.cmd = t.Command(addr, max(1, len(cpus)))
	} else if s.cmd, err = builtin(t.Impl, addr); err != nil {
		return nil, err
	}
	s.cmd.Stdout, s.cmd.Stderr = s.stderr, s.stderr
	if err := proc.StartPinned(s.cmd, cpus); err != nil {
		return nil, err
	}
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	if err := proc.WaitListening(addr, s.exited, 10*time.Second); err != nil {
		s.Stop()
		if msg := strings.TrimSpace(s.stderr.String()); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, err
	}
	return s, nil
}

// Stop stops a process Start started, with its process group for a user's
// command (whose shell may have children); an address target is left alone.
func (s *Server) Stop() {
	switch {
	case s.cmd == nil:
	case s.Target.Kind() == "command":
		proc.StopGroup(s.cmd, s.exited)
	default:
		proc.StopProcess(s.cmd, s.exited)
	}
}

// PIDs returns the processes whose CPU time and memory are the server's;
// none for an address target whose listener could not be found.
func (s *Server) PIDs() []int {
	if s.cmd == nil {
		return s.owner
	}
	return proc.Serving(s.cmd.Process.Pid)
}

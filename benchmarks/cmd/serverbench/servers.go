package main

import (
	"errors"
	"os/exec"
	"path/filepath"

	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
)

// startServer starts t pinned to the server CPUs: a built-in implementation
// is cmd/server with its -impl.
func startServer(o options, t target.Target) (*target.Server, error) {
	return target.Start(t, o.cpus[0], func(impl, addr string) (*exec.Cmd, error) {
		if impl == "node" {
			if _, err := exec.LookPath("node"); err != nil {
				return nil, errors.New("node not installed")
			}
		}
		return exec.Command(filepath.Join(o.dir, "server"), "-impl", impl, "-addr", addr), nil
	})
}

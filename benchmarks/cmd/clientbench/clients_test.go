package main

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
)

// TestClientsRun runs every Go client briefly against the fixed server, so
// that a client that breaks (fails requests, or never stops) fails the tests
// rather than a benchmark run.
func TestClientsRun(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, addr) }()
	defer func() {
		cancel()
		<-served
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("fixed server did not start")
		}
	}
	for name, impl := range clients {
		t.Run(name, func(t *testing.T) {
			j := &job{addr: addr, conns: 4, depth: 2, req: target.Default()}
			runFor(t, impl, j, 200*time.Millisecond)
			if j.n.Load() == 0 || j.errs.Load() != 0 {
				t.Fatalf("%s: %d requests, %d errors (first: %s); want some and none", name, j.n.Load(), j.errs.Load(), j.bad())
			}
		})
	}
}

// runFor runs impl on j for d, then stops it; it must stop within 10 s.
func runFor(t *testing.T, impl clientImpl, j *job, d time.Duration) {
	t.Helper()
	stop := make(chan struct{})
	j.stop = stop
	done := make(chan error, 1)
	go func() { done <- impl(j) }()
	time.Sleep(d)
	close(stop)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("client did not stop")
	}
}

package main

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"
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
			var n, errs atomic.Int64
			stop := make(chan struct{})
			done := make(chan error, 1)
			go func() { done <- impl(addr, 4, 2, stop, &n, &errs) }()
			time.Sleep(200 * time.Millisecond)
			close(stop)
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("client did not stop")
			}
			if n.Load() == 0 || errs.Load() != 0 {
				t.Fatalf("%s: %d requests, %d errors; want some and none", name, n.Load(), errs.Load())
			}
		})
	}
}

package main

import (
	"context"
	"errors"
)

// ZEROHTTP ENGINE HOOK: serveZerohttp is where the benchmark meets the engine
// package (/engine). It is wired in once engine exposes a server API; until
// then it fails rather than stand in another server under zerohttp's name.
func serveZerohttp(ctx context.Context, addr string) error {
	return errEngineNotReady
}

var errEngineNotReady = errors.New("engine not ready")

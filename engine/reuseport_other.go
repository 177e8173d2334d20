//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package engine

import "syscall"

// reusePortSupported is false: Options.ReusePort falls back to one
// listening socket, and Start logs that it did.
const reusePortSupported = false

func setReusePort(_, _ string, _ syscall.RawConn) error { return nil }

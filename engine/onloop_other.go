//go:build !(amd64 || arm64) || !gc

package engine

// Without a cheap way to identify the goroutine, blocking calls on an event
// loop are not detected on this platform.
const haveCurg = false

func curg() uintptr { return 0 }

//go:build (amd64 || arm64) && gc

package engine

const haveCurg = true

// curg returns the calling goroutine's g pointer: one load from thread-local
// storage (amd64) or the g register (arm64). It identifies a running
// goroutine; the address may be reused once the goroutine exits.
func curg() uintptr

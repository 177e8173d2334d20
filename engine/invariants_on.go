//go:build invariants

package engine

// scribble overwrites read-buffer bytes the connection is done with, before
// gnet reuses them, so that a view kept past its documented lifetime (a
// handler holding Request.Target or Body after it returned, or an engine path
// that forgot to detach) reads garbage in tests instead of working by luck.
func scribble(b []byte) {
	for i := range b {
		b[i] = 0xEE
	}
}

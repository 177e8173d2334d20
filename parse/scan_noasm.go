//go:build !amd64 || !gc || purego

package parse

// useAVX2 is always false without the assembly; it is a variable, as on amd64,
// so that tests which flip it compile in every build.
var useAVX2 = false

// classify fills m for the 256 bytes of w with the portable path.
func classify(m *masks, w *[windowSize]byte) {
	classifyGeneric(m, w)
}

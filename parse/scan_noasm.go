//go:build !amd64 || !gc || purego

package parse

// useAVX2 is always false without the assembly; it is a variable, as on amd64,
// so that tests which flip it compile in every build.
var useAVX2 = false

// classify fills the first len(src)/64 words of each class of m for src,
// whose length must be 64, 128, 192 or 256, with the portable path.
func classify(m *masks, src []byte) {
	classifyGeneric(m, src)
}

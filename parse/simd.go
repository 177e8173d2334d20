package parse

// simdSupported records at start-up whether this CPU and build can take the
// AVX2 path (false under the purego tag and off amd64).
var simdSupported = useAVX2

// SIMD reports whether the parser currently uses its AVX2 path.
func SIMD() bool { return useAVX2 }

// SetSIMD turns the AVX2 path on (only where supported) or off, forcing the
// portable path, and returns the previous setting. It exists so that
// benchmarks and diagnostics can compare both paths in one process; it must
// not be called while any Parser is in use on another goroutine.
func SetSIMD(on bool) (was bool) {
	was = useAVX2
	useAVX2 = on && simdSupported
	return was
}

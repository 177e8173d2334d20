//go:build amd64 && gc && !purego

package parse

import (
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

// scan_amd64.s stores ntok, nval and ntgt at byte offsets 0, 32 and 64 of masks;
// these fail to compile if the layout moves.
var (
	_ = [1]struct{}{}[unsafe.Offsetof(masks{}.ntok)]
	_ = [1]struct{}{}[unsafe.Offsetof(masks{}.nval)-32]
	_ = [1]struct{}{}[unsafe.Offsetof(masks{}.ntgt)-64]
)

// useAVX2 reports whether classify takes the AVX2 path. It is set once at start-up;
// tests flip it off (with a t.Cleanup restore) to run the portable path.
var useAVX2 = cpuid.CPU.Supports(cpuid.AVX2)

// classifyAVX2 is classifyGeneric in AVX2 (scan_amd64.s).
// It requires AVX2 (check useAVX2), reads exactly the 256 bytes of w with
// unaligned loads, writes all 12 words of m and nothing else, and clears the
// upper halves of the YMM registers before it returns.
//
//go:noescape
func classifyAVX2(m *masks, w *[windowSize]byte)

// classify fills m for the 256 bytes of w. It dispatches once per call to the
// AVX2 path or the portable one.
func classify(m *masks, w *[windowSize]byte) {
	if useAVX2 {
		classifyAVX2(m, w)
		return
	}
	classifyGeneric(m, w)
}

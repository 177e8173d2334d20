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
// It requires AVX2 (check useAVX2), reads exactly words*64 bytes from src
// with unaligned loads, writes words 0..words-1 of each class of m and
// nothing else, and clears the upper halves of the YMM registers before it
// returns. words is 1 to 4.
//
//go:noescape
func classifyAVX2(m *masks, src *byte, words int)

// classify fills the first len(src)/64 words of each class of m for src,
// whose length must be 64, 128, 192 or 256. It dispatches once per call to
// the AVX2 path or the portable one.
func classify(m *masks, src []byte) {
	if n := len(src) / 64; useAVX2 && n >= 1 && n <= windowWords {
		classifyAVX2(m, unsafe.SliceData(src), n)
		return
	}
	classifyGeneric(m, src)
}

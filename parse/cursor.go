package parse

import (
	"math/bits"
	"unsafe"
)

// class selects one of the byte classes that classify computes.
type class uint8

const (
	clsTok class = iota // not a tchar
	clsVal              // not allowed in a field value
	clsTgt              // not allowed in a request-target
)

// window caches the class masks of up to windowSize bytes of the buffer being
// parsed, starting at base. The scalar state machine asks it for the next
// byte of a class; it classifies each stretch of input once as the parse moves
// forward (the simdjson shape: a vector pass makes bitmasks, scalar code walks
// their set bits).
type window struct {
	m    masks
	base int // offset in the buffer of the window's first byte
	n    int // bytes of the window that held input when classified; 0 means empty
}

// hit returns the offset of the first byte at or after from that is in class
// c when that byte lies in the mask word holding from, or -1. It has no call,
// so it inlines and c folds to a constant; most field names and values end in
// the word they start in. Callers fall back to next.
func (w *window) hit(c class, from int) int {
	if rel := uint(from - w.base); rel < uint(w.n) {
		if word := w.m.byClass()[c%3][rel/64%windowWords] >> (rel % 64); word != 0 {
			return from + bits.TrailingZeros64(word)
		}
	}
	return -1
}

// next returns the offset of the first byte at or after from that is in class
// c, or len(b) if no such byte is in b. Bytes in [base, base+n) must be
// unchanged since they were classified; from must not be below base unless the
// window is empty. It walks the window's words and loads new windows as needed.
func (w *window) next(b []byte, c class, from int) int {
	for from < len(b) {
		if from < w.base || from >= w.base+w.n {
			w.load(b, from)
		}
		words := &w.m.byClass()[c%3]
		rel := uint(from - w.base)
		word := words[rel/64] &^ (1<<(rel%64) - 1)
		last := uint(w.n-1) / 64 // words past it were not classified for this window
		for i := rel / 64; ; {
			if word != 0 {
				return w.base + int(i)*64 + bits.TrailingZeros64(word)
			}
			if i++; i > last {
				break
			}
			word = words[i%windowWords]
		}
		from = w.base + w.n
	}
	return len(b)
}

// byClass views m as one array of mask words per class, indexed by class.
// The layout is pinned below: ntok, nval, ntgt in class order, no padding.
func (m *masks) byClass() *[3][windowWords]uint64 {
	return (*[3][windowWords]uint64)(unsafe.Pointer(m))
}

// Compile-time layout checks for byClass: each fails to build if its difference is negative.
const (
	_ = uint(unsafe.Sizeof(masks{})) - 3*windowWords*8
	_ = 3*windowWords*8 - uint(unsafe.Sizeof(masks{}))
	_ = uint(unsafe.Offsetof(masks{}.nval)) - uint(clsVal)*windowWords*8
	_ = uint(clsVal)*windowWords*8 - uint(unsafe.Offsetof(masks{}.nval))
	_ = uint(unsafe.Offsetof(masks{}.ntgt)) - uint(clsTgt)*windowWords*8
	_ = uint(clsTgt)*windowWords*8 - uint(unsafe.Offsetof(masks{}.ntgt))
)

// load classifies the bytes of b from offset from. A short tail is
// classified in whole 64-byte words only as far as it reaches (a 40-byte
// request costs one word, not four), read in place when b's capacity allows,
// else copied into a zeroed window; either way the mask bits past len(b) in
// its last word are cleared, so every set bit that hit and next can see
// marks a real byte.
func (w *window) load(b []byte, from int) {
	w.base = from
	if len(b)-from >= windowSize {
		classify(&w.m, b[from:from+windowSize])
		w.n = windowSize
		return
	}
	w.n = len(b) - from
	k := (w.n + 63) &^ 63 // bytes to classify: whole words
	if cap(b)-from >= k {
		// The bytes past len(b) are inside the allocation, so reading them is
		// safe; their mask bits are cleared below. Saves zeroing and copying a
		// pad window on every short head.
		classify(&w.m, b[from:from+k])
	} else {
		var pad [windowSize]byte
		copy(pad[:], b[from:])
		classify(&w.m, pad[:k])
	}
	// Words past the last one holding input keep stale masks: hit and next
	// never read past w.n.
	if i, rem := w.n/64, w.n%64; rem != 0 {
		keep := uint64(1)<<rem - 1
		w.m.ntok[i] &= keep
		w.m.nval[i] &= keep
		w.m.ntgt[i] &= keep
	}
}

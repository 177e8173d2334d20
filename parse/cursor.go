package parse

import "math/bits"

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

// next returns the offset of the first byte at or after from that is in class
// c, or len(b) if no such byte is in b. Bytes in [base, base+n) must be
// unchanged since they were classified; from must not be below base unless the
// window is empty.
func (w *window) next(b []byte, c class, from int) int {
	for from < len(b) {
		if from < w.base || from >= w.base+w.n {
			w.load(b, from)
		}
		words := &w.m.ntok
		switch c {
		case clsVal:
			words = &w.m.nval
		case clsTgt:
			words = &w.m.ntgt
		}
		rel := uint(from - w.base)
		word := words[rel/64] &^ (1<<(rel%64) - 1)
		for i := rel / 64; ; {
			if word != 0 {
				q := w.base + int(i)*64 + bits.TrailingZeros64(word)
				if q < w.base+w.n {
					return q
				}
				break // a padding byte: the input ended inside the window when it was classified
			}
			if i++; i >= windowWords {
				break
			}
			word = words[i]
		}
		from = w.base + w.n
	}
	return len(b)
}

// load classifies the bytes of b from offset from. A short tail is copied into
// a zeroed window; NUL is in every class, so the padding stops every search.
func (w *window) load(b []byte, from int) {
	w.base = from
	if len(b)-from >= windowSize {
		classify(&w.m, (*[windowSize]byte)(b[from:from+windowSize]))
		w.n = windowSize
		return
	}
	var pad [windowSize]byte
	w.n = copy(pad[:], b[from:])
	classify(&w.m, &pad)
}

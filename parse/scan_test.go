package parse

import (
	"fmt"
	"strings"
	"testing"
)

// scanRefClass is the per-byte reference for classify, written from the RFC text
// with plain comparisons.
func scanRefClass(b byte) (ntok, nval, ntgt bool) {
	tchar := b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
	ntok = !tchar
	nval = b < 0x20 && b != '\t' || b == 0x7f
	ntgt = b <= 0x20 || b >= 0x7f || b == '%'
	return ntok, nval, ntgt
}

// scanRefMasks computes the masks for w one byte at a time with scanRefClass.
func scanRefMasks(w *[windowSize]byte) masks {
	var m masks
	for i, b := range w {
		tok, val, tgt := scanRefClass(b)
		bit := uint64(1) << (i % 64)
		if tok {
			m.ntok[i/64] |= bit
		}
		if val {
			m.nval[i/64] |= bit
		}
		if tgt {
			m.ntgt[i/64] |= bit
		}
	}
	return m
}

// scanDiff describes the first byte on which got and want differ, or returns "".
func scanDiff(w *[windowSize]byte, got, want *masks) string {
	classes := []struct {
		name      string
		got, want *[windowWords]uint64
	}{
		{"ntok", &got.ntok, &want.ntok},
		{"nval", &got.nval, &want.nval},
		{"ntgt", &got.ntgt, &want.ntgt},
	}
	for _, c := range classes {
		for i := range windowSize {
			g, h := c.got[i/64]>>(i%64)&1, c.want[i/64]>>(i%64)&1
			if g != h {
				return fmt.Sprintf("%s bit %d (byte %#02x) = %d; want %d", c.name, i, w[i], g, h)
			}
		}
	}
	return ""
}

// scanPaths runs f once per classify path this build has: "avx2" when the CPU and
// build allow it, then always "generic" with useAVX2 turned off. Tests that use
// it must not be parallel, since they flip a package variable.
func scanPaths(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	if useAVX2 {
		t.Run("avx2", f)
	}
	saved := useAVX2
	t.Cleanup(func() { useAVX2 = saved })
	useAVX2 = false
	t.Run("generic", f)
}

func TestClassifyRefTable(t *testing.T) {
	// Spot checks of the reference itself, so a wrong reference cannot hide a
	// wrong classifier.
	tests := []struct {
		b                byte
		ntok, nval, ntgt bool
	}{
		{0x00, true, true, true},
		{'\t', true, false, true},
		{'\n', true, true, true},
		{'\r', true, true, true},
		{' ', true, false, true},
		{'!', false, false, false},
		{'%', false, false, true},
		{'"', true, false, false},
		{'(', true, false, false},
		{',', true, false, false},
		{'/', true, false, false},
		{'0', false, false, false},
		{':', true, false, false},
		{'@', true, false, false},
		{'Z', false, false, false},
		{'[', true, false, false},
		{'^', false, false, false},
		{'`', false, false, false},
		{'{', true, false, false},
		{'|', false, false, false},
		{'}', true, false, false},
		{'~', false, false, false},
		{0x7f, true, true, true},
		{0x80, true, false, true},
		{0xff, true, false, true},
	}
	for _, tt := range tests {
		tok, val, tgt := scanRefClass(tt.b)
		if tok != tt.ntok || val != tt.nval || tgt != tt.ntgt {
			t.Errorf("scanRefClass(%#02x) = %v, %v, %v; want %v, %v, %v",
				tt.b, tok, val, tgt, tt.ntok, tt.nval, tt.ntgt)
		}
	}
	n := 0
	for b := range 256 {
		if tok, _, _ := scanRefClass(byte(b)); !tok {
			n++
		}
	}
	if n != 77 { // 15 symbols, 10 digits, 52 letters
		t.Errorf("reference has %d tchars; want 77", n)
	}
}

// TestClassifyEveryByteEveryPosition puts each of the 256 byte values at each of
// the 256 positions of a window, over backgrounds that are in and out of every
// class, so every value meets every YMM lane, 128-bit lane, SWAR word and mask
// word boundary.
func TestClassifyEveryByteEveryPosition(t *testing.T) {
	backgrounds := []byte{'a', 0x00, ' ', '\t', 0x7f, 0x80, 0xff, ':'}
	scanPaths(t, func(t *testing.T) {
		var w [windowSize]byte
		var got masks
		for _, bg := range backgrounds {
			for i := range w {
				w[i] = bg
			}
			base := scanRefMasks(&w)
			for pos := range windowSize {
				for v := range 256 {
					w[pos] = byte(v)
					want := base
					tok, val, tgt := scanRefClass(byte(v))
					word, bit := pos/64, uint64(1)<<(pos%64)
					want.ntok[word] = want.ntok[word]&^bit | scanBit(tok)<<(pos%64)
					want.nval[word] = want.nval[word]&^bit | scanBit(val)<<(pos%64)
					want.ntgt[word] = want.ntgt[word]&^bit | scanBit(tgt)<<(pos%64)
					classify(&got, w[:])
					if got != want {
						t.Fatalf("background %#02x, byte %#02x at %d: %s", bg, v, pos, scanDiff(&w, &got, &want))
					}
				}
				w[pos] = bg
			}
		}
	})
}

func scanBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// TestClassifyRotations classifies windows that hold every byte value once: all
// 256 rotations of 0, 1, 2, ..., and windows with other odd strides, so that
// values meet changing neighbours as well as every position.
func TestClassifyRotations(t *testing.T) {
	scanPaths(t, func(t *testing.T) {
		var w [windowSize]byte
		var got masks
		for r := range 256 {
			for stride := 1; stride < 256; stride += 2 { // odd strides are permutations
				if stride > 1 && r%16 != 0 {
					break
				}
				for i := range w {
					w[i] = byte(r + i*stride)
				}
				want := scanRefMasks(&w)
				classify(&got, w[:])
				if got != want {
					t.Fatalf("rotation %d stride %d: %s", r, stride, scanDiff(&w, &got, &want))
				}
			}
		}
	})
}

// scanShow renders one class of masks for the first n bytes: '^' under a set bit.
func scanShow(words *[windowWords]uint64, n int) string {
	var sb strings.Builder
	for i := range n {
		if words[i/64]>>(i%64)&1 != 0 {
			sb.WriteByte('^')
		} else {
			sb.WriteByte('.')
		}
	}
	return sb.String()
}

func TestClassifyText(t *testing.T) {
	tests := []struct {
		name, in         string
		ntok, nval, ntgt string
	}{
		{
			name: "request line",
			in:   "GET /a?b=c%20d HTTP/1.1\r\n",
			ntok: "...^^.^.^.....^....^...^^",
			nval: ".......................^^",
			ntgt: "...^......^...^........^^",
		},
		{
			name: "field",
			in:   "X-Ok: v\t\x80\xff\x7f\x01\r\n",
			ntok: "....^^.^^^^^^^",
			nval: "..........^^^^",
			ntgt: ".....^.^^^^^^^",
		},
		{
			name: "tchar symbols",
			in:   "!#$%&'*+-.^_`|~\"(),/:;<=>?@[\\]{}",
			ntok: "...............^^^^^^^^^^^^^^^^^",
			nval: "................................",
			ntgt: "...^............................",
		},
	}
	scanPaths(t, func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var w [windowSize]byte
				copy(w[:], tt.in)
				var m masks
				classify(&m, w[:])
				n := len(tt.in)
				if got := scanShow(&m.ntok, n); got != tt.ntok {
					t.Errorf("ntok of %q =\n%s; want\n%s", tt.in, got, tt.ntok)
				}
				if got := scanShow(&m.nval, n); got != tt.nval {
					t.Errorf("nval of %q =\n%s; want\n%s", tt.in, got, tt.nval)
				}
				if got := scanShow(&m.ntgt, n); got != tt.ntgt {
					t.Errorf("ntgt of %q =\n%s; want\n%s", tt.in, got, tt.ntgt)
				}
			})
		}
	})
}

// TestClassifyWritesAll checks that classify overwrites every word of m, so a
// reused masks needs no clearing.
func TestClassifyWritesAll(t *testing.T) {
	scanPaths(t, func(t *testing.T) {
		var w [windowSize]byte
		for i := range w {
			w[i] = 'a'
		}
		m := masks{}
		for i := range windowWords {
			m.ntok[i], m.nval[i], m.ntgt[i] = ^uint64(0), ^uint64(0), ^uint64(0)
		}
		classify(&m, w[:])
		if m != (masks{}) {
			t.Fatalf("classify of all 'a' = %+v; want all zero", m)
		}
	})
}

func TestClassifyAllocs(t *testing.T) {
	scanPaths(t, func(t *testing.T) {
		var w [windowSize]byte
		var m masks
		if n := testing.AllocsPerRun(100, func() { classify(&m, w[:]) }); n != 0 {
			t.Fatalf("allocs = %v; want 0", n)
		}
	})
}

// TestClassifyWords checks that classifying the first k words of a window
// fills exactly those words, on both paths.
func TestClassifyWords(t *testing.T) {
	scanPaths(t, func(t *testing.T) {
		var w [windowSize]byte
		for i := range w {
			w[i] = byte(i*7 + 3)
		}
		want := scanRefMasks(&w)
		for k := 1; k <= windowWords; k++ {
			sentinel := masks{}
			for i := range windowWords {
				sentinel.ntok[i], sentinel.nval[i], sentinel.ntgt[i] = 0xdead, 0xbeef, 0xf00d
			}
			got, wantK := sentinel, withWords(sentinel, want, k)
			classify(&got, w[:k*64])
			if got != wantK {
				t.Fatalf("%d words: %s", k, scanDiff(&w, &got, &wantK))
			}
		}
	})
}

// withWords returns base with its first k words of each class taken from m:
// what classifying k words over base must leave.
func withWords(base, m masks, k int) masks {
	copy(base.ntok[:k], m.ntok[:k])
	copy(base.nval[:k], m.nval[:k])
	copy(base.ntgt[:k], m.ntgt[:k])
	return base
}

package parse

import "strings"

// The portable classifier looks each byte up in scanClass, a 256-entry table
// holding the byte's three class bits, assembles the entries of 8 bytes into one
// uint64 (one byte per input byte), and then works 8 bytes at a time in that
// word: each class is one bit of every byte, and scanPack gathers those 8 bits
// into 8 mask bits with one multiply.
//
// Measured (BenchmarkClassify/generic, 256-byte request-head window, medians):
//
//	table lookups + scanPack (this file), amd64               ~245 ns, ~1.0 GB/s
//	the same, GOARCH=386                                      ~620 ns
//	pure SWAR ranges + per-word gather (no tables), amd64     ~380 ns
//	pure SWAR ranges + 8x8 bit transpose instead of gather    ~330 ns
//	table lookups + one shift/or per byte per class           ~750 ns
//
// The pure SWAR path computed "byte >= n" for the low 7 bits as
// (x & 0x7f..7f) + (0x80-n)*0x01..01, exact per byte since the add cannot carry,
// and a union of disjoint ranges as the XOR of its boundaries. tchar is 9 ranges,
// so 18 adds and 17 XORs per word; the 8 table loads per word are cheaper, and
// on 32-bit targets, where uint64 arithmetic is emulated, the gap only grows.

// Bits of a scanClass entry, one per class of masks.
const (
	scanNtok = 1 << iota // not a tchar
	scanNval             // not allowed in a field value
	scanNtgt             // not allowed in a request-target
)

// scanClass holds the class bits of every byte value; it is immutable after init.
var scanClass = func() (t [256]uint8) {
	for i := range t {
		b := byte(i)
		// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
		//         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
		tchar := '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
		if !tchar {
			t[i] |= scanNtok
		}
		// field-vchar = VCHAR / obs-text, with SP and HTAB allowed between them.
		if b < ' ' && b != '\t' || b == 0x7f {
			t[i] |= scanNval
		}
		// A request-target is made of VCHARs only (RFC 9112 §3.2, RFC 3986);
		// "%" stops the scan so that its two HEXDIG are checked (skipPct).
		if b <= ' ' || b >= 0x7f || b == '%' {
			t[i] |= scanNtgt
		}
	}
	return t
}()

// scanOnes has 1 in every byte: the low class bit of 8 packed table entries.
const scanOnes = 0x0101010101010101

// scanPack gathers bit 0 of each byte of x (other bits must be clear) into the
// low 8 bits of the result, byte i to bit i. The multiply moves byte i's bit
// (bit 8i) to bit 56+i; no two partial products land on the same bit, so
// nothing carries into the top byte.
func scanPack(x uint64) uint64 {
	return (x * 0x0102040810204080) >> 56
}

// classifyGeneric is the portable classify. It works on any architecture and has
// no branches on the data.
// It fills the first len(src)/64 words of each class (at most windowWords).
func classifyGeneric(m *masks, src []byte) {
	t := &scanClass
	for i := 0; i < windowWords && (i+1)*64 <= len(src); i++ {
		w := src[i*64 : i*64+64]
		var ntok, nval, ntgt uint64
		for j := 0; j < 8; j++ {
			b := w[j*8 : j*8+8]
			c := uint64(t[b[0]]) | uint64(t[b[1]])<<8 | uint64(t[b[2]])<<16 | uint64(t[b[3]])<<24 |
				uint64(t[b[4]])<<32 | uint64(t[b[5]])<<40 | uint64(t[b[6]])<<48 | uint64(t[b[7]])<<56
			ntok |= scanPack(c&scanOnes) << (8 * j)
			nval |= scanPack(c>>1&scanOnes) << (8 * j)
			ntgt |= scanPack(c>>2&scanOnes) << (8 * j)
		}
		m.ntok[i] = ntok
		m.nval[i] = nval
		m.ntgt[i] = ntgt
	}
}

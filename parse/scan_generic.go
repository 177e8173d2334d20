package parse

import "encoding/binary"

// The portable classifier is SWAR ("SIMD within a register"): it loads 8 bytes
// into a uint64 and computes, for each class, a flag word with bit 7 of each byte
// set where that byte is in the class, then gathers the 8 flag bits into 8 mask bits.
//
// Every byte class here is a union of ranges over the low 7 bits of a byte, with
// bytes >= 0x80 handled on their own. With u = x & lo7 (each byte 0x00-0x7F),
//
//	ge(n) = u + (0x80-n)*ones     // bit 7 of a byte is set iff that byte >= n
//
// and the sum never carries into the next byte (at most 0x7F + 0x7F), so every
// byte is exact, unlike the classic haszero/hasless tests whose borrows give false
// positives above a true one. ge(n) falls as n rises, so the bytes in [a, b) are
// ge(a) ^ ge(b), and a union of disjoint ranges is the XOR of all their ends:
// one add per boundary and one XOR to fold it in. Boundaries shared between
// classes (0x21 and 0x7F) are computed once.
//
// Measured on the amd64 dev machine (go test -bench Classify -count 5, medians):
// SWAR for all three classes against a 256-entry table per byte for tchar: see
// scan_bench_test.go.

const (
	lo7  = 0x7f7f7f7f7f7f7f7f // low 7 bits of each byte
	hi1  = 0x8080808080808080 // bit 7 of each byte
	ones = 0x0101010101010101 // 1 in each byte
)

// ge returns the SWAR add constant for "byte >= n" on 7-bit bytes, 1 <= n <= 0x80.
func ge(n uint64) uint64 { return (0x80 - n) * ones }

// gather packs bit 7 of each byte of f (other bits must be clear) into the low 8
// bits of the result, byte i to bit i. The multiply moves byte i's bit (8i after
// the shift) to bit 56+i; no two partial products share a bit, so nothing carries.
func gather(f uint64) uint64 {
	return ((f >> 7) * 0x0102040810204080) >> 56
}

// classifyGeneric is the portable classify: exact for all 256 byte values, no
// tables, no branches on data.
func classifyGeneric(m *masks, w *[windowSize]byte) {
	for i := 0; i < windowWords; i++ {
		var ntok, nval, ntgt uint64
		for j := 0; j < 8; j++ {
			x := binary.LittleEndian.Uint64(w[i*64+j*8:])
			tok, val, tgt := classify8(x)
			ntok |= gather(tok) << (8 * j)
			nval |= gather(val) << (8 * j)
			ntgt |= gather(tgt) << (8 * j)
		}
		m.ntok[i] = ntok
		m.nval[i] = nval
		m.ntgt[i] = ntgt
	}
}

// classify8 returns the flag words (bit 7 of each byte) for ntok, nval and ntgt of
// the 8 bytes in x.
func classify8(x uint64) (ntok, nval, ntgt uint64) {
	u := x & lo7

	// Shared ends: 0x21 (first VCHAR) and 0x7F (DEL).
	g21 := u + ge(0x21)
	g7f := u + ge(0x7f)

	// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
	//         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
	// as ranges: [21,22) [23,28) [2A,2C) [2D,2F) [30,3A) [41,5B) [5E,7B) [7C,7D) [7E,7F).
	tok := g21 ^ (u + ge(0x22)) ^
		(u + ge(0x23)) ^ (u + ge(0x28)) ^
		(u + ge(0x2a)) ^ (u + ge(0x2c)) ^
		(u + ge(0x2d)) ^ (u + ge(0x2f)) ^
		(u + ge(0x30)) ^ (u + ge(0x3a)) ^
		(u + ge(0x41)) ^ (u + ge(0x5b)) ^
		(u + ge(0x5e)) ^ (u + ge(0x7b)) ^
		(u + ge(0x7c)) ^ (u + ge(0x7d)) ^
		(u + ge(0x7e)) ^ g7f
	ntok = (^tok | x) & hi1

	// Bad in a value: [00,09) [0A,20) [7F,80); the first range is ^ge(9).
	// Bytes >= 0x80 (obs-text) are allowed.
	val := ^(u + ge(0x09)) ^ (u + ge(0x0a)) ^ (u + ge(0x20)) ^ g7f
	nval = val &^ x & hi1

	// Good in a target: [21,7F) with bit 7 clear.
	ntgt = (^(g21 ^ g7f) | x) & hi1
	return ntok, nval, ntgt
}

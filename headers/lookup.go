package headers

import "encoding/binary"

var le = binary.LittleEndian

// maxKnownLen is the length of the longest well-known name.
const maxKnownLen = len("proxy-authorization")

// words covers 24 bytes; this fails to compile if a longer name is added.
const _ = uint(24 - maxKnownLen)

// LookupID is a perfect hash over the well-known names, built so that the
// parser pays a few nanoseconds per header line rather than a map probe:
//
//  1. words loads the name as up to three little-endian words, using
//     overlapping loads for the tail so no byte loop is needed.
//  2. The first word, with 0x20 set in every byte so that case does not
//     matter, is mixed with the length and multiplied by hashMul; the top
//     hashBits bits pick a slot in slots, which holds one candidate id.
//  3. The name matches the candidate if the lengths agree and every word,
//     ORed with the candidate's fold mask, equals the candidate's lower-case
//     words. The fold mask has 0x20 only where the known name has a letter,
//     so 'A'|0x20 == 'a' folds case, while '-' must match exactly: ORing 0x20
//     into every byte would also fold CR (0x0D) into '-' (0x2D).
//
// BenchmarkLookupID (bench_test.go) measured it at 6-8 ns per name against
// 28-41 ns for lower-casing into a stack buffer and probing a map: best of
// 10 runs, -cpu 1, on a shared and loaded 2-vCPU Xeon, so about 5x.
const (
	hashBits = 6
	// hashMul makes the hash collision-free over the well-known names. It was
	// found by random search; TestPerfectHash finds a new one if names change.
	hashMul = 0xd5e340ddad987ad7
	// fold20 sets 0x20 in every byte of a word: ASCII letters become lower case.
	fold20 = 0x2020202020202020
)

// knownKey is one well-known name in the form the match in step 3 compares.
type knownKey struct {
	want [3]uint64 // lower-case name, as loaded by words
	fold [3]uint64 // 0x20 at letters, 0 elsewhere, as loaded by words
	n    int       // length of the name; 0 for Unknown, which so never matches
}

var (
	slots [1 << hashBits]ID // slot -> candidate id, Unknown if empty
	keys  [numIDs]knownKey
)

func init() {
	for id := ID(1); id < numIDs; id++ {
		name := canonical[id]
		mask := make([]byte, len(name))
		for i := range len(name) {
			if 'a' <= name[i] && name[i] <= 'z' {
				mask[i] = 0x20
			}
		}
		w0, w1, w2 := words([]byte(name))
		f0, f1, f2 := words(mask)
		keys[id] = knownKey{want: [3]uint64{w0, w1, w2}, fold: [3]uint64{f0, f1, f2}, n: len(name)}
		h := hashSlot(w0, len(name))
		if slots[h] != Unknown {
			// A broken invariant, not bad input: a name was added without a new hashMul.
			panic("headers: hashMul collides on " + name + "; run TestPerfectHash")
		}
		slots[h] = id
	}
}

// LookupID returns the id of a header name, compared case-insensitively,
// or Unknown. It does not allocate.
func LookupID(name []byte) ID {
	n := len(name)
	if n > maxKnownLen {
		return Unknown
	}
	w0, w1, w2 := words(name)
	id := slots[hashSlot(w0, n)]
	k := &keys[id]
	// Parenthesized in full: in Go, | and ^ share one precedence level.
	diff := ((w0 | k.fold[0]) ^ k.want[0]) | ((w1 | k.fold[1]) ^ k.want[1]) | ((w2 | k.fold[2]) ^ k.want[2])
	if n != k.n || diff != 0 {
		return Unknown
	}
	return id
}

// lookupString is LookupID for a string. It copies the name to the stack
// rather than sharing a generic body with LookupID: the generic version
// compiled to three nested calls through a dictionary, with the words
// returned through memory, on the path the parser takes per header line.
func lookupString(name string) ID {
	if len(name) > maxKnownLen {
		return Unknown
	}
	var buf [maxKnownLen]byte
	return LookupID(buf[:copy(buf[:], name)])
}

// hashSlot is step 2 of the lookup: the slot for a name of length n whose
// first word is w0.
func hashSlot(w0 uint64, n int) uint64 {
	return ((w0 | fold20) ^ uint64(n)) * hashMul >> (64 - hashBits)
}

// words loads b, which must be at most 24 bytes long, as three little-endian
// words. Every byte of b lands in some word at a position fixed by len(b)
// alone, so two slices of equal length are equal iff their words are.
func words(b []byte) (w0, w1, w2 uint64) {
	switch n := len(b); {
	case n > 16:
		return le.Uint64(b), le.Uint64(b[8:]), le.Uint64(b[n-8:])
	case n >= 8:
		return le.Uint64(b), le.Uint64(b[n-8:]), 0
	case n >= 4:
		return uint64(le.Uint32(b)) | uint64(le.Uint32(b[n-4:]))<<32, 0, 0
	case n >= 2:
		return uint64(le.Uint16(b)) | uint64(le.Uint16(b[n-2:]))<<16, 0, 0
	case n == 1:
		return uint64(b[0]), 0, 0
	}
	return 0, 0, 0
}

// toLower lower-cases an ASCII letter and returns other bytes unchanged.
func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// EqualFold reports whether a and b are equal under ASCII case folding.
// Header names are ASCII tokens; Unicode folding (strings.EqualFold) would
// wrongly equate the Kelvin sign with 'k'.
func EqualFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if x, y := a[i], b[i]; x != y && toLower(x) != toLower(y) {
			return false
		}
	}
	return true
}

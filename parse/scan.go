package parse

// The classifier is the vector half of the scanner (see the package doc and
// DESIGN.md): one pass over a 256-byte window turns bytes into bitmasks, and the
// scalar state machine then walks set bits with bits.TrailingZeros64 instead of
// testing bytes one by one.
//
// classify is defined per build:
//
//   - scan_amd64.go (amd64, gc, not purego): classifyAVX2 in scan_amd64.s when
//     the CPU has AVX2, chosen once at start-up in useAVX2, else classifyGeneric.
//   - scan_noasm.go (every other build, and -tags purego): classifyGeneric.
//
// classifyGeneric (scan_generic.go) is compiled in every build, so tests on amd64
// run both paths and compare them (scan_test.go, scan_fuzz_test.go).
//
// Dispatch costs one predictable branch per 256-byte window, never one per byte.
// Both paths need no alignment and read exactly windowSize bytes; a caller with a
// shorter tail copies it into a zeroed window first. NUL is in all three classes,
// so the padding stops every search for the next set bit.

// windowSize is the number of bytes classify looks at per call.
const windowSize = 256

// windowWords is the number of uint64 mask words per class for one window.
const windowWords = windowSize / 64

// masks holds one bit per byte of a window: bit (i%64) of word [i/64] describes byte i.
// A set bit marks a byte that is NOT allowed in the class, so a scan for the end of
// a run of good bytes is bits.TrailingZeros64 of the word.
type masks struct {
	// ntok marks bytes that are not an RFC 9110 §5.6.2 tchar:
	//
	//	tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
	//	        "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
	ntok [windowWords]uint64

	// nval marks bytes that may not appear in a field value (RFC 9110 §5.5) or a
	// reason phrase (RFC 9112 §4): a CTL other than HTAB (0x00-0x08, 0x0A-0x1F) or
	// DEL (0x7F). SP, HTAB, VCHAR and obs-text (0x80-0xFF) are allowed, so CR and
	// LF are set here and end a value.
	//
	//	field-vchar  = VCHAR / obs-text
	//	reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
	nval [windowWords]uint64

	// ntgt marks bytes that may not appear in a request-target (RFC 9112 §3.2,
	// RFC 3986): CTLs and SP (0x00-0x20), DEL (0x7F) and every byte >= 0x80,
	// and "%", which must start a pct-encoded octet that the scalar code checks.
	// SP is set, so the first set bit after the method's SP ends the target.
	ntgt [windowWords]uint64
}

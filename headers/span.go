package headers

// Span locates bytes inside a buffer held elsewhere: b[Off : Off+Len].
// The zero Span is empty.
type Span struct {
	Off, Len uint32
}

// In returns the bytes s refers to in b. It panics if s does not fit in b.
func (s Span) In(b []byte) []byte { return b[s.Off : s.Off+s.Len : s.Off+s.Len] }

// End returns the offset one past the last byte of s.
func (s Span) End() uint32 { return s.Off + s.Len }

// MakeSpan returns the span b[start:end].
func MakeSpan(start, end int) Span { return Span{Off: uint32(start), Len: uint32(end - start)} }

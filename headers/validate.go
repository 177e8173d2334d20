package headers

import (
	"errors"
	"unsafe"
)

//go:generate go run gen_tables.go

// Errors returned by ValidateName and ValidateValue. They carry no input
// bytes, so they are safe to log and cheap to return.
var (
	ErrInvalidName  = errors.New("headers: invalid header name")
	ErrInvalidValue = errors.New("headers: invalid header value")
)

// IsTokenByte reports whether c may appear in a token, such as a header name
// or a method (RFC 9110 §5.6.2 tchar).
func IsTokenByte(c byte) bool { return byteClass[c]&classToken != 0 }

// IsValueByte reports whether c may appear in a header field value: a
// visible ASCII byte, SP, HTAB or obs-text (0x80-0xFF). CR, LF, NUL, the
// other controls and DEL may not.
func IsValueByte(c byte) bool { return byteClass[c]&classValue != 0 }

// ValidateName returns ErrInvalidName unless name is a non-empty RFC 9110
// token, as Node's validateHeaderName requires of outgoing names.
//
//	field-name = token
//	token      = 1*tchar
func ValidateName[T string | []byte](name T) error {
	if len(name) == 0 {
		return ErrInvalidName
	}
	for i := range len(name) {
		if byteClass[name[i]]&classToken == 0 {
			return ErrInvalidName
		}
	}
	return nil
}

// ValidateValue returns ErrInvalidValue if value holds a byte that
// IsValueByte rejects. A CR or LF in a value would let its author inject
// header lines or a whole response, so outgoing values must pass this.
//
// It accepts what Node's validateHeaderValue accepts, which is looser than
// RFC 9110's field-value grammar: the empty value and leading or trailing
// whitespace pass. Node checks UTF-16 code units and so also rejects code
// points above U+00FF; bytes cannot tell, and UTF-8 passes here.
func ValidateValue[T string | []byte](value T) error {
	// A string header is the first two words of a slice header, so this
	// views either T as a string without copying.
	v := *(*string)(unsafe.Pointer(&value))
	// Eight bytes at a time while no byte is a control or DEL: responses
	// validate every outgoing value, and most hold neither. A word that does
	// (a HTAB, which is allowed, or a real error) goes to the byte loop.
	i := 0
	if len(v) >= 8 {
		b := unsafe.Slice(unsafe.StringData(v), len(v))
		for ; i+8 <= len(b); i += 8 {
			if hasControlOrDEL(le.Uint64(b[i:])) {
				break
			}
		}
		if i < len(b) && i+8 > len(b) && !hasControlOrDEL(le.Uint64(b[len(b)-8:])) {
			i = len(b) // the tail, as one overlapping word
		}
	}
	for ; i < len(v); i++ {
		if byteClass[v[i]]&classValue == 0 {
			return ErrInvalidValue
		}
	}
	return nil
}

// hasControlOrDEL reports whether a byte of w is below 0x20 or is 0x7F. The
// subtraction borrows into bit 7 of a byte below the constant; "&^ w" drops
// bytes that had bit 7 set (obs-text), which cannot be controls. A borrow can
// only mark bytes above one that really matched, so the answer is exact.
func hasControlOrDEL(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	del := w ^ 0x7f*ones
	return ((w-0x20*ones)&^w|(del-ones)&^del)&highs != 0
}

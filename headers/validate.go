package headers

import "errors"

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
	for i := range len(value) {
		if byteClass[value[i]]&classValue == 0 {
			return ErrInvalidValue
		}
	}
	return nil
}

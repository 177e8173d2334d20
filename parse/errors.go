package parse

// Code is a parse error. It is a small integer so that returning it as an
// error does not allocate. Codes are stable: new ones are only appended.
type Code uint8

// Parse errors, in the spirit of llhttp's HPE_* codes.
const (
	ErrNone                        Code = iota // not an error; never returned
	ErrInvalidMethod                           // method is not a token, or not followed by SP
	ErrInvalidTarget                           // request-target has a forbidden byte, a bad "%" escape, or the wrong form for the method
	ErrTargetTooLong                           // request-target longer than Config.MaxTargetLen
	ErrInvalidVersion                          // HTTP-version is not HTTP/DIGIT.DIGIT
	ErrVersionNotSupported                     // HTTP-version major is not 1
	ErrInvalidStatus                           // status-code is not three digits
	ErrInvalidHeaderName                       // field name is empty, not a token, or has whitespace before ':'
	ErrInvalidHeaderValue                      // field value has a control byte
	ErrObsFold                                 // a field line starts with SP or HTAB (RFC 9112 §5.2)
	ErrBareCR                                  // CR not followed by LF
	ErrBareLF                                  // LF not preceded by CR (strict mode)
	ErrHeadTooLarge                            // head longer than Config.MaxHeadBytes
	ErrTooManyHeaders                          // more fields than Config.MaxHeaders
	ErrInvalidContentLength                    // Content-Length is not 1*DIGIT or overflows
	ErrDuplicateContentLength                  // Content-Length given more than once
	ErrTransferEncodingWithCL                  // Transfer-Encoding and Content-Length together
	ErrInvalidTransferEncoding                 // malformed, chunked twice, or not final in a request
	ErrUnsupportedTransferEncoding             // a coding other than chunked (server answers 501)
	ErrTransferEncodingHTTP10                  // Transfer-Encoding in an HTTP/1.0 message
	ErrMissingHost                             // HTTP/1.1 request without Host
	ErrDuplicateHost                           // more than one Host field
	ErrInvalidHost                             // Host value is not uri-host [ ":" port ] (RFC 9110 §7.2)
	ErrInvalidChunkSize                        // chunk-size is not HEXDIG or is missing
	ErrChunkSizeOverflow                       // chunk-size does not fit in 63 bits
	ErrInvalidChunkExtension                   // chunk-ext has a forbidden byte or is too long
	ErrInvalidChunkData                        // chunk-data not followed by CRLF
	ErrTrailersTooLarge                        // trailer section longer than Config.MaxHeadBytes
	ErrUnexpectedEOF                           // the connection closed inside a message
	numCodes
)

var codeInfo = [numCodes]struct {
	name, msg string
	status    uint16
}{
	ErrNone:                        {"OK", "no error", 200},
	ErrInvalidMethod:               {"INVALID_METHOD", "invalid method", 400},
	ErrInvalidTarget:               {"INVALID_TARGET", "invalid request target", 400},
	ErrTargetTooLong:               {"TARGET_TOO_LONG", "request target too long", 414},
	ErrInvalidVersion:              {"INVALID_VERSION", "invalid HTTP version", 400},
	ErrVersionNotSupported:         {"VERSION_NOT_SUPPORTED", "HTTP version not supported", 505},
	ErrInvalidStatus:               {"INVALID_STATUS", "invalid status code", 400},
	ErrInvalidHeaderName:           {"INVALID_HEADER_TOKEN", "invalid header field name", 400},
	ErrInvalidHeaderValue:          {"INVALID_HEADER_VALUE", "invalid header field value", 400},
	ErrObsFold:                     {"OBS_FOLD", "obsolete line folding", 400},
	ErrBareCR:                      {"CR_EXPECTED_LF", "CR not followed by LF", 400},
	ErrBareLF:                      {"LF_EXPECTED_CR", "LF not preceded by CR", 400},
	ErrHeadTooLarge:                {"HEADER_OVERFLOW", "message head too large", 431},
	ErrTooManyHeaders:              {"TOO_MANY_HEADERS", "too many header fields", 431},
	ErrInvalidContentLength:        {"INVALID_CONTENT_LENGTH", "invalid Content-Length", 400},
	ErrDuplicateContentLength:      {"UNEXPECTED_CONTENT_LENGTH", "duplicate Content-Length", 400},
	ErrTransferEncodingWithCL:      {"TE_WITH_CONTENT_LENGTH", "Transfer-Encoding with Content-Length", 400},
	ErrInvalidTransferEncoding:     {"INVALID_TRANSFER_ENCODING", "invalid Transfer-Encoding", 400},
	ErrUnsupportedTransferEncoding: {"UNSUPPORTED_TRANSFER_ENCODING", "unsupported Transfer-Encoding", 501},
	ErrTransferEncodingHTTP10:      {"TE_IN_HTTP10", "Transfer-Encoding in HTTP/1.0", 400},
	ErrMissingHost:                 {"MISSING_HOST", "missing Host", 400},
	ErrDuplicateHost:               {"DUPLICATE_HOST", "duplicate Host", 400},
	ErrInvalidHost:                 {"INVALID_HOST", "invalid Host", 400},
	ErrInvalidChunkSize:            {"INVALID_CHUNK_SIZE", "invalid chunk size", 400},
	ErrChunkSizeOverflow:           {"CHUNK_SIZE_OVERFLOW", "chunk size overflow", 400},
	ErrInvalidChunkExtension:       {"INVALID_CHUNK_EXTENSION", "invalid chunk extension", 400},
	ErrInvalidChunkData:            {"INVALID_CHUNK_DATA", "chunk data not followed by CRLF", 400},
	ErrTrailersTooLarge:            {"TRAILERS_OVERFLOW", "trailer section too large", 431},
	ErrUnexpectedEOF:               {"UNEXPECTED_EOF", "connection closed inside a message", 400},
}

// Error returns the code's message, prefixed with the package name.
func (c Code) Error() string {
	if c >= numCodes {
		return "parse: unknown error"
	}
	return "parse: " + codeInfo[c].msg
}

// Name returns the code's stable identifier, such as "INVALID_CONTENT_LENGTH".
func (c Code) Name() string {
	if c >= numCodes {
		return "UNKNOWN"
	}
	return codeInfo[c].name
}

// Status returns the HTTP status a server should answer a request that failed
// with c: 400, 414, 431, 501 or 505.
func (c Code) Status() int {
	if c >= numCodes {
		return 400
	}
	return int(codeInfo[c].status)
}

// Error is a Code with the byte offset where it was detected. It is built only
// on the cold path, by callers that want both in one value (see Parser.Err).
type Error struct {
	Code   Code
	Offset int
}

func (e *Error) Error() string { return e.Code.Error() }

// Is reports whether target is e's Code, so errors.Is(err, parse.ErrBareLF) works.
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	return ok && c == e.Code
}

// Unwrap returns e's Code.
func (e *Error) Unwrap() error { return e.Code }

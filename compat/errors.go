package compat

import "github.com/zerohttp/zerohttp/headers"

// Error is a compat error carrying the code Node gives the same failure
// (err.code in Node), such as "ERR_HTTP_HEADERS_SENT". The package's errors
// are the sentinels below; match them with errors.Is. They carry no input
// bytes, so they are safe to log.
type Error struct {
	Code    string // Node's error code
	Message string
}

func (e *Error) Error() string { return "compat: " + e.Code + ": " + e.Message }

// Errors, named after Node's error codes.
var (
	// ErrHeadersSent is ERR_HTTP_HEADERS_SENT: a header change after the head was written.
	ErrHeadersSent = &Error{"ERR_HTTP_HEADERS_SENT", "cannot set headers after they are sent to the client"}
	// ErrWriteAfterEnd is ERR_STREAM_WRITE_AFTER_END: a write after End.
	ErrWriteAfterEnd = &Error{"ERR_STREAM_WRITE_AFTER_END", "write after end"}
	// ErrInvalidHTTPToken is ERR_INVALID_HTTP_TOKEN: a header name (or method) that is not a token.
	ErrInvalidHTTPToken = &Error{"ERR_INVALID_HTTP_TOKEN", "header name must be a valid HTTP token"}
	// ErrInvalidChar is ERR_INVALID_CHAR: a header value with a forbidden byte (CR, LF, NUL, ...).
	ErrInvalidChar = &Error{"ERR_INVALID_CHAR", "invalid character in header content"}
	// ErrInvalidStatusCode is ERR_HTTP_INVALID_STATUS_CODE: a status outside 100..999.
	ErrInvalidStatusCode = &Error{"ERR_HTTP_INVALID_STATUS_CODE", "invalid status code"}
	// ErrTrailerInvalid is ERR_HTTP_TRAILER_INVALID: trailers on a response that is not chunked.
	ErrTrailerInvalid = &Error{"ERR_HTTP_TRAILER_INVALID", "trailers are invalid with this transfer encoding"}
	// ErrServerNotRunning is ERR_SERVER_NOT_RUNNING: Close on a server that is not listening.
	ErrServerNotRunning = &Error{"ERR_SERVER_NOT_RUNNING", "server is not running"}
	// ErrServerAlreadyListen is ERR_SERVER_ALREADY_LISTEN: Listen called twice.
	ErrServerAlreadyListen = &Error{"ERR_SERVER_ALREADY_LISTEN", "listen method has been called more than once"}
	// ErrInvalidURL is ERR_INVALID_URL: a request URL that cannot be parsed.
	ErrInvalidURL = &Error{"ERR_INVALID_URL", "invalid URL"}
	// ErrInvalidProtocol is ERR_INVALID_PROTOCOL: a request URL that is not http:.
	ErrInvalidProtocol = &Error{"ERR_INVALID_PROTOCOL", "protocol not supported; expected \"http:\""}
	// ErrSocketHangUp is ECONNRESET "socket hang up": the connection closed before a response.
	ErrSocketHangUp = &Error{"ECONNRESET", "socket hang up"}
	// ErrRequestAborted is the ECONNRESET "aborted" error of a request whose
	// client went away before it was read to the end.
	ErrRequestAborted = &Error{"ECONNRESET", "aborted"}
	// ErrAborted is ABORT_ERR: the request was destroyed before its response.
	ErrAborted = &Error{"ABORT_ERR", "the operation was aborted"}
)

// ValidateHeaderName is Node's http.validateHeaderName: it returns
// ErrInvalidHTTPToken unless name is a non-empty RFC 9110 token.
func ValidateHeaderName(name string) error {
	if headers.ValidateName(name) != nil {
		return ErrInvalidHTTPToken
	}
	return nil
}

// ValidateHeaderValue is Node's http.validateHeaderValue: it returns
// ErrInvalidChar if value holds a byte Node rejects (controls other than
// horizontal tab, and DEL). Node also rejects code points above U+00FF,
// which bytes cannot tell; UTF-8 passes here.
func ValidateHeaderValue(value string) error {
	if headers.ValidateValue(value) != nil {
		return ErrInvalidChar
	}
	return nil
}

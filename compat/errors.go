package compat

import (
	"strconv"

	"github.com/zerohttp/zerohttp/headers"
)

// Error is a compat error carrying the code Node gives the same failure
// (err.code in Node), such as "ERR_HTTP_HEADERS_SENT". The package's errors
// are the sentinels below; match them with errors.Is. Only a parse error's
// RawPacket carries input bytes: the rest is safe to log.
type Error struct {
	Code    string // Node's error code
	Message string // Node's message, such as "Invalid status code: 99"
	// Syscall, Errno, Address and Port are set on a system error, as
	// Node sets them: "connect", -111, "127.0.0.1", 80 for ECONNREFUSED.
	Syscall string
	Errno   int
	Address string
	Port    int
	// Hostname is the name that did not resolve, on ErrLookup's instances.
	Hostname string
	// BytesParsed and RawPacket are set on a parse error (ErrParse, err.code
	// HPE_*), as Node sets them: where in RawPacket, the bytes received,
	// the parser stopped.
	BytesParsed int
	RawPacket   []byte

	kind *Error // the sentinel this error is an instance of; nil for a sentinel
}

func (e *Error) Error() string { return "compat: " + e.Code + ": " + e.Message }

// Is reports whether target is e or the sentinel e is an instance of.
func (e *Error) Is(target error) bool { return target == e || e.kind != nil && target == e.kind }

// instance returns an error of kind with its own message, which names
// the value at fault as Node's does.
func instance(kind *Error, message string) *Error {
	return &Error{Code: kind.Code, Message: message, kind: kind}
}

// invalidStatusCode is Node's ERR_HTTP_INVALID_STATUS_CODE for code.
func invalidStatusCode(code int) error {
	return instance(ErrInvalidStatusCode, "Invalid status code: "+strconv.Itoa(code))
}

// Node's ERR_HTTP_HEADERS_SENT for each call that changes the head.
var (
	errHeadersSentRemove = instance(ErrHeadersSent, "Cannot remove headers after they are sent to the client")
	errHeadersSentAppend = instance(ErrHeadersSent, "Cannot append headers after they are sent to the client")
	errHeadersSentWrite  = instance(ErrHeadersSent, "Cannot write headers after they are sent to the client")
)

// errInvalidStatusMessage is Node's ERR_INVALID_CHAR for a reason phrase.
var errInvalidStatusMessage = instance(ErrInvalidChar, "Invalid character in statusMessage")

// Errors, named after Node's error codes.
var (
	// ErrHeadersSent is ERR_HTTP_HEADERS_SENT: a header change after the head was written.
	// Its instances name the call as Node does: "Cannot remove headers ...".
	ErrHeadersSent = &Error{Code: "ERR_HTTP_HEADERS_SENT", Message: "Cannot set headers after they are sent to the client"}
	// ErrStreamAlreadyFinished is ERR_STREAM_ALREADY_FINISHED: End with a
	// callback after 'finish'.
	ErrStreamAlreadyFinished = &Error{Code: "ERR_STREAM_ALREADY_FINISHED", Message: "Cannot call end after a stream was finished"}
	// ErrStreamDestroyed is ERR_STREAM_DESTROYED: a write queued for a
	// response whose connection has closed.
	ErrStreamDestroyed = &Error{Code: "ERR_STREAM_DESTROYED", Message: "Cannot call write after a stream was destroyed"}
	// ErrBodyNotAllowed is ERR_HTTP_BODY_NOT_ALLOWED: a client request's
	// Write with data after its head went out saying it has no body (a
	// GET's flushed head, which has no framing field).
	ErrBodyNotAllowed = &Error{Code: "ERR_HTTP_BODY_NOT_ALLOWED", Message: "Adding content for this request method or response status is not allowed."}
	// ErrWriteAfterEnd is ERR_STREAM_WRITE_AFTER_END: a write after End.
	ErrWriteAfterEnd = &Error{Code: "ERR_STREAM_WRITE_AFTER_END", Message: "write after end"}
	// ErrInvalidHTTPToken is ERR_INVALID_HTTP_TOKEN: a header name (or method) that is not a token.
	ErrInvalidHTTPToken = &Error{Code: "ERR_INVALID_HTTP_TOKEN", Message: "header name must be a valid HTTP token"}
	// ErrInvalidChar is ERR_INVALID_CHAR: a header value with a forbidden byte (CR, LF, NUL, ...).
	ErrInvalidChar = &Error{Code: "ERR_INVALID_CHAR", Message: "invalid character in header content"}
	// ErrInvalidStatusCode is ERR_HTTP_INVALID_STATUS_CODE: a status outside 100..999.
	ErrInvalidStatusCode = &Error{Code: "ERR_HTTP_INVALID_STATUS_CODE", Message: "invalid status code"}
	// ErrTrailerInvalid is ERR_HTTP_TRAILER_INVALID: trailers on a response that is not chunked.
	ErrTrailerInvalid = &Error{Code: "ERR_HTTP_TRAILER_INVALID", Message: "trailers are invalid with this transfer encoding"}
	// ErrServerNotRunning is ERR_SERVER_NOT_RUNNING: Close on a server that is not listening.
	ErrServerNotRunning = &Error{Code: "ERR_SERVER_NOT_RUNNING", Message: "Server is not running."}
	// ErrServerAlreadyListen is ERR_SERVER_ALREADY_LISTEN: Listen called twice.
	ErrServerAlreadyListen = &Error{Code: "ERR_SERVER_ALREADY_LISTEN", Message: "listen method has been called more than once"}
	// ErrInvalidURL is ERR_INVALID_URL: a request URL that cannot be parsed.
	ErrInvalidURL = &Error{Code: "ERR_INVALID_URL", Message: "invalid URL"}
	// ErrInvalidProtocol is ERR_INVALID_PROTOCOL: a request URL that is not http:.
	ErrInvalidProtocol = &Error{Code: "ERR_INVALID_PROTOCOL", Message: "protocol not supported; expected \"http:\""}
	// ErrSocketBadPort is ERR_SOCKET_BAD_PORT: a port outside 0..65535.
	ErrSocketBadPort = &Error{Code: "ERR_SOCKET_BAD_PORT", Message: "Port should be >= 0 and < 65536."}
	// ErrUnescapedCharacters is ERR_UNESCAPED_CHARACTERS: a request path
	// with a space or control byte.
	ErrUnescapedCharacters = &Error{Code: "ERR_UNESCAPED_CHARACTERS", Message: "Request path contains unescaped characters"}
	// ErrSocketHangUp is ECONNRESET "socket hang up": the connection closed before a response.
	ErrSocketHangUp = &Error{Code: "ECONNRESET", Message: "socket hang up"}
	// ErrConnRefused is ECONNREFUSED: the server refused the connection.
	// Its instances carry Node's message and fields ("connect
	// ECONNREFUSED 127.0.0.1:80", syscall "connect", errno -111).
	ErrConnRefused = &Error{Code: "ECONNREFUSED", Message: "connect ECONNREFUSED"}
	// ErrConnect is a connection that could not be made for another reason
	// Node names by its errno: its instances carry that name as Code
	// (ENOENT for a unix socket path with nothing at it, EACCES,
	// ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL), Node's message
	// ("connect ENOENT /run/app.sock") and fields.
	ErrConnect = &Error{Code: "ECONNECT", Message: "connect failed"}
	// ErrLookup is a host name that could not be resolved: its instances
	// carry Node's getaddrinfo code (ENOTFOUND, errno -3008, for a name
	// that does not exist; EAI_AGAIN, -3001, when the resolver did not
	// answer), message ("getaddrinfo ENOTFOUND nosuch.invalid"), syscall
	// "getaddrinfo" and Hostname.
	ErrLookup = &Error{Code: "ENOTFOUND", Message: "getaddrinfo ENOTFOUND"}
	// ErrRequestAborted is the ECONNRESET "aborted" error of a request whose
	// client went away before it was read to the end.
	ErrRequestAborted = &Error{Code: "ECONNRESET", Message: "aborted"}
	// ErrHTTPRequestTimeout is ERR_HTTP_REQUEST_TIMEOUT: a request's head or
	// whole exchange outlived HeadersTimeout or RequestTimeout.
	ErrHTTPRequestTimeout = &Error{Code: "ERR_HTTP_REQUEST_TIMEOUT", Message: "Request timeout"}
	// ErrAborted is ABORT_ERR: the request was destroyed before its response.
	ErrAborted = &Error{Code: "ABORT_ERR", Message: "the operation was aborted"}
)

// ValidateHeaderName is Node's http.validateHeaderName: it returns an
// ErrInvalidHTTPToken with Node's message, `Header name must be a valid
// HTTP token ["bad name"]`, unless name is a non-empty RFC 9110 token.
func ValidateHeaderName(name string) error {
	if headers.ValidateName(name) != nil {
		return instance(ErrInvalidHTTPToken, `Header name must be a valid HTTP token ["`+name+`"]`)
	}
	return nil
}

// invalidChar is Node's ERR_INVALID_CHAR for a value of the field name.
func invalidChar(name string) error {
	return instance(ErrInvalidChar, `Invalid character in header content ["`+name+`"]`)
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

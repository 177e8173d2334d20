package engine

import (
	"strconv"

	"github.com/zerohttp/zerohttp/headers"
)

// Serialization helpers shared by the server and the client halves: every
// function appends to dst and returns it, and none allocates once dst has
// grown to its working size.

// statusText holds the reason phrases the engine knows, indexed by code.
var statusText = [...]string{
	100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
	200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
	204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
	208: "Already Reported", 226: "IM Used",
	300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
	304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
	400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
	404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
	407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict",
	410: "Gone", 411: "Length Required", 412: "Precondition Failed",
	413: "Payload Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
	416: "Range Not Satisfiable", 417: "Expectation Failed", 418: "I'm a Teapot",
	421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked",
	424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required",
	428: "Precondition Required", 429: "Too Many Requests",
	431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
	500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
	503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
	506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
	509: "Bandwidth Limit Exceeded", 510: "Not Extended", 511: "Network Authentication Required",
}

// StatusText returns the reason phrase for code, or "" if the engine knows none.
func StatusText(code int) string {
	if code < 0 || code >= len(statusText) {
		return ""
	}
	return statusText[code]
}

// statusLines holds "HTTP/1.1 NNN Reason\r\n" for every code in 100..599,
// built once so that a response's first line is one append.
var statusLines = func() (t [600]string) {
	for code := 100; code < len(t); code++ {
		t[code] = "HTTP/1.1 " + strconv.Itoa(code) + " " + StatusText(code) + "\r\n"
	}
	return t
}()

// appendStatusLine appends an HTTP/1.1 status-line (RFC 9112 §4) for code,
// which must be in 100..999.
func appendStatusLine(dst []byte, code int) []byte {
	if code >= 100 && code < len(statusLines) {
		return append(dst, statusLines[code]...)
	}
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	return append(dst, " \r\n"...)
}

// appendCustomStatusLine appends a status-line with the given reason phrase,
// which the caller has checked for control bytes.
func appendCustomStatusLine(dst []byte, code int, reason string) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	dst = append(dst, ' ')
	dst = append(dst, reason...)
	return append(dst, "\r\n"...)
}

// bodyAllowed reports whether a response with this status may carry a body
// (RFC 9110 §6.4.1: never 1xx, 204 or 304).
func bodyAllowed(code int) bool {
	return code >= 200 && code != 204 && code != 304
}

// appendContentLength appends a Content-Length field line.
func appendContentLength(dst []byte, n int64) []byte {
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, "\r\n"...)
}

// appendChunkSize appends a chunk-size line (RFC 9112 §7.1) for n bytes of chunk-data.
func appendChunkSize(dst []byte, n int) []byte {
	dst = strconv.AppendUint(dst, uint64(n), 16)
	return append(dst, "\r\n"...)
}

// appendChunk appends p as one chunk; an empty p appends nothing, since an
// empty chunk would end the body.
func appendChunk(dst, p []byte) []byte {
	if len(p) == 0 {
		return dst
	}
	dst = appendChunkSize(dst, len(p))
	dst = append(dst, p...)
	return append(dst, "\r\n"...)
}

// appendLastChunk appends the last-chunk, the trailer fields of t (may be nil)
// and the final CRLF.
func appendLastChunk(dst []byte, t *headers.Table) []byte {
	dst = append(dst, "0\r\n"...)
	if t != nil {
		dst = appendFields(dst, t, true)
	}
	return append(dst, "\r\n"...)
}

// appendFields appends the valid fields of t as field lines. Unless all is
// set it skips the framing fields the engine writes itself (Content-Length,
// Transfer-Encoding, Connection). It always skips a field whose name is not
// a token or whose value holds CR, LF or NUL: those would let a value forge
// fields or whole responses.
func appendFields(dst []byte, t *headers.Table, all bool) []byte {
	for i := 0; i < t.Len(); i++ {
		id := t.Field(i).ID
		if !all {
			switch id {
			case headers.ContentLength, headers.TransferEncoding, headers.Connection:
				continue
			}
		}
		name, value := t.Name(i), t.Value(i)
		// A name with an id equals a well-known name, which is a token.
		if (id == headers.Unknown && headers.ValidateName(name) != nil) || headers.ValidateValue(value) != nil {
			continue
		}
		dst = t.AppendLine(dst, i)
	}
	return dst
}

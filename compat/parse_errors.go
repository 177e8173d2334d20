package compat

import (
	"errors"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/parse"
)

// ErrParse is the kind of every error Node's HTTP parser (llhttp) reports:
// an instance carries llhttp's code, such as HPE_HEADER_OVERFLOW, and its
// message, such as "Parse Error: Header overflow"; errors.Is(err, ErrParse)
// matches any of them.
var ErrParse = &Error{Code: "HPE", Message: "Parse Error"}

// hpeErrors maps each parse code to the error llhttp gives for the same
// fault, built once: a malformed response costs no allocation for it.
// Where llhttp words one code several ways, the message is the one it
// uses for a response.
var hpeErrors = func() [256]*Error {
	var t [256]*Error
	for _, e := range []struct {
		code      parse.Code
		name, msg string
	}{
		{parse.ErrInvalidMethod, "HPE_INVALID_METHOD", "Invalid method encountered"},
		{parse.ErrInvalidTarget, "HPE_INVALID_URL", "Invalid URL"},
		{parse.ErrTargetTooLong, "HPE_HEADER_OVERFLOW", "Header overflow"},
		{parse.ErrInvalidVersion, "HPE_INVALID_CONSTANT", "Expected HTTP/, RTSP/ or ICE/"},
		{parse.ErrVersionNotSupported, "HPE_INVALID_VERSION", "Invalid major version"},
		{parse.ErrInvalidStatus, "HPE_INVALID_STATUS", "Invalid status code"},
		{parse.ErrInvalidHeaderName, "HPE_INVALID_HEADER_TOKEN", "Invalid header token"},
		{parse.ErrInvalidHeaderValue, "HPE_INVALID_HEADER_TOKEN", "Invalid header value char"},
		{parse.ErrObsFold, "HPE_INVALID_HEADER_TOKEN", "Unexpected whitespace after header value"},
		{parse.ErrBareCR, "HPE_LF_EXPECTED", "Missing expected LF after header value"},
		{parse.ErrBareLF, "HPE_CR_EXPECTED", "Missing expected CR after response line"},
		{parse.ErrHeadTooLarge, "HPE_HEADER_OVERFLOW", "Header overflow"},
		{parse.ErrTooManyHeaders, "HPE_HEADER_OVERFLOW", "Header overflow"},
		{parse.ErrInvalidContentLength, "HPE_INVALID_CONTENT_LENGTH", "Invalid character in Content-Length"},
		{parse.ErrDuplicateContentLength, "HPE_UNEXPECTED_CONTENT_LENGTH", "Duplicate Content-Length"},
		{parse.ErrTransferEncodingWithCL, "HPE_INVALID_TRANSFER_ENCODING", "Transfer-Encoding can't be present with Content-Length"},
		{parse.ErrInvalidTransferEncoding, "HPE_INVALID_TRANSFER_ENCODING", "Invalid `Transfer-Encoding` header value"},
		{parse.ErrUnsupportedTransferEncoding, "HPE_INVALID_TRANSFER_ENCODING", "Invalid `Transfer-Encoding` header value"},
		{parse.ErrTransferEncodingHTTP10, "HPE_INVALID_TRANSFER_ENCODING", "Invalid `Transfer-Encoding` header value"},
		{parse.ErrMissingHost, "HPE_INVALID_HEADER_TOKEN", "Invalid header value char"},
		{parse.ErrDuplicateHost, "HPE_INVALID_HEADER_TOKEN", "Invalid header value char"},
		{parse.ErrInvalidHost, "HPE_INVALID_HEADER_TOKEN", "Invalid header value char"},
		{parse.ErrInvalidChunkSize, "HPE_INVALID_CHUNK_SIZE", "Invalid character in chunk size"},
		{parse.ErrChunkSizeOverflow, "HPE_INVALID_CHUNK_SIZE", "Chunk size overflow"},
		{parse.ErrInvalidChunkExtension, "HPE_STRICT", "Invalid character in chunk extensions name"},
		{parse.ErrInvalidChunkData, "HPE_STRICT", "Expected LF after chunk data"},
		{parse.ErrTrailersTooLarge, "HPE_HEADER_OVERFLOW", "Header overflow"},
		{parse.ErrUnexpectedEOF, "HPE_INVALID_EOF_STATE", "Invalid EOF state"},
	} {
		t[e.code] = &Error{Code: e.name, Message: "Parse Error: " + e.msg, kind: ErrParse}
	}
	return t
}()

// hpeError returns Node's parser error for err if err is a response the
// engine could not parse, and nil otherwise.
func hpeError(err error) error {
	var me *engine.MalformedResponseError
	if !errors.As(err, &me) {
		return nil
	}
	var code parse.Code
	if errors.As(me.Err, &code) {
		if e := hpeErrors[code]; e != nil {
			return e
		}
	}
	return instance(ErrParse, "Parse Error: "+me.Err.Error())
}

// hpeRequest is, where llhttp words a request's fault apart from a
// response's, the error Node's server gives for a request (checked with
// node v20: TestServerClientErrorMatchesNode).
var hpeRequest = map[parse.Code]struct{ name, msg string }{
	parse.ErrInvalidTarget:               {"HPE_INVALID_URL", "Invalid char in url path"},
	parse.ErrInvalidVersion:              {"HPE_INVALID_VERSION", "Invalid HTTP version"},
	parse.ErrVersionNotSupported:         {"HPE_INVALID_VERSION", "Invalid HTTP version"},
	parse.ErrBareLF:                      {"HPE_CR_EXPECTED", "Missing expected CR after header value"},
	parse.ErrTransferEncodingWithCL:      {"HPE_INVALID_CONTENT_LENGTH", "Content-Length can't be present with Transfer-Encoding"},
	parse.ErrUnsupportedTransferEncoding: {"HPE_INVALID_TRANSFER_ENCODING", "Request has invalid `Transfer-Encoding`"},
}

// requestParseError returns Node's parser error for a request refused with
// code, found at offset in packet (copied), as 'clientError' gets it.
func requestParseError(code parse.Code, packet []byte, offset int) *Error {
	e := &Error{Code: "HPE_INTERNAL", Message: "Parse Error: " + code.Error(), kind: ErrParse}
	if h, ok := hpeRequest[code]; ok {
		e.Code, e.Message = h.name, "Parse Error: "+h.msg
	} else if t := hpeErrors[code]; t != nil {
		e.Code, e.Message = t.Code, t.Message
	}
	e.BytesParsed, e.RawPacket = offset, append([]byte(nil), packet...)
	return e
}

// clientError returns the error Node's 'clientError' gets for a request the
// engine refused with err (see engine.Options.ErrorReply), and the
// connection's addresses when known; nil when Node has no such event for
// it (a missing Host is answered by Node's server, not its parser).
func clientError(err error) (*Error, SocketInfo) {
	var r *engine.RefusedRequest
	switch {
	case errors.As(err, &r):
		if r.Code == parse.ErrMissingHost {
			return nil, SocketInfo{}
		}
		var info SocketInfo
		if r.Remote != nil {
			info = socketInfo(r.Remote, r.Local)
		}
		return requestParseError(r.Code, r.Packet, r.Offset), info
	case errors.Is(err, engine.ErrRequestTimeout):
		var info SocketInfo
		if to, ok := err.(*engine.TimedOut); ok && to.Remote != nil {
			info = socketInfo(to.Remote, to.Local)
		}
		return ErrHTTPRequestTimeout, info
	}
	return nil, SocketInfo{}
}

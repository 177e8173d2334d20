// Package parse is a strict, incremental HTTP/1.x message parser: request and
// response heads, and the body decoders that their framing calls for
// (Content-Length, chunked with extensions and trailers, read-until-close).
//
// It is a pure state machine over []byte: no I/O, no goroutines, no allocation.
// Results are spans (offset and length) into the caller's buffer, never copies.
//
// # Incremental parsing
//
// Parser.Parse takes every byte of the message received so far, starting at its
// first byte. When the head is incomplete it returns (0, nil); the caller reads
// more, appends it, and calls Parse again with the longer slice. The parser keeps
// its resume point and never rescans bytes it has already checked. Spans stay
// valid as long as the bytes at those offsets are unchanged, so a caller that
// moves the bytes to a new buffer must keep the same offsets.
//
// # Strictness
//
// By default the parser rejects everything RFC 9110 and RFC 9112 say a
// recipient must reject, and everything known to enable request smuggling:
// invalid token bytes, whitespace before a field's colon, control bytes in
// values, obs-fold in requests, Transfer-Encoding with Content-Length, a request whose
// last transfer coding is not chunked, duplicate or malformed Content-Length,
// chunk sizes that overflow, bad chunk framing, malformed versions, and a
// missing or repeated Host in HTTP/1.1 requests.
//
// A request-target must have the form its method calls for (RFC 9112 §3.2):
// authority-form (host and port) for CONNECT and only for it, "*" only for
// OPTIONS, origin-form or absolute-form for the rest; an http(s) absolute-form
// needs a host and may not carry userinfo. Its bytes are visible ASCII and a
// "%" must start a pct-encoded octet; paths and queries may hold any visible
// ASCII byte, as browsers send "|", "^" and braces unencoded. A Host value
// must be uri-host [ ":" port ] (RFC 9110 §7.2, RFC 3986 §3.2.2): a reg-name,
// IPv4 address or bracketed IPv6/IPvFuture literal, and a port of digits.
// Each refusal is ErrInvalidTarget or ErrInvalidHost (400).
//
// Chunk extensions are ignored but must parse (RFC 9112 §7.1.1): ";" then a
// token name and an optional "=" with a token or quoted-string value, BWS
// around ";" and "="; else ErrInvalidChunkExtension (400).
//
// Obs-fold (a field line continued on a line that starts with SP or HTAB) is
// refused in a request (ErrObsFold, 400), as RFC 9112 §5.2 allows a server.
// In a response's head, where a user agent MUST unfold, Parse replaces each
// obs-fold's line end with SP in b itself, so that the value's span holds the
// continuation: "X: a\r\n b" reads as "a   b". The parser writes to its
// input there only, and in a chunked response's trailer section, unfolded
// the same way (Body.InitResponse); a request's trailers refuse obs-fold.
//
// Bare LF: a line ending of LF without CR is rejected (ErrBareLF) everywhere in
// strict mode: in the start line, in field lines, in chunk framing and in
// trailers. RFC 9112 §2.2 lets a recipient accept it, but proxies that disagree
// on it are a known smuggling vector. Config.Lenient accepts a bare LF as a line
// end; a CR not followed by LF is rejected in every mode.
//
// Config.Lenient (Node's insecureHTTPParser) relaxes only: bare LF line ends,
// identical duplicate Content-Length values, transfer codings before the
// final chunked one, empty elements in Transfer-Encoding (", chunked"), and
// whitespace after a chunk size. It never accepts
// Transfer-Encoding together with Content-Length in a request, obs-fold in a
// request, a malformed chunk extension, or control bytes in a field value.
//
// # Errors
//
// Every rejection is a Code: a stable, comparable error value with a message,
// the HTTP status a server should answer with (Code.Status), and the byte
// offset where it was detected (Parser.ErrOffset). Errors are sticky.
package parse

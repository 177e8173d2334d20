package engine

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// Request errors.
var (
	ErrClientInvalidHeader = errors.New("engine: invalid header name or value in client request")
	ErrClientInvalidURL    = errors.New("engine: invalid or unsupported URL in client request")
	ErrClientInvalidMethod = errors.New("engine: invalid client request method")
	ErrClientInvalidHost   = errors.New("engine: invalid host in client request")
)

// ClientRequest is an outbound request: its method, target, dial address,
// headers and body. Get one with AcquireClientRequest and return it with
// ReleaseClientRequest, or reuse it for the next request after its response
// has arrived. A ClientRequest must not be modified while it is in flight
// (from Send until its response handler runs or Do returns). It is not safe
// for concurrent use.
//
// The dial fields (host, port, socket path, local address, family) say where
// an agent connects; a ClientConn already connected ignores them except for
// the default Host header.
type ClientRequest struct {
	method []byte // token; empty means GET
	path   []byte // request-target; empty means "/"
	host   []byte // dial host (and default Host header)
	port   int    // dial port; 0 means 80

	// SocketPath, when set, dials a unix socket instead of host:port.
	SocketPath string
	// LocalAddress is the local IP to bind when dialing ("" for any).
	LocalAddress string
	// Family is 0 (any), 4 or 6: the IP family to resolve and dial.
	Family int

	// Header holds the fields sent after the request line. Host,
	// Content-Length, Transfer-Encoding and Connection are added when
	// absent (see AppendHead).
	Header headers.Table
	// OmitHost sends no Host field when Header has none, as Node's
	// setHost: false does (an HTTP/1.1 server may then answer 400).
	OmitHost bool
	// OmitKeepAlive sends no "Connection: keep-alive" on a keep-alive
	// connection: HTTP/1.1 connections persist without it, and Go's
	// http.Transport sends none (Node does send it).
	OmitKeepAlive bool
	// Trailer, when it has fields, forces a chunked body and is sent after it.
	Trailer headers.Table
	// FixedLines is sent as it is after Header's fields: whole lines
	// ("Name: value\r\n") that a caller adds to every request and has
	// checked once, such as a default User-Agent, which so are not copied,
	// looked up and checked per request. AppendHead trusts them: they must
	// be valid fields other than Host, Content-Length, Transfer-Encoding,
	// Connection and Expect.
	FixedLines string

	body       []byte    // owned copy, or the caller's slice (SetBodyRaw)
	ownBody    []byte    // capacity kept across reuse
	bodyStream io.Reader // streaming body, or nil
	streamLen  int64     // -1: unknown, sent chunked
	unframed   bool      // SetEmptyBodyStream: no framing field

	// closeConn asks the server to close after the response ("Connection: close").
	closeConn bool
	// expect100 sends "Expect: 100-continue" and waits before sending the body.
	expect100 bool

	// OnInformational, if set, is called for each 1xx response other than
	// 101, on the connection's event loop; h is valid only during the call.
	OnInformational func(status int, h *headers.Table)

	out []byte // serialized head (and small body); reused
}

var clientRequestPool = sync.Pool{New: func() any { return new(ClientRequest) }}

// AcquireClientRequest returns an empty request from a pool. Safe from any goroutine.
func AcquireClientRequest() *ClientRequest { return clientRequestPool.Get().(*ClientRequest) }

// ReleaseClientRequest resets r and returns it to the pool. r must not be in flight.
func ReleaseClientRequest(r *ClientRequest) {
	r.Reset()
	clientRequestPool.Put(r)
}

// Reset empties r for reuse, keeping its buffers.
func (r *ClientRequest) Reset() {
	r.method = r.method[:0]
	r.path = r.path[:0]
	r.host = r.host[:0]
	r.port = 0
	r.SocketPath, r.LocalAddress, r.Family = "", "", 0
	r.OmitHost, r.OmitKeepAlive = false, false
	r.FixedLines = ""
	r.Header.Reset(nil)
	r.Trailer.Reset(nil)
	r.body, r.ownBody = nil, r.ownBody[:0]
	r.bodyStream, r.streamLen, r.unframed = nil, 0, false
	r.closeConn, r.expect100 = false, false
	r.OnInformational = nil
	r.out = r.out[:0]
}

// SetMethod sets the request method (a token, case-sensitive). It does not allocate in steady state.
func (r *ClientRequest) SetMethod(m string) { r.method = append(r.method[:0], m...) }

// Method returns the method; the view lives until the next change of r.
func (r *ClientRequest) Method() []byte {
	if len(r.method) == 0 {
		return clGET
	}
	return r.method
}

var clGET = []byte("GET")

// SetPath sets the request-target, such as "/a?b=c".
func (r *ClientRequest) SetPath(p string) { r.path = append(r.path[:0], p...) }

// Path returns the request-target.
func (r *ClientRequest) Path() []byte {
	if len(r.path) == 0 {
		return clSlash
	}
	return r.path
}

var clSlash = []byte("/")

// SetHost sets the host to dial and to name in the default Host header.
func (r *ClientRequest) SetHost(h string) { r.host = append(r.host[:0], h...) }

// Host returns the dial host.
func (r *ClientRequest) Host() []byte { return r.host }

// SetPort sets the port to dial (0 means 80).
func (r *ClientRequest) SetPort(p int) { r.port = p }

// Port returns the dial port, 80 when unset.
func (r *ClientRequest) Port() int {
	if r.port == 0 {
		return 80
	}
	return r.port
}

// SetURL sets host, port and path from an absolute "http://host[:port][/path]" URL.
// Only the http scheme is supported; it does not allocate in steady state.
func (r *ClientRequest) SetURL(u string) error {
	host, port, rest, ok := clSplitURL(u)
	if !ok {
		return ErrClientInvalidURL
	}
	r.SetHost(host)
	r.port = port
	if len(rest) == 0 {
		rest = "/"
	} else if rest[0] == '?' {
		r.path = append(append(r.path[:0], '/'), rest...)
		return nil
	}
	r.SetPath(rest)
	return nil
}

// SetAddr sets the host and port to dial from "host:port" ("[v6]:port"; a
// missing port means 80), keeping the path.
func (r *ClientRequest) SetAddr(hostport string) error {
	host, port, ok := clSplitHostPort(hostport)
	if !ok {
		return ErrClientInvalidURL
	}
	r.SetHost(host)
	r.port = port
	return nil
}

// clSplitURL splits an absolute http URL into host, port (80 by default)
// and the rest (path and query, without a fragment).
func clSplitURL(u string) (host string, port int, rest string, ok bool) {
	const scheme = "http://"
	if len(u) < len(scheme) || !strings.EqualFold(u[:len(scheme)], scheme) {
		return "", 0, "", false
	}
	u = u[len(scheme):]
	end := len(u)
	for i := 0; i < len(u); i++ {
		if u[i] == '/' || u[i] == '?' || u[i] == '#' {
			end = i
			break
		}
	}
	hostport, rest := u[:end], u[end:]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	host, port, ok = clSplitHostPort(hostport)
	return host, port, rest, ok
}

// clSplitHostPort splits "host[:port]" or "[v6][:port]"; the port defaults to 80.
func clSplitHostPort(hostport string) (host string, port int, ok bool) {
	if len(hostport) == 0 || hostport[0] == ':' {
		return "", 0, false
	}
	host, port = hostport, 80
	if hostport[0] == '[' { // IPv6 literal
		i := strings.IndexByte(hostport, ']')
		if i < 0 {
			return "", 0, false
		}
		host = hostport[1:i]
		hostport = hostport[i+1:]
		if len(hostport) > 0 {
			if hostport[0] != ':' {
				return "", 0, false
			}
			p, ok := clAtoi(hostport[1:])
			if !ok {
				return "", 0, false
			}
			port = p
		}
	} else if i := strings.IndexByte(hostport, ':'); i >= 0 {
		p, ok := clAtoi(hostport[i+1:])
		if !ok {
			return "", 0, false
		}
		host, port = hostport[:i], p
	}
	return host, port, true
}

// SetBody copies b as the body, sent with Content-Length.
func (r *ClientRequest) SetBody(b []byte) {
	r.ownBody = append(r.ownBody[:0], b...)
	r.body, r.bodyStream = r.ownBody, nil
}

// SetBodyString is SetBody for a string.
func (r *ClientRequest) SetBodyString(s string) {
	r.ownBody = append(r.ownBody[:0], s...)
	r.body, r.bodyStream = r.ownBody, nil
}

// SetBodyRaw uses b as the body without copying; b must not change while the request is in flight.
func (r *ClientRequest) SetBodyRaw(b []byte) { r.body, r.bodyStream = b, nil }

// Body returns the body set with SetBody or SetBodyRaw.
func (r *ClientRequest) Body() []byte { return r.body }

// SetBodyStream streams the body from rd, read by the sending goroutine. With
// size >= 0 it is sent with that Content-Length (and rd must yield exactly
// size bytes); with size < 0 it is sent chunked.
func (r *ClientRequest) SetBodyStream(rd io.Reader, size int64) {
	r.body, r.bodyStream, r.streamLen, r.unframed = nil, rd, size, false
}

// SetEmptyBodyStream streams a body the head says nothing of: no
// Content-Length or Transfer-Encoding, so the request has none (RFC 9112
// §6.3), and it counts as sent once rd returns io.EOF. It is for a client
// that sends its head before it knows there is no body, as Node's sends a
// GET's. rd must yield nothing: a byte from it fails the request, unsent.
func (r *ClientRequest) SetEmptyBodyStream(rd io.Reader) {
	r.body, r.bodyStream, r.streamLen, r.unframed = nil, rd, 0, true
}

// SetConnectionClose asks the server to close the connection after the response.
func (r *ClientRequest) SetConnectionClose(v bool) { r.closeConn = v }

// ConnectionClose reports whether the request asks to close the connection.
func (r *ClientRequest) ConnectionClose() bool { return r.closeConn }

// SetExpectContinue sends "Expect: 100-continue" and holds the body back
// until a 100 response, a final response, or the connection's continue timeout.
func (r *ClientRequest) SetExpectContinue(v bool) { r.expect100 = v }

// Idempotent reports whether the method is idempotent (RFC 9110 §9.2.2), so
// that it may be retried on a new connection.
func (r *ClientRequest) Idempotent() bool {
	switch string(r.Method()) {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return r.bodyStream == nil
	}
	return false
}

// chunked reports whether the body is sent with the chunked coding.
func (r *ClientRequest) chunked() bool {
	return r.Trailer.Len() > 0 || (r.bodyStream != nil && r.streamLen < 0)
}

// AppendHead appends the request line and header section to dst. It adds
// Host (from the dial host and port) unless Header has one, the body's
// Content-Length or "Transfer-Encoding: chunked" unless Header sets the
// framing, and "Connection: close" when asked (or "Connection: keep-alive"
// when keepAlive is set). It validates names and values.
func (r *ClientRequest) AppendHead(dst []byte, keepAlive bool) ([]byte, error) {
	return r.appendHead(dst, keepAlive, nil)
}

// connHost is a connection's dial host and port with its Host field line,
// formatted once (appendHostLine).
type connHost struct {
	host string
	port int
	line []byte
}

// sameOrigin reports whether host and port format to c's line; ports 0 and
// 80 both leave the port out.
func (c *connHost) sameOrigin(host []byte, port int) bool {
	if port == 0 {
		port = 80
	}
	cp := c.port
	if cp == 0 {
		cp = 80
	}
	return port == cp && string(host) == c.host
}

// appendHead is AppendHead with the connection's host: its Host line is
// sent when r names no host or names the same one (an agent's requests do),
// which saves formatting it per request.
func (r *ClientRequest) appendHead(dst []byte, keepAlive bool, conn *connHost) ([]byte, error) {
	m := r.Method()
	if headers.ValidateName(m) != nil {
		return dst, ErrClientInvalidMethod
	}
	p := r.Path()
	for _, c := range p {
		if c <= ' ' || c == 0x7f {
			return dst, ErrClientInvalidURL
		}
	}
	dst = append(dst, m...)
	dst = append(dst, ' ')
	dst = append(dst, p...)
	dst = append(dst, " HTTP/1.1\r\n"...)
	var hasHost, hasCL, hasTE, hasConn, hasExpect bool
	for i := 0; i < r.Header.Len(); i++ {
		// A field's ID is LookupID of its name (the Table's contract): a
		// well-known name is a token already and needs no second lookup.
		id := r.Header.Field(i).ID
		if id == headers.Unknown && headers.ValidateName(r.Header.Name(i)) != nil || headers.ValidateValue(r.Header.Value(i)) != nil {
			return dst, ErrClientInvalidHeader
		}
		switch id {
		case headers.Host:
			hasHost = true
		case headers.ContentLength:
			hasCL = true
		case headers.TransferEncoding:
			hasTE = true
		case headers.Connection:
			hasConn = true
		case headers.Expect:
			hasExpect = true
		}
		dst = r.Header.AppendLine(dst, i)
	}
	dst = append(dst, r.FixedLines...)
	if !hasHost && !r.OmitHost {
		// RFC 9112 §3.2: a client MUST send a Host field in every HTTP/1.1 request.
		connLine := conn != nil && len(conn.line) > 0
		switch {
		case len(r.host) > 0 && connLine && conn.sameOrigin(r.host, r.port):
			dst = append(dst, conn.line...)
		case len(r.host) > 0:
			start := len(dst)
			dst = appendHostLine(dst, r.host, r.port)
			if !validHostLine(dst[start:]) {
				return dst[:start], ErrClientInvalidHost
			}
		case r.SocketPath == "" && connLine:
			dst = append(dst, conn.line...)
		default:
			dst = appendHostLine(dst, []byte("localhost"), r.port)
		}
	}
	// Connection before the framing fields, as Node orders them.
	if !hasConn {
		switch {
		case r.closeConn:
			dst = append(dst, "Connection: close\r\n"...)
		case keepAlive && !r.OmitKeepAlive:
			dst = append(dst, "Connection: keep-alive\r\n"...)
		}
	}
	if !hasCL && !hasTE {
		switch {
		case r.chunked():
			dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
		case r.bodyStream != nil:
			if !r.unframed {
				dst = append(dst, "Content-Length: "...)
				dst = strconv.AppendInt(dst, r.streamLen, 10)
				dst = append(dst, "\r\n"...)
			}
		case len(r.body) > 0 || clBodyExpected(m):
			dst = append(dst, "Content-Length: "...)
			dst = strconv.AppendInt(dst, int64(len(r.body)), 10)
			dst = append(dst, "\r\n"...)
		}
	}
	if r.Trailer.Len() > 0 {
		dst = append(dst, "Trailer: "...)
		for i := 0; i < r.Trailer.Len(); i++ {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, r.Trailer.Name(i)...)
		}
		dst = append(dst, "\r\n"...)
	}
	if r.expect100 && !hasExpect {
		dst = append(dst, "Expect: 100-continue\r\n"...)
	}
	return append(dst, "\r\n"...), nil
}

// appendHostLine appends a Host field line naming host and port (left out
// when 0 or 80).
func appendHostLine(dst, host []byte, port int) []byte {
	dst = append(dst, "Host: "...)
	dst = clAppendHost(dst, host)
	if port != 0 && port != 80 {
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(port), 10)
	}
	return append(dst, "\r\n"...)
}

// validHostLine reports whether a line from appendHostLine names a valid
// Host, uri-host [ ":" port ] (RFC 9110 §7.2): a host with bytes such as
// "/", "@" or CRLF would change what the server reads as the authority.
func validHostLine(line []byte) bool {
	return parse.ValidHost(line[len("Host: ") : len(line)-len("\r\n")])
}

// checkDialHost returns ErrClientInvalidHost unless the Host line that
// opts' host and port make is valid.
func checkDialHost(opts *DialOptions) error {
	if opts.Host == "" || validHostLine(appendHostLine(nil, []byte(opts.Host), opts.Port)) {
		return nil
	}
	return ErrClientInvalidHost
}

// clAppendHost appends a host, bracketing an IPv6 literal.
func clAppendHost(dst, host []byte) []byte {
	for _, c := range host {
		if c == ':' {
			return append(append(append(dst, '['), host...), ']')
		}
	}
	return append(dst, host...)
}

// appendTrailerSection appends the last chunk and the trailer fields.
func (r *ClientRequest) appendTrailerSection(dst []byte) ([]byte, error) {
	dst = append(dst, "0\r\n"...)
	for i := 0; i < r.Trailer.Len(); i++ {
		name, value := r.Trailer.Name(i), r.Trailer.Value(i)
		if headers.ValidateName(name) != nil || headers.ValidateValue(value) != nil {
			return dst, ErrClientInvalidHeader
		}
		dst = r.Trailer.AppendLine(dst, i)
	}
	return append(dst, "\r\n"...), nil
}

// clBodyExpected reports whether a method conventionally carries a body, so
// that an empty one is announced with "Content-Length: 0" (as Node does).
func clBodyExpected(m []byte) bool {
	switch string(m) {
	case "POST", "PUT", "PATCH":
		return true
	}
	return false
}

func clAtoi(s string) (int, bool) {
	if len(s) == 0 || len(s) > 5 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n > 0 && n < 65536
}

package parse

// Default limits. MaxHeadBytes matches Node's default --max-http-header-size.
const (
	DefaultMaxHeadBytes = 16 << 10
	DefaultMaxHeaders   = 2000
	DefaultMaxTargetLen = 8 << 10
)

// Config holds a parser's limits and strictness. The zero Config means the defaults.
type Config struct {
	MaxHeadBytes int  // start line plus fields plus the empty line; 0 means DefaultMaxHeadBytes
	MaxHeaders   int  // field lines in a head or trailer section; 0 means DefaultMaxHeaders
	MaxTargetLen int  // request-target bytes; 0 means DefaultMaxTargetLen
	Lenient      bool // relax the checks listed in the package doc (Node's insecureHTTPParser)
	// HostOptional accepts an HTTP/1.1 request without Host, which RFC
	// 9112 §3.2 says a server MUST refuse (Node's requireHostHeader: false).
	HostOptional bool
}

// withDefaults returns c with zero limits replaced by the defaults.
func (c Config) withDefaults() Config {
	if c.MaxHeadBytes <= 0 {
		c.MaxHeadBytes = DefaultMaxHeadBytes
	}
	if c.MaxHeaders <= 0 {
		c.MaxHeaders = DefaultMaxHeaders
	}
	if c.MaxTargetLen <= 0 {
		c.MaxTargetLen = DefaultMaxTargetLen
	}
	return c
}

// Mode says which kind of message a Parser reads.
type Mode uint8

const (
	Request     Mode = iota // request-line, then fields
	Response                // status-line, then fields
	trailer                 // fields only: a chunked request body's trailer section
	respTrailer             // a chunked response body's trailer section, unfolded as a response's head
)

// The modes that unfold obs-fold (Response and respTrailer) are the odd
// ones, and the trailer modes the last two: each test is one compare.

// Method is a request method the engine knows by name. Any other valid token is MethodOther;
// its bytes are in Parser.MethodSpan.
type Method uint8

const (
	MethodOther Method = iota
	MethodGET
	MethodHEAD
	MethodPOST
	MethodPUT
	MethodDELETE
	MethodCONNECT
	MethodOPTIONS
	MethodTRACE
	MethodPATCH
	numMethods
)

var methodNames = [numMethods]string{"", "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

// String returns the method's name, or "" for MethodOther.
func (m Method) String() string {
	if m >= numMethods {
		return ""
	}
	return methodNames[m]
}

// MethodOf returns the Method for a method token (case-sensitive, RFC 9110 §9.1),
// MethodOther for any other.
func MethodOf(b []byte) Method {
	switch string(b) { // no allocation: the compiler compares in place
	case "GET":
		return MethodGET
	case "HEAD":
		return MethodHEAD
	case "POST":
		return MethodPOST
	case "PUT":
		return MethodPUT
	case "DELETE":
		return MethodDELETE
	case "CONNECT":
		return MethodCONNECT
	case "OPTIONS":
		return MethodOPTIONS
	case "TRACE":
		return MethodTRACE
	case "PATCH":
		return MethodPATCH
	}
	return MethodOther
}

// Framing is how a message's body is delimited (RFC 9112 §6.3).
type Framing uint8

const (
	BodyNone       Framing = iota // no body: HEAD responses, 1xx, 204, 304, requests without framing fields
	BodyLength                    // exactly ContentLength bytes
	BodyChunked                   // chunked transfer coding
	BodyUntilClose                // response only: everything until the connection closes
	BodyTunnel                    // the rest of the stream is not HTTP (101, 2xx to CONNECT)
)

var framingNames = [...]string{"none", "length", "chunked", "until-close", "tunnel"}

func (f Framing) String() string {
	if int(f) >= len(framingNames) {
		return "unknown"
	}
	return framingNames[f]
}

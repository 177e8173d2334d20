package headers

// ID identifies a well-known header name. Unknown is the zero ID.
type ID uint8

// Well-known header names. The set covers the names the engine acts on and
// Node's single-valued names (see merge.go).
const (
	Unknown ID = iota
	Accept
	AcceptEncoding
	AcceptLanguage
	Age
	Authorization
	CacheControl
	Connection
	ContentEncoding
	ContentLength
	ContentType
	Cookie
	Date
	ETag
	Expect
	Expires
	From
	Host
	IfModifiedSince
	IfUnmodifiedSince
	KeepAlive
	LastModified
	Location
	MaxForwards
	ProxyAuthorization
	ProxyConnection
	Referer
	RetryAfter
	Server
	SetCookie
	TE
	Trailer
	TransferEncoding
	Upgrade
	UserAgent
	numIDs
)

// Callers keep sets of ids in a uint64 bitset (the parser's framing fields),
// so there may be at most 64 ids; this fails to compile beyond that.
const _ = uint(64 - numIDs)

// canonical holds each id's lower-case name, indexed by ID.
var canonical = [numIDs]string{
	Unknown:            "",
	Accept:             "accept",
	AcceptEncoding:     "accept-encoding",
	AcceptLanguage:     "accept-language",
	Age:                "age",
	Authorization:      "authorization",
	CacheControl:       "cache-control",
	Connection:         "connection",
	ContentEncoding:    "content-encoding",
	ContentLength:      "content-length",
	ContentType:        "content-type",
	Cookie:             "cookie",
	Date:               "date",
	ETag:               "etag",
	Expect:             "expect",
	Expires:            "expires",
	From:               "from",
	Host:               "host",
	IfModifiedSince:    "if-modified-since",
	IfUnmodifiedSince:  "if-unmodified-since",
	KeepAlive:          "keep-alive",
	LastModified:       "last-modified",
	Location:           "location",
	MaxForwards:        "max-forwards",
	ProxyAuthorization: "proxy-authorization",
	ProxyConnection:    "proxy-connection",
	Referer:            "referer",
	RetryAfter:         "retry-after",
	Server:             "server",
	SetCookie:          "set-cookie",
	TE:                 "te",
	Trailer:            "trailer",
	TransferEncoding:   "transfer-encoding",
	Upgrade:            "upgrade",
	UserAgent:          "user-agent",
}

// String returns the id's lower-case header name, or "" for Unknown.
func (id ID) String() string {
	if id >= numIDs {
		return ""
	}
	return canonical[id]
}

package parse

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/headers"
)

// result is what a parse produced, in a form tests can compare.
type result struct {
	err     Code
	n       int
	method  string
	target  string
	version string
	status  int
	reason  string
	fields  string // "name=value|name=value"
	framing Framing
	length  int64
	keep    bool
}

func (r result) String() string {
	if r.err != ErrNone {
		return "error " + r.err.Name()
	}
	return fmt.Sprintf("%s %q %s %d %q [%s] %v cl=%d keep=%v", r.method, r.target, r.version,
		r.status, r.reason, r.fields, r.framing, r.length, r.keep)
}

// parseWhole parses in as one read (with cfg) and describes the outcome.
func parseWhole(mode Mode, cfg *Config, in string) result {
	return parseSplit(mode, cfg, in, nil)
}

// parseSplit feeds in growing by the given cut points (nil: all at once) and
// describes the outcome. The buffer is reallocated at every step so that a
// parser relying on anything but offsets would fail.
func parseSplit(mode Mode, cfg *Config, in string, cuts []int) result {
	var p Parser
	p.Init(mode, cfg)
	var h headers.Table
	h.Reset(nil)
	cuts = append(cuts, len(in))
	var n int
	var err error
	for _, c := range cuts {
		b := []byte(in[:c])
		n, err = p.Parse(b, &h)
		if err != nil || n > 0 {
			break
		}
	}
	b := []byte(in)
	h.SetBase(b)
	if err != nil {
		var code Code
		if !errors.As(err, &code) {
			panic(err)
		}
		return result{err: code}
	}
	if n == 0 {
		return result{err: ErrNone, n: 0}
	}
	var f strings.Builder
	for i := range h.Len() {
		if i > 0 {
			f.WriteByte('|')
		}
		fmt.Fprintf(&f, "%s=%s", h.Name(i), h.Value(i))
	}
	maj, min := p.Version()
	return result{n: n, method: string(p.MethodSpan().In(b)), target: string(p.Target().In(b)),
		version: fmt.Sprintf("%d.%d", maj, min), status: p.Status(), reason: string(p.Reason().In(b)),
		fields: f.String(), framing: p.Framing(), length: p.ContentLength(), keep: p.KeepAlive()}
}

var requestTests = []struct {
	name string
	in   string
	want string // result.String(), or "error CODE"
}{
	{"simple", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", `GET "/" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"ows trimmed", "GET /x HTTP/1.1\r\nHost:  a \t\r\nX:\r\n\r\n", `GET "/x" 1.1 0 "" [Host=a|X=] none cl=-1 keep=true`},
	{"leading crlf", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", `GET "/" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"content-length", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n", `POST "/p" 1.1 0 "" [Host=a|Content-Length=12] length cl=12 keep=true`},
	{"content-length zero", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", `POST "/" 1.1 0 "" [Host=a|Content-Length=0] none cl=-1 keep=true`},
	{"chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", `POST "/" 1.1 0 "" [Host=a|Transfer-Encoding=chunked] chunked cl=-1 keep=true`},
	{"chunked mixed case", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ChUnKeD\r\n\r\n", `POST "/" 1.1 0 "" [Host=a|Transfer-Encoding=ChUnKeD] chunked cl=-1 keep=true`},
	{"http10 no host", "GET / HTTP/1.0\r\n\r\n", `GET "/" 1.0 0 "" [] none cl=-1 keep=false`},
	{"http10 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", `GET "/" 1.0 0 "" [Connection=Keep-Alive] none cl=-1 keep=true`},
	{"close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n", `GET "/" 1.1 0 "" [Host=a|Connection=foo, close] none cl=-1 keep=false`},
	{"http12 as 1.x", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", `GET "/" 1.2 0 "" [Host=a] none cl=-1 keep=true`},
	{"other method", "PROPFIND /d HTTP/1.1\r\nHost: a\r\n\r\n", `PROPFIND "/d" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"obs-text value", "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n", "GET \"/\" 1.1 0 \"\" [Host=a|X=caf\xc3\xa9] none cl=-1 keep=true"},
	{"asterisk", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", `OPTIONS "*" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"connect", "CONNECT a.com:443 HTTP/1.1\r\nHost: a.com:443\r\n\r\n", `CONNECT "a.com:443" 1.1 0 "" [Host=a.com:443] none cl=-1 keep=true`},
	{"ipv6 host", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", `GET "/" 1.1 0 "" [Host=[::1]:80] none cl=-1 keep=true`},
	{"empty host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", `GET "/" 1.1 0 "" [Host=] none cl=-1 keep=true`},

	{"lowercase method", "get / HTTP/1.1\r\nHost: a\r\n\r\n", `get "/" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"method bad byte", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_METHOD"},
	{"method empty", " / HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_METHOD"},
	{"double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"target ctl", "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"target high", "GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"target del", "GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"http09", "GET /\r\n\r\n", "error INVALID_VERSION"},
	{"version lower", "GET / http/1.1\r\nHost: a\r\n\r\n", "error INVALID_VERSION"},
	{"version garbage", "GET / HTTP/1.x\r\nHost: a\r\n\r\n", "error INVALID_VERSION"},
	{"version trailing", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", "error INVALID_VERSION"},
	{"version 2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", "error VERSION_NOT_SUPPORTED"},
	{"version 0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", "error VERSION_NOT_SUPPORTED"},
	{"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", "error INVALID_HEADER_TOKEN"},
	{"tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", "error INVALID_HEADER_TOKEN"},
	{"empty name", "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", "error INVALID_HEADER_TOKEN"},
	{"name bad byte", "GET / HTTP/1.1\r\nHost: a\r\nX(y): x\r\n\r\n", "error INVALID_HEADER_TOKEN"},
	{"name no colon", "GET / HTTP/1.1\r\nHost: a\r\nXY\r\n\r\n", "error INVALID_HEADER_TOKEN"},
	{"value nul", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", "error INVALID_HEADER_VALUE"},
	{"value ctl", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x1bb\r\n\r\n", "error INVALID_HEADER_VALUE"},
	{"value del", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n", "error INVALID_HEADER_VALUE"},
	{"value bare cr", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", "error CR_EXPECTED_LF"},
	{"value bare lf", "GET / HTTP/1.1\r\nHost: a\r\nX: a\nY: b\r\n\r\n", "error LF_EXPECTED_CR"},
	{"request line bare lf", "GET / HTTP/1.1\nHost: a\r\n\r\n", "error LF_EXPECTED_CR"},
	{"end bare lf", "GET / HTTP/1.1\r\nHost: a\r\n\n", "error LF_EXPECTED_CR"},
	{"end bare cr", "GET / HTTP/1.1\r\nHost: a\r\n\rX", "error CR_EXPECTED_LF"},
	{"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", "error OBS_FOLD"},
	{"obs-fold tab", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", "error OBS_FOLD"},
	{"missing host", "GET / HTTP/1.1\r\nX: a\r\n\r\n", "error MISSING_HOST"},
	{"duplicate host", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", "error DUPLICATE_HOST"},
	{"invalid host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "error INVALID_HOST"},
	{"host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", "error INVALID_HOST"},
	{"cl not digits", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1a\r\n\r\n", "error INVALID_CONTENT_LENGTH"},
	{"cl sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n", "error INVALID_CONTENT_LENGTH"},
	{"cl negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", "error INVALID_CONTENT_LENGTH"},
	{"cl empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", "error INVALID_CONTENT_LENGTH"},
	{"cl list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\n", "error INVALID_CONTENT_LENGTH"},
	{"cl overflow", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n", "error INVALID_CONTENT_LENGTH"},
	{"cl max", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n", `POST "/" 1.1 0 "" [Host=a|Content-Length=9223372036854775807] length cl=9223372036854775807 keep=true`},
	{"cl duplicate same", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", "error UNEXPECTED_CONTENT_LENGTH"},
	{"cl duplicate differ", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "error UNEXPECTED_CONTENT_LENGTH"},
	{"te and cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "error TE_WITH_CONTENT_LENGTH"},
	{"cl and te", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", "error TE_WITH_CONTENT_LENGTH"},
	{"te not final", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "error INVALID_TRANSFER_ENCODING"},
	{"te chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", "error INVALID_TRANSFER_ENCODING"},
	{"te gzip only", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", "error INVALID_TRANSFER_ENCODING"},
	{"te gzip chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "error UNSUPPORTED_TRANSFER_ENCODING"},
	{"te identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", "error INVALID_TRANSFER_ENCODING"},
	{"te chunked prefix", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunkedx\r\n\r\n", "error INVALID_TRANSFER_ENCODING"},
	{"te bad token", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", "error INVALID_TRANSFER_ENCODING"},
	{"te empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", "error INVALID_TRANSFER_ENCODING"},
	{"te http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "error TE_IN_HTTP10"},
	{"te empty elems", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked\r\n\r\n", "error INVALID_TRANSFER_ENCODING"},
	{"te trailing comma", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked,\r\n\r\n", "error INVALID_TRANSFER_ENCODING"},
	{"te list", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip , chunked\r\n\r\n", "error UNSUPPORTED_TRANSFER_ENCODING"},

	// Request-target forms (RFC 9112 §3.2) and pct-encoding (RFC 3986 §2.1).
	{"GET /a%20b", "GET /a%20b HTTP/1.1\r\nHost: a\r\n\r\n", `GET "/a%20b" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"GET /%41%42?q=%7e", "GET /%41%42?q=%7e HTTP/1.1\r\nHost: a\r\n\r\n", `GET "/%41%42?q=%7e" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"GET //a", "GET //a HTTP/1.1\r\nHost: a\r\n\r\n", `GET "//a" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"GET http://a/b?c", "GET http://a/b?c HTTP/1.1\r\nHost: a\r\n\r\n", `GET "http://a/b?c" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"GET HTTP://a:80", "GET HTTP://a:80 HTTP/1.1\r\nHost: a\r\n\r\n", `GET "HTTP://a:80" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"GET mailto:a@b", "GET mailto:a@b HTTP/1.1\r\nHost: a\r\n\r\n", `GET "mailto:a@b" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"OPTIONS http://a:8001", "OPTIONS http://a:8001 HTTP/1.1\r\nHost: a\r\n\r\n", `OPTIONS "http://a:8001" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"CONNECT example.com:443", "CONNECT example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", `CONNECT "example.com:443" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"CONNECT [::1]:443", "CONNECT [::1]:443 HTTP/1.1\r\nHost: a\r\n\r\n", `CONNECT "[::1]:443" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"CONNECT 1.2.3.4:0", "CONNECT 1.2.3.4:0 HTTP/1.1\r\nHost: a\r\n\r\n", `CONNECT "1.2.3.4:0" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"CONNECT a%41:1", "CONNECT a%41:1 HTTP/1.1\r\nHost: a\r\n\r\n", `CONNECT "a%41:1" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"GET ftp://u:p@a/", "GET ftp://u:p@a/ HTTP/1.1\r\nHost: a\r\n\r\n", `GET "ftp://u:p@a/" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"GET /a|b^{c}", "GET /a|b^{c} HTTP/1.1\r\nHost: a\r\n\r\n", `GET "/a|b^{c}" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
	{"GET foo/bar", "GET foo/bar HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"CONNECT /", "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"CONNECT example.com", "CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"CONNECT http://example.com/", "CONNECT http://example.com/ HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET '", "GET ' HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"POST echo", "POST echo HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"OPTIONS **", "OPTIONS ** HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET /%cho", "GET /%cho HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET /a%2", "GET /a%2 HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET /a%", "GET /a% HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET /%%41", "GET /%%41 HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET *", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"PUT *", "PUT * HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"CONNECT *", "CONNECT * HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"CONNECT example.com:", "CONNECT example.com: HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"CONNECT :443", "CONNECT :443 HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"CONNECT a.com:44x", "CONNECT a.com:44x HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"CONNECT [::1]", "CONNECT [::1] HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"CONNECT [::1]x:1", "CONNECT [::1]x:1 HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"CONNECT a:1:2", "CONNECT a:1:2 HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET http://user@a/", "GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET http:///x", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET http:x", "GET http:x HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET 1http://a/", "GET 1http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET http://a:8o/", "GET http://a:8o/ HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET http://[::1/", "GET http://[::1/ HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET ftp://u@p@a/", "GET ftp://u@p@a/ HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET ?a", "GET ?a HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},
	{"GET a://#", "GET a://# HTTP/1.1\r\nHost: a\r\n\r\n", "error INVALID_TARGET"},

	// Host = uri-host [ ":" port ] (RFC 9110 §7.2, RFC 3986 §3.2.2).
	{"host a:", "GET / HTTP/1.1\r\nHost: a:\r\n\r\n", `GET "/" 1.1 0 "" [Host=a:] none cl=-1 keep=true`},
	{"host a:8080", "GET / HTTP/1.1\r\nHost: a:8080\r\n\r\n", `GET "/" 1.1 0 "" [Host=a:8080] none cl=-1 keep=true`},
	{"host 1.2.3.4:80", "GET / HTTP/1.1\r\nHost: 1.2.3.4:80\r\n\r\n", `GET "/" 1.1 0 "" [Host=1.2.3.4:80] none cl=-1 keep=true`},
	{"host [::1]", "GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n", `GET "/" 1.1 0 "" [Host=[::1]] none cl=-1 keep=true`},
	{"host [1:2:3:4:5:6:7:8]:1", "GET / HTTP/1.1\r\nHost: [1:2:3:4:5:6:7:8]:1\r\n\r\n", `GET "/" 1.1 0 "" [Host=[1:2:3:4:5:6:7:8]:1] none cl=-1 keep=true`},
	{"host [::ffff:1.2.3.4]", "GET / HTTP/1.1\r\nHost: [::ffff:1.2.3.4]\r\n\r\n", `GET "/" 1.1 0 "" [Host=[::ffff:1.2.3.4]] none cl=-1 keep=true`},
	{"host [v1.x:y]", "GET / HTTP/1.1\r\nHost: [v1.x:y]\r\n\r\n", `GET "/" 1.1 0 "" [Host=[v1.x:y]] none cl=-1 keep=true`},
	{"host a%41b", "GET / HTTP/1.1\r\nHost: a%41b\r\n\r\n", `GET "/" 1.1 0 "" [Host=a%41b] none cl=-1 keep=true`},
	{"host !$&'()*+,;=-._~", "GET / HTTP/1.1\r\nHost: !$&'()*+,;=-._~\r\n\r\n", `GET "/" 1.1 0 "" [Host=!$&'()*+,;=-._~] none cl=-1 keep=true`},
	{"host example.com:8o", "GET / HTTP/1.1\r\nHost: example.com:8o\r\n\r\n", "error INVALID_HOST"},
	{"host a:80:80", "GET / HTTP/1.1\r\nHost: a:80:80\r\n\r\n", "error INVALID_HOST"},
	{"host a:-1", "GET / HTTP/1.1\r\nHost: a:-1\r\n\r\n", "error INVALID_HOST"},
	{"host [::1", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", "error INVALID_HOST"},
	{"host [::1]x", "GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", "error INVALID_HOST"},
	{"host [1::2::3]", "GET / HTTP/1.1\r\nHost: [1::2::3]\r\n\r\n", "error INVALID_HOST"},
	{"host [1:2:3:4:5:6:7:8:9]", "GET / HTTP/1.1\r\nHost: [1:2:3:4:5:6:7:8:9]\r\n\r\n", "error INVALID_HOST"},
	{"host [1:2:3]", "GET / HTTP/1.1\r\nHost: [1:2:3]\r\n\r\n", "error INVALID_HOST"},
	{"host [::1.2.3.256]", "GET / HTTP/1.1\r\nHost: [::1.2.3.256]\r\n\r\n", "error INVALID_HOST"},
	{"host [fe80::1%25en0]", "GET / HTTP/1.1\r\nHost: [fe80::1%25en0]\r\n\r\n", "error INVALID_HOST"},
	{"host [v.x]", "GET / HTTP/1.1\r\nHost: [v.x]\r\n\r\n", "error INVALID_HOST"},
	{"host a%2", "GET / HTTP/1.1\r\nHost: a%2\r\n\r\n", "error INVALID_HOST"},
	{"host a%zz", "GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", "error INVALID_HOST"},
	{"host a]", "GET / HTTP/1.1\r\nHost: a]\r\n\r\n", "error INVALID_HOST"},
	{"host a@b", "GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", "error INVALID_HOST"},
	{"host ::1", "GET / HTTP/1.1\r\nHost: ::1\r\n\r\n", "error INVALID_HOST"},
}

func TestRequest(t *testing.T) {
	for _, tt := range requestTests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseWhole(Request, nil, tt.in)
			if got := r.String(); got != tt.want {
				t.Errorf("Parse(%q) = %s; want %s", tt.in, got, tt.want)
			}
			if r.err == ErrNone && r.n != len(tt.in) {
				t.Errorf("Parse(%q) = %d; want %d", tt.in, r.n, len(tt.in))
			}
		})
	}
}

// TestRequestSplit feeds every request at every split point and one byte at a
// time; each way must give the result of a single read.
func TestRequestSplit(t *testing.T) {
	for _, tt := range requestTests {
		whole := parseWhole(Request, nil, tt.in).String()
		for cut := 1; cut < len(tt.in); cut++ {
			if got := parseSplit(Request, nil, tt.in, []int{cut}).String(); got != whole {
				t.Fatalf("%s: split at %d: got %s; want %s", tt.name, cut, got, whole)
			}
		}
		var every []int
		for i := 1; i < len(tt.in); i++ {
			every = append(every, i)
		}
		if got := parseSplit(Request, nil, tt.in, every).String(); got != whole {
			t.Fatalf("%s: byte by byte: got %s; want %s", tt.name, got, whole)
		}
	}
}

func TestRequestLenient(t *testing.T) {
	lenient := &Config{Lenient: true}
	tests := []struct {
		name, in, want string
	}{
		{"bare lf", "GET / HTTP/1.1\nHost: a\nX: b\n\n", `GET "/" 1.1 0 "" [Host=a|X=b] none cl=-1 keep=true`},
		{"cl duplicate same", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", `POST "/" 1.1 0 "" [Host=a|Content-Length=1|Content-Length=1] length cl=1 keep=true`},
		{"cl duplicate differ", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "error UNEXPECTED_CONTENT_LENGTH"},
		{"te gzip chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", `POST "/" 1.1 0 "" [Host=a|Transfer-Encoding=gzip, chunked] chunked cl=-1 keep=true`},
		{"te empty elems", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked,\r\n\r\n", `POST "/" 1.1 0 "" [Host=a|Transfer-Encoding=,chunked,] chunked cl=-1 keep=true`},
		{"te and cl still", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "error TE_WITH_CONTENT_LENGTH"},
		{"obs-fold still", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", "error OBS_FOLD"},
		{"ctl still", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", "error INVALID_HEADER_VALUE"},
		{"bare cr still", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", "error CR_EXPECTED_LF"},
	}
	for _, tt := range tests {
		if got := parseWhole(Request, lenient, tt.in).String(); got != tt.want {
			t.Errorf("%s: Parse(%q) = %s; want %s", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestLimits(t *testing.T) {
	long := "GET /" + strings.Repeat("a", 100) + " HTTP/1.1\r\nHost: a\r\n\r\n"
	tests := []struct {
		name string
		cfg  Config
		in   string
		want string
	}{
		{"target too long", Config{MaxTargetLen: 50}, long, "error TARGET_TOO_LONG"},
		{"target one over", Config{MaxTargetLen: 100}, long, "error TARGET_TOO_LONG"},
		{"target at limit", Config{MaxTargetLen: 101}, long, `GET "/` + strings.Repeat("a", 100) + `" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
		{"head too large", Config{MaxHeadBytes: 64}, "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("b", 100) + "\r\n\r\n", "error HEADER_OVERFLOW"},
		{"head at limit", Config{MaxHeadBytes: 27}, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", `GET "/" 1.1 0 "" [Host=a] none cl=-1 keep=true`},
		{"head one over", Config{MaxHeadBytes: 26}, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "error HEADER_OVERFLOW"},
		{"too many headers", Config{MaxHeaders: 2}, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", "error TOO_MANY_HEADERS"},
		{"headers at limit", Config{MaxHeaders: 2}, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\n\r\n", `GET "/" 1.1 0 "" [Host=a|A=1] none cl=-1 keep=true`},
	}
	for _, tt := range tests {
		if got := parseWhole(Request, &tt.cfg, tt.in).String(); got != tt.want {
			t.Errorf("%s: Parse = %s; want %s", tt.name, got, tt.want)
		}
	}
}

func TestErrorStatusAndOffset(t *testing.T) {
	tests := []struct {
		in     string
		cfg    Config
		status int
		offset int
	}{
		{"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", Config{}, 400, 29},
		{"G(T / HTTP/1.1\r\n", Config{}, 400, 1},
		{"GET /" + strings.Repeat("a", 20) + " HTTP/1.1\r\n", Config{MaxTargetLen: 10}, 414, 14},
		{"GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("b", 100), Config{MaxHeadBytes: 64}, 431, 64},
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: br, chunked\r\n\r\n", Config{}, 501, 60},
		{"GET / HTTP/3.0\r\n", Config{}, 505, 11},
	}
	for _, tt := range tests {
		var p Parser
		p.Init(Request, &tt.cfg)
		var h headers.Table
		_, err := p.Parse([]byte(tt.in), &h)
		var code Code
		if !errors.As(err, &code) {
			t.Fatalf("Parse(%q) = %v; want a Code", tt.in, err)
		}
		if code.Status() != tt.status || p.ErrOffset() != tt.offset {
			t.Errorf("Parse(%q) = %v status %d offset %d; want status %d offset %d", tt.in, code, code.Status(), p.ErrOffset(), tt.status, tt.offset)
		}
		if _, err2 := p.Parse([]byte(tt.in+"more"), &h); err2 != err {
			t.Errorf("error not sticky: %v then %v", err, err2)
		}
		var perr *Error
		if !errors.As(p.Err(), &perr) || !errors.Is(p.Err(), code) || perr.Offset != tt.offset {
			t.Errorf("Err() = %v; want *Error{%v, %d}", p.Err(), code, tt.offset)
		}
	}
}

func TestPipelinedReset(t *testing.T) {
	in := []byte("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
	var p Parser
	var h headers.Table
	n, err := p.Parse(in, &h)
	if err != nil || n != 28 || string(p.Target().In(in)) != "/a" || !p.KeepAlive() {
		t.Fatalf("first: n=%d err=%v target=%q", n, err, p.Target().In(in))
	}
	rest := in[n:]
	p.Reset()
	h.Reset(nil)
	n, err = p.Parse(rest, &h)
	if err != nil || n != len(rest) || string(p.Target().In(rest)) != "/b" || p.KeepAlive() {
		t.Fatalf("second: n=%d err=%v target=%q keep=%v", n, err, p.Target().In(rest), p.KeepAlive())
	}
	if v := h.Value(0); string(v) != "b" {
		t.Fatalf("second host = %q; want b", v)
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		in                     string
		upgrade, expect, known bool
		method                 Method
	}{
		{"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", true, false, true, MethodGET},
		{"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n", false, false, true, MethodGET},
		{"PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n", false, true, true, MethodPUT},
		{"PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n", false, false, true, MethodPUT},
		{"MKCOL / HTTP/1.1\r\nHost: a\r\n\r\n", false, false, false, MethodOther},
	}
	for _, tt := range tests {
		var p Parser
		var h headers.Table
		if _, err := p.Parse([]byte(tt.in), &h); err != nil {
			t.Fatalf("Parse(%q) = %v", tt.in, err)
		}
		if p.Upgrade() != tt.upgrade || p.Expect100() != tt.expect || p.Method() != tt.method {
			t.Errorf("Parse(%q): upgrade=%v expect=%v method=%v; want %v %v %v", tt.in, p.Upgrade(), p.Expect100(), p.Method(), tt.upgrade, tt.expect, tt.method)
		}
	}
}

func TestCodeNames(t *testing.T) {
	seen := map[string]bool{}
	for c := Code(1); c < numCodes; c++ {
		if c.Name() == "" || seen[c.Name()] || c.Error() == "" {
			t.Errorf("code %d: name %q duplicate or empty", c, c.Name())
		}
		seen[c.Name()] = true
		switch c.Status() {
		case 400, 414, 431, 501, 505:
		default:
			t.Errorf("%v.Status() = %d", c.Name(), c.Status())
		}
	}
}

// TestNextKeepsWindow parses pipelined heads with Next, which keeps the
// classified window, and checks every field against parsing each head alone.
func TestNextKeepsWindow(t *testing.T) {
	msgs := []string{shortRequest, "GET /b HTTP/1.1\r\nHost: b\r\nX: " + strings.Repeat("v", 300) + "\r\n\r\n",
		"POST /c HTTP/1.1\r\nHost: c\r\nContent-Length: 3\r\n\r\nabc", browserRequest, "GET /d HTTP/1.1\r\nHost: d\r\n\r\n"}
	buf := []byte(strings.Join(msgs, ""))
	for _, simd := range []bool{true, false} {
		was := SetSIMD(simd)
		var p Parser
		var h headers.Table
		off := 0
		for i, m := range msgs {
			h.Reset(nil)
			n, err := p.Parse(buf[off:], &h)
			want := parseWhole(Request, nil, m)
			if err != nil || n == 0 {
				t.Fatalf("simd=%v message %d: n=%d err=%v", simd, i, n, err)
			}
			got := parseWhole(Request, nil, string(buf[off:off+len(m)]))
			if got != want || n != want.n {
				t.Fatalf("simd=%v message %d: %v (n=%d); want %v", simd, i, got, n, want)
			}
			var fields []string
			for j := range h.Len() {
				fields = append(fields, string(h.Name(j))+"="+string(h.Value(j)))
			}
			if strings.Join(fields, "|") != want.fields {
				t.Fatalf("simd=%v message %d: fields %q; want %q", simd, i, fields, want.fields)
			}
			p.Next(len(m))
			off += len(m)
		}
		SetSIMD(was)
	}
}

// TestHostCheckedPerMessage checks that the remembered valid Host does not
// let a later, different value through on the same Parser.
func TestHostCheckedPerMessage(t *testing.T) {
	var p Parser
	var h headers.Table
	for i, tt := range []struct {
		host string
		ok   bool
	}{
		{"example.com", true}, {"example.com", true}, {"exa<ple.com", false},
		{"example.com", true}, {"example.co/", false}, {"", true}, {"a", true},
	} {
		p.Reset()
		h.Reset(nil)
		_, err := p.Parse([]byte("GET / HTTP/1.1\r\nHost: "+tt.host+"\r\n\r\n"), &h)
		if (err == nil) != tt.ok {
			t.Fatalf("message %d, Host %q: err %v; want ok=%v", i, tt.host, err, tt.ok)
		}
	}
}

// TestHostOptional: an HTTP/1.1 request without Host is refused unless
// Config.HostOptional (Node's requireHostHeader: false).
func TestHostOptional(t *testing.T) {
	for _, optional := range []bool{false, true} {
		var p Parser
		p.Init(Request, &Config{HostOptional: optional})
		var h headers.Table
		_, err := p.Parse([]byte("GET / HTTP/1.1\r\n\r\n"), &h)
		if want := !optional; (err == ErrMissingHost) != want {
			t.Errorf("HostOptional %v: err %v", optional, err)
		}
	}
}

package fuzz

import (
	"regexp"
	"strings"
)

// A reference for the Host field and the request-target forms, written
// straight from the ABNF of RFC 3986 §3.2 and RFC 9112 §3.2 as regular
// expressions, one named piece per rule, so that it shares no code and no
// structure with the parser's hand-written scanners. The grammar fuzz
// targets compare the two.

// abnf builds a regular expression from rule definitions: each "<name>"
// in a definition is replaced by the (grouped) expression of an earlier rule.
type abnf map[string]string

func (g abnf) def(name, expr string) {
	for k, v := range g {
		expr = strings.ReplaceAll(expr, "<"+k+">", "(?:"+v+")")
	}
	if undefinedRule.MatchString(expr) {
		panic("abnf: undefined rule in " + name + ": " + expr)
	}
	g[name] = expr
}

var undefinedRule = regexp.MustCompile(`<[A-Za-z][A-Za-z0-9-]*>`)

func (g abnf) compile(name string) *regexp.Regexp {
	return regexp.MustCompile(`^(?:` + g[name] + `)$`)
}

var uriGrammar = func() abnf {
	g := abnf{}
	g.def("HEXDIG", `[0-9A-Fa-f]`)
	g.def("DIGIT", `[0-9]`)
	g.def("ALPHA", `[A-Za-z]`)
	g.def("unreserved", `[A-Za-z0-9\-._~]`)
	g.def("sub-delims", `[!$&'()*+,;=]`)
	g.def("pct-encoded", `%<HEXDIG><HEXDIG>`)
	// dec-octet = DIGIT / %x31-39 DIGIT / "1" 2DIGIT / "2" %x30-34 DIGIT / "25" %x30-35
	g.def("dec-octet", `<DIGIT>|[1-9]<DIGIT>|1<DIGIT>{2}|2[0-4]<DIGIT>|25[0-5]`)
	g.def("IPv4address", `<dec-octet>\.<dec-octet>\.<dec-octet>\.<dec-octet>`)
	g.def("h16", `<HEXDIG>{1,4}`)
	g.def("ls32", `<h16>:<h16>|<IPv4address>`)
	g.def("IPv6address", strings.Join([]string{
		`(?:<h16>:){6}<ls32>`,
		`::(?:<h16>:){5}<ls32>`,
		`(?:<h16>)?::(?:<h16>:){4}<ls32>`,
		`(?:(?:<h16>:){0,1}<h16>)?::(?:<h16>:){3}<ls32>`,
		`(?:(?:<h16>:){0,2}<h16>)?::(?:<h16>:){2}<ls32>`,
		`(?:(?:<h16>:){0,3}<h16>)?::<h16>:<ls32>`,
		`(?:(?:<h16>:){0,4}<h16>)?::<ls32>`,
		`(?:(?:<h16>:){0,5}<h16>)?::<h16>`,
		`(?:(?:<h16>:){0,6}<h16>)?::`,
	}, "|"))
	// ABNF strings are case-insensitive: "v" is also "V".
	g.def("IPvFuture", `[vV]<HEXDIG>+\.(?:<unreserved>|<sub-delims>|:)+`)
	g.def("IP-literal", `\[(?:<IPv6address>|<IPvFuture>)\]`)
	g.def("reg-name", `(?:<unreserved>|<pct-encoded>|<sub-delims>)*`)
	g.def("host", `<IP-literal>|<IPv4address>|<reg-name>`)
	g.def("port", `<DIGIT>*`)
	g.def("Host", `<host>(?::<port>)?`) // RFC 9110 §7.2: uri-host [ ":" port ]

	// authority-form = uri-host ":" port, where CONNECT needs a host and a
	// port to connect to (RFC 9110 §9.3.6): the reg-name and port are 1*.
	g.def("authority-form", `(?:<IP-literal>|(?:<unreserved>|<pct-encoded>|<sub-delims>)+):<DIGIT>+`)

	// pchar = unreserved / pct-encoded / sub-delims / ":" / "@", widened as
	// the parser documents: every VCHAR but "%", "/" and "?" (which the
	// rules below place), or a pct-encoded octet.
	g.def("pchar", `[!-$&-.0->@-~]|<pct-encoded>`)
	g.def("segment", `<pchar>*`)
	g.def("segment-nz", `<pchar>+`)
	g.def("query", `(?:<pchar>|/|\?)*`)
	g.def("absolute-path", `(?:/<segment>)+`)
	g.def("origin-form", `<absolute-path>(?:\?<query>)?`)
	g.def("scheme", `<ALPHA>(?:<ALPHA>|<DIGIT>|[+\-.])*`)
	g.def("userinfo", `(?:<unreserved>|<pct-encoded>|<sub-delims>|:)*`)
	g.def("authority", `(?:<userinfo>@)?<host>(?::<port>)?`)
	g.def("path-abempty", `(?:/<segment>)*`)
	g.def("path-absolute", `/(?:<segment-nz>(?:/<segment>)*)?`)
	g.def("path-rootless", `<segment-nz>(?:/<segment>)*`)
	g.def("hier-part", `//<authority><path-abempty>|<path-absolute>|<path-rootless>|`)
	g.def("absolute-URI", `<scheme>:(?:<hier-part>)(?:\?<query>)?`)

	// RFC 9110 §4.2.1 and §4.2.4: an http(s) URI has an authority with a
	// non-empty host and, as a recipient treats it, no userinfo.
	g.def("http-URI", `(?i:https?)://(?:<IP-literal>|<IPv4address>|(?:<unreserved>|<pct-encoded>|<sub-delims>)+)(?::<port>)?<path-abempty>(?:\?<query>)?`)
	return g
}()

var (
	refHost          = uriGrammar.compile("Host")
	refAuthorityForm = uriGrammar.compile("authority-form")
	refOriginForm    = uriGrammar.compile("origin-form")
	refAbsoluteURI   = uriGrammar.compile("absolute-URI")
	refHTTPURI       = uriGrammar.compile("http-URI")
	refHTTPScheme    = regexp.MustCompile(`^(?i:https?):`)
)

// refTarget reports whether target is a request-target that method may
// use (RFC 9112 §3.2): authority-form only and always for CONNECT,
// asterisk-form only for OPTIONS, origin-form or absolute-form otherwise.
func refTarget(method string, target []byte) bool {
	switch {
	case method == "CONNECT":
		return refAuthorityForm.Match(target)
	case string(target) == "*":
		return method == "OPTIONS"
	case refOriginForm.Match(target):
		return true
	case refHTTPScheme.Match(target):
		return refHTTPURI.Match(target)
	}
	return refAbsoluteURI.Match(target)
}

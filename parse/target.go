package parse

// request-target = origin-form / absolute-form / authority-form / asterisk-form
// origin-form    = absolute-path [ "?" query ]                (RFC 9112 §3.2)
// absolute-form  = absolute-URI
// authority-form = uri-host ":" port
// asterisk-form  = "*"
//
// absolute-URI = scheme ":" hier-part [ "?" query ]          (RFC 3986 §4.3)
// scheme       = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
// hier-part    = "//" authority path-abempty / path-absolute / path-rootless / path-empty
// authority    = [ userinfo "@" ] host [ ":" port ]
// userinfo     = *( unreserved / pct-encoded / sub-delims / ":" )
//
// The bytes of a target are checked by the scan (clsTgt): visible ASCII, and
// every "%" starts a pct-encoded octet (skipPct). Paths and queries may hold
// any visible ASCII byte, not only RFC 3986 pchar: browsers send "|", "^",
// "{" and "}" in queries unencoded, and net/http and llhttp accept them.
// validTarget then checks the form, which must suit the method.

// skipPct continues a target scan that stopped at b[q]: while that is a
// "%" followed by two HEXDIG, the scan goes on after them. It returns the
// offset of the byte that ends the scan, which is a "%" only when a digit
// is bad or has not arrived.
//
//	pct-encoded = "%" HEXDIG HEXDIG   (RFC 3986 §2.1)
func (p *Parser) skipPct(b []byte, q int) int {
	for q < len(b) && pctEncoded(b, q) {
		q += 3
		if r := p.win.hit(clsTgt, q); r >= 0 {
			q = r
		} else {
			q = p.win.next(b, clsTgt, q)
		}
	}
	return q
}

// badPct returns the offset of the first bad digit of the "%" escape at
// b[q], or -1 while the digits that have arrived are HEXDIG.
func badPct(b []byte, q int) int {
	for i := q + 1; i < len(b) && i <= q+2; i++ {
		if !isHex(b[i]) {
			return i
		}
	}
	return -1
}

// validTarget reports whether t, a request-target whose bytes the scan
// accepted, has a form method m may use: authority-form for CONNECT and
// only for it (RFC 9112 §3.2.3), asterisk-form only for OPTIONS (§3.2.4),
// origin-form or absolute-form for every other method.
func validTarget(t []byte, m Method) bool {
	switch {
	case m == MethodCONNECT:
		return validAuthorityForm(t)
	case t[0] == '/':
		return true // origin-form: absolute-path [ "?" query ]
	case len(t) == 1 && t[0] == '*':
		return m == MethodOPTIONS
	}
	return validAbsoluteForm(t)
}

// validAuthorityForm reports whether t is uri-host ":" port with a host and
// a port. The ABNF allows an empty reg-name and port, but CONNECT needs both
// to name where to connect (RFC 9110 §9.3.6: "only the host and port").
func validAuthorityForm(t []byte) bool {
	host, port, ok := splitHostPort(t)
	return ok && len(host) > 0 && len(port) > 0 && allDigits(port) && validURIHost(host)
}

// validAbsoluteForm reports whether t is an absolute-URI. An http or https
// URI must have a host and no userinfo (RFC 9110 §4.2.1, §4.2.4: a recipient
// should treat userinfo as an error, it serves to hide the real host).
func validAbsoluteForm(t []byte) bool {
	i := 0
	for i < len(t) && uriClass[t[i]]&uriScheme != 0 {
		i++
	}
	if i == 0 || i == len(t) || t[i] != ':' || !isAlpha(t[0]) {
		return false
	}
	scheme, rest := t[:i], t[i+1:]
	if len(rest) < 2 || rest[0] != '/' || rest[1] != '/' {
		// path-absolute / path-rootless / path-empty: the scan checked the bytes.
		return !isHTTPScheme(scheme)
	}
	// The authority ends at the path-abempty or the query, whose bytes the
	// scan checked. Not at "#": an absolute-URI has no fragment, so a "#"
	// here is a byte the authority may not hold.
	auth := rest[2:]
	for j, c := range auth {
		if c == '/' || c == '?' {
			auth = auth[:j]
			break
		}
	}
	http := isHTTPScheme(scheme)
	for j := len(auth) - 1; j >= 0; j-- {
		if auth[j] == '@' {
			if http || !validUserinfo(auth[:j]) {
				return false
			}
			auth = auth[j+1:]
			break
		}
	}
	host, port, ok := splitHostPort(auth)
	return ok && allDigits(port) && validURIHost(host) && (len(host) > 0 || !http)
}

// validUserinfo reports whether u is a userinfo; "%" was checked by the scan.
func validUserinfo(u []byte) bool {
	for _, c := range u {
		if uriClass[c]&uriRegName == 0 && c != ':' && c != '%' {
			return false
		}
	}
	return true
}

// isHTTPScheme reports whether s is "http" or "https", in any case (RFC 3986 §3.1).
func isHTTPScheme(s []byte) bool {
	if len(s) != 4 && len(s) != 5 {
		return false
	}
	const name = "https"
	for i, c := range s {
		if c|0x20 != name[i] {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

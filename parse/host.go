package parse

// Host       = uri-host [ ":" port ]                      (RFC 9110 §7.2)
// uri-host   = IP-literal / IPv4address / reg-name        (RFC 3986 §3.2.2)
// IP-literal = "[" ( IPv6address / IPvFuture ) "]"
// IPvFuture  = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
// reg-name   = *( unreserved / pct-encoded / sub-delims )
// port       = *DIGIT                                     (RFC 3986 §3.2.3)
//
// Every IPv4address is also a reg-name (digits and dots are unreserved), so a
// host that is not an IP-literal is checked as a reg-name. RFC 6874 zone
// identifiers ("[fe80::1%25en0]") are not part of RFC 9110's grammar and are
// refused.

// ValidHost reports whether v is a valid Host field value: a uri-host,
// optionally followed by ":" and a port of digits. The empty value is valid
// (RFC 9112 §3.2: a request whose target has no authority sends an empty
// Host). The engine's client checks the Host it builds with it.
func ValidHost(v []byte) bool {
	if regNameBytes(v) {
		return true // the common "example.com": one pass of the table
	}
	host, port, ok := splitHostPort(v)
	return ok && allDigits(port) && validURIHost(host)
}

// splitHostPort splits uri-host [ ":" port ] at the port's colon, the first
// one after an IP-literal's "]". port is nil when there is no colon, empty
// when nothing follows it. ok is false when bytes follow an IP-literal's "]"
// that are not a port.
func splitHostPort(v []byte) (host, port []byte, ok bool) {
	i := 0
	if len(v) > 0 && v[0] == '[' {
		for i < len(v) && v[i] != ']' {
			i++
		}
		if i == len(v) {
			return nil, nil, false
		}
		i++
		if i < len(v) && v[i] != ':' {
			return nil, nil, false
		}
	}
	for ; i < len(v); i++ {
		if v[i] == ':' {
			return v[:i], v[i+1:], true
		}
	}
	return v, nil, true
}

// validURIHost reports whether h is a uri-host.
func validURIHost(h []byte) bool {
	if len(h) > 0 && h[0] == '[' {
		if len(h) < 2 || h[len(h)-1] != ']' {
			return false
		}
		in := h[1 : len(h)-1]
		if len(in) > 0 && (in[0] == 'v' || in[0] == 'V') {
			return validIPvFuture(in)
		}
		return validIPv6(in)
	}
	return validRegName(h)
}

// validRegName reports whether h is a reg-name: unreserved and sub-delims
// bytes, and "%" only as the start of a pct-encoded octet.
func validRegName(h []byte) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if uriClass[c]&uriRegName != 0 {
			continue
		}
		if c != '%' || !pctEncoded(h, i) {
			return false
		}
		i += 2
	}
	return true
}

// regNameBytes reports whether every byte of v is unreserved or a sub-delim:
// then v is a reg-name without a port or a pct-encoded octet.
func regNameBytes(v []byte) bool {
	// ORs the table four bytes at a time and branches once per four: every
	// request carries a Host, and a branch per byte cost 9 instructions a byte.
	var bad byte
	i := 0
	for ; i+4 <= len(v); i += 4 {
		w := v[i : i+4 : i+4] // one bounds check for the four loads
		bad |= notRegName[w[0]] | notRegName[w[1]] | notRegName[w[2]] | notRegName[w[3]]
	}
	for ; i < len(v); i++ {
		bad |= notRegName[v[i]]
	}
	return bad == 0
}

// pctEncoded reports whether b[i:] starts with pct-encoded = "%" HEXDIG HEXDIG.
func pctEncoded(b []byte, i int) bool {
	return i+2 < len(b) && b[i] == '%' && isHex(b[i+1]) && isHex(b[i+2])
}

// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
func validIPvFuture(s []byte) bool {
	i := 1
	for i < len(s) && isHex(s[i]) {
		i++
	}
	if i == 1 || i == len(s) || s[i] != '.' || i+1 == len(s) {
		return false
	}
	for _, c := range s[i+1:] {
		if uriClass[c]&uriRegName == 0 && c != ':' {
			return false
		}
	}
	return true
}

// validIPv6 reports whether s is an IPv6address (RFC 3986 §3.2.2): eight
// h16 groups separated by ":", or fewer with one "::" standing for at least
// one group; an IPv4address may take the place of the last two groups.
//
//	IPv6address =                            6( h16 ":" ) ls32
//	            /                       "::" 5( h16 ":" ) ls32
//	            / [ *4( h16 ":" ) h16 ] "::"              ls32   (and the forms between)
//	            / [ *5( h16 ":" ) h16 ] "::"              h16
//	            / [ *6( h16 ":" ) h16 ] "::"
//	h16  = 1*4HEXDIG
//	ls32 = ( h16 ":" h16 ) / IPv4address
func validIPv6(s []byte) bool {
	groups, gap, i := 0, false, 0
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		gap, i = true, 2
	}
	for i < len(s) {
		j := i
		for j < len(s) && j-i < 5 && isHex(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '.' {
			if !validIPv4(s[i:]) {
				return false
			}
			groups += 2
			break
		}
		if j == i || j-i > 4 {
			return false
		}
		groups++
		if i = j; i == len(s) {
			break
		}
		if s[i] != ':' || i+1 == len(s) {
			return false // not a separator, or a trailing single ":"
		}
		i++
		if s[i] == ':' {
			if gap {
				return false
			}
			gap = true
			i++
		}
	}
	if gap {
		return groups <= 7
	}
	return groups == 8
}

// IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet
// dec-octet   = DIGIT / %x31-39 DIGIT / "1" 2DIGIT / "2" %x30-34 DIGIT / "25" %x30-35
func validIPv4(s []byte) bool {
	for k := 0; k < 4; k++ {
		if k > 0 {
			if len(s) == 0 || s[0] != '.' {
				return false
			}
			s = s[1:]
		}
		n, v := 0, 0
		for n < len(s) && n < 3 && isDigit(s[n]) {
			v = v*10 + int(s[n]-'0')
			n++
		}
		if n == 0 || n > 1 && s[0] == '0' || v > 255 {
			return false
		}
		s = s[n:]
	}
	return len(s) == 0
}

// allDigits reports whether every byte of b is a DIGIT (true for none).
func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return uriClass[c]&uriHex != 0 }

// Bits of uriClass.
const (
	uriRegName = 1 << iota // unreserved / sub-delims
	uriHex                 // HEXDIG
	uriScheme              // ALPHA / DIGIT / "+" / "-" / "."
)

// uriClass holds the RFC 3986 classes of each byte; immutable after init.
//
//	unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
//	sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
var uriClass = func() (t [256]uint8) {
	for i := range t {
		c := byte(i)
		alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		digit := isDigit(c)
		if alpha || digit || contains("-._~!$&'()*+,;=", c) {
			t[i] |= uriRegName
		}
		if digit || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' {
			t[i] |= uriHex
		}
		if alpha || digit || c == '+' || c == '-' || c == '.' {
			t[i] |= uriScheme
		}
	}
	return t
}()

// notRegName is 1 for the bytes uriClass does not mark uriRegName, for
// regNameBytes' OR loop.
var notRegName = func() (t [256]byte) {
	for i := range t {
		if uriClass[i]&uriRegName == 0 {
			t[i] = 1
		}
	}
	return t
}()

func contains(s string, c byte) bool {
	for i := range len(s) {
		if s[i] == c {
			return true
		}
	}
	return false
}

package headers

// NextElement splits the first element off a comma-separated field value
// (RFC 9110 §5.6.1 #rule), trimming optional whitespace around it. Empty
// elements are returned as such; callers skip them.
func NextElement(v []byte) (elem, rest []byte) {
	i := 0
	for i < len(v) && v[i] != ',' {
		i++
	}
	elem, rest = v[:i], v[min(i+1, len(v)):]
	for len(elem) > 0 && (elem[0] == ' ' || elem[0] == '\t') {
		elem = elem[1:]
	}
	for len(elem) > 0 && (elem[len(elem)-1] == ' ' || elem[len(elem)-1] == '\t') {
		elem = elem[:len(elem)-1]
	}
	return elem, rest
}

// HasToken reports whether the comma-separated value v holds the element tok,
// compared ignoring ASCII case: HasToken("keep-alive, Upgrade", "upgrade").
func HasToken(v []byte, tok string) bool {
	for len(v) > 0 {
		var elem []byte
		elem, v = NextElement(v)
		if EqualFold(elem, tok) {
			return true
		}
	}
	return false
}

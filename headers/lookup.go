package headers

// maxKnownLen is the length of the longest well-known name.
const maxKnownLen = len("proxy-authorization")

// byLower maps lower-case names to ids. Indexing a map with string(b) for a
// []byte b does not allocate.
var byLower = func() map[string]ID {
	m := make(map[string]ID, numIDs)
	for id := ID(1); id < numIDs; id++ {
		m[canonical[id]] = id
	}
	return m
}()

// LookupID returns the id of a header name, compared case-insensitively,
// or Unknown. It does not allocate.
func LookupID(name []byte) ID {
	if len(name) == 0 || len(name) > maxKnownLen {
		return Unknown
	}
	var buf [maxKnownLen]byte
	for i, c := range name {
		buf[i] = toLower(c)
	}
	return byLower[string(buf[:len(name)])]
}

func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

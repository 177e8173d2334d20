package compat

import "github.com/zerohttp/zerohttp/engine"

// STATUS_CODES maps every status code Node's http.STATUS_CODES knows to its
// reason phrase, exactly as Node v20 does (TestSTATUS_CODESMatchesNode checks
// it against node). It is built from the engine's reason phrases, which are
// Node's. It must not be modified.
var STATUS_CODES = func() map[int]string {
	m := make(map[int]string)
	for code := 100; code < 600; code++ {
		if text := engine.StatusText(code); text != "" {
			m[code] = text
		}
	}
	return m
}()

// statusText is the reason phrase Node sends for code: its STATUS_CODES
// entry, or "unknown".
func statusText(code int) string {
	if text := engine.StatusText(code); text != "" {
		return text
	}
	return "unknown"
}

//go:build invariants

package parse

import "hash/maphash"

// invariants is set by the invariants build tag (make test runs the suite
// with it): the parser then checks that callers keep its input contract.
const invariants = true

var prefixSeed = maphash.MakeSeed()

// prefixCheck remembers a hash of the bytes a Parser has checked, so that the
// next call can verify they are unchanged: a caller that reuses or rewrites
// its buffer under a resumed parse would otherwise get spans to wrong bytes.
type prefixCheck struct {
	n    int
	hash uint64
}

// check panics if b no longer starts with the bytes seen up to the last call,
// then records b[:upTo]. It is a broken caller contract, not bad input.
func (c *prefixCheck) check(b []byte, upTo int) {
	if c.n > 0 && (len(b) < c.n || maphash.Bytes(prefixSeed, b[:c.n]) != c.hash) {
		panic("parse: the bytes of a resumed parse changed between calls")
	}
	upTo = min(upTo, len(b))
	c.n, c.hash = upTo, maphash.Bytes(prefixSeed, b[:upTo])
}

func (c *prefixCheck) reset() { c.n = 0 }

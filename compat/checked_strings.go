package compat

import (
	"sync/atomic"
	"unsafe"
)

// checkedStrings remembers strings found valid, so that the check of a
// header name or value set from a constant, as Node programs mostly do,
// runs once rather than on every request. A string is known by the address
// and length of its bytes: a Go string's bytes never change, and the entry
// keeps them alive, so an entry with both is that very text. A string has
// two slots side by side (a two-way set); the first strings to take them
// keep them, and a miss costs two loads.
type checkedStrings [64]atomic.Pointer[string]

// maxChecked bounds the strings remembered, which are kept alive for good.
const maxChecked = 64

var validNames, validValues checkedStrings

// set returns the index of s's first slot; the second follows it.
func (c *checkedStrings) set(s string) uintptr {
	p := uintptr(unsafe.Pointer(unsafe.StringData(s))) + uintptr(len(s))
	return uintptr(uint64(p)*0x9e3779b97f4a7c15>>59) &^ 1 // 0 to 62, even
}

// has reports whether s was added.
func (c *checkedStrings) has(s string) bool {
	i := c.set(s)
	return same(c[i].Load(), s) || same(c[i+1].Load(), s)
}

func same(k *string, s string) bool {
	return k != nil && len(*k) == len(s) && unsafe.StringData(*k) == unsafe.StringData(s)
}

// add remembers s, which was found valid, if one of its slots is free.
func (c *checkedStrings) add(s string) {
	if len(s) == 0 || len(s) > maxChecked {
		return
	}
	i := c.set(s)
	for _, sl := range []*atomic.Pointer[string]{&c[i], &c[i+1]} {
		if sl.Load() == nil {
			k := s
			if sl.CompareAndSwap(nil, &k) {
				return
			}
		}
	}
}

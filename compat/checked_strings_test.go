package compat

import (
	"strings"
	"testing"
)

// TestCheckedStrings: a string is known by its bytes' address and length,
// so a copy of a remembered string, or another string of its length, is
// checked again; a taken slot is kept.
func TestCheckedStrings(t *testing.T) {
	var c checkedStrings
	name := "X-Checked-Name"
	if c.has(name) {
		t.Fatal("has before add")
	}
	c.add(name)
	if !c.has(name) {
		t.Fatal("not remembered")
	}
	if c.has(strings.Clone(name)) {
		t.Fatal("a copy at another address counts as checked")
	}
	if c.has(name[:len(name)-1]) {
		t.Fatal("a prefix counts as checked")
	}
	long := strings.Repeat("a", maxChecked+1)
	c.add(long)
	if c.has(long) {
		t.Fatal("a string over maxChecked remembered")
	}
}

// TestSetHeaderCheckedAgain: names and values remembered as valid do not
// let an invalid one through, however often they were set.
func TestSetHeaderCheckedAgain(t *testing.T) {
	res := &ServerResponse{x: &exchange{}}
	for range 3 {
		if err := res.SetHeader("X-Ok", "fine"); err != nil {
			t.Fatal(err)
		}
		bad := strings.Clone("X-Ok\r\nX-Evil: 1")
		if err := res.SetHeader(bad, "fine"); err == nil {
			t.Fatal("invalid name accepted")
		}
		if err := res.SetHeader("X-Ok", strings.Clone("fine\r\nX-Evil: 1")); err == nil {
			t.Fatal("invalid value accepted")
		}
	}
}

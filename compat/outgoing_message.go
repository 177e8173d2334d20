package compat

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zerohttp/zerohttp/headers"
)

// outHeaders is Node's OutgoingMessage header store, shared by
// ServerResponse and ClientRequest: fields in the order their names were
// first set, matched case-insensitively, each keeping the case it was last
// set with. Guarded by the owner's mutex.
type outHeaders struct {
	fields []outField
}

// outField is one field. A single value, the common case, is held in
// value, so that SetHeader allocates nothing for it; a list is behind a
// pointer, which keeps a server exchange's two inline fields small.
type outField struct {
	name  string    // as last set
	value string    // the value, when many is nil
	many  *[]string // the values, when there are none or several; nil otherwise
}

// len returns the number of values.
func (f *outField) len() int {
	if f.many == nil {
		return 1
	}
	return len(*f.many)
}

// at returns the i-th value.
func (f *outField) at(i int) string {
	if f.many == nil {
		return f.value
	}
	return (*f.many)[i]
}

// setValues stores a copy of values.
func (f *outField) setValues(values []string) {
	if len(values) == 1 {
		f.value, f.many = values[0], nil
		return
	}
	// Not nil even when empty: nil means one value.
	many := append(make([]string, 0, len(values)), values...)
	f.value, f.many = "", &many
}

func (h *outHeaders) find(name string) int {
	for i := range h.fields {
		if n := h.fields[i].name; len(n) == len(name) && strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}

// validateField checks a field as Node's setHeader does, with Node's
// messages naming the field.
func validateField(name string, values []string) error {
	if !validNames.has(name) {
		if err := ValidateHeaderName(name); err != nil {
			return err
		}
		validNames.add(name)
	}
	for _, v := range values {
		if !validValues.has(v) {
			if ValidateHeaderValue(v) != nil {
				return invalidChar(name)
			}
			validValues.add(v)
		}
	}
	return nil
}

// checkField is validateField for one value.
func checkField(name, value string) error {
	if validNames.has(name) && validValues.has(value) {
		return nil
	}
	return validateField(name, []string{value})
}

// setOne replaces name's values with value (Node's setHeader).
func (h *outHeaders) setOne(name, value string) {
	if i := h.find(name); i >= 0 {
		h.fields[i] = outField{name: name, value: value}
		return
	}
	h.fields = append(h.fields, outField{name: name, value: value})
}

// set replaces name's values with a copy of values (Node's setHeader).
func (h *outHeaders) set(name string, values []string) {
	i := h.find(name)
	if i < 0 {
		i = len(h.fields)
		h.fields = append(h.fields, outField{})
	}
	h.fields[i].name = name
	h.fields[i].setValues(values)
}

// append adds values to name's (Node's appendHeader).
func (h *outHeaders) append(name string, values []string) {
	i := h.find(name)
	if i < 0 {
		h.set(name, values)
		return
	}
	f := &h.fields[i]
	all := make([]string, 0, f.len()+len(values))
	for j := 0; j < f.len(); j++ {
		all = append(all, f.at(j))
	}
	all = append(all, values...)
	f.value, f.many = "", &all
}

// first returns name's first value, and whether it has one.
func (h *outHeaders) first(name string) (string, bool) {
	i := h.find(name)
	if i < 0 || h.fields[i].len() == 0 {
		return "", false
	}
	return h.fields[i].at(0), true
}

// value returns name's values joined for GetHeader, as Node's string
// conversion of an array does for all but set-cookie; "" if unset.
func (h *outHeaders) value(name string) string {
	i := h.find(name)
	if i < 0 {
		return ""
	}
	f := &h.fields[i]
	if f.many == nil {
		return f.value
	}
	return strings.Join(*f.many, ", ")
}

// list returns a copy of name's values, nil if unset.
func (h *outHeaders) list(name string) []string {
	i := h.find(name)
	if i < 0 {
		return nil
	}
	return h.fields[i].list()
}

// list returns a copy of f's values.
func (f *outField) list() []string {
	if f.many == nil {
		return []string{f.value}
	}
	return append([]string(nil), (*f.many)...)
}

func (h *outHeaders) del(name string) {
	if i := h.find(name); i >= 0 {
		h.fields = append(h.fields[:i], h.fields[i+1:]...)
	}
}

func (h *outHeaders) names() []string {
	n := make([]string, len(h.fields))
	for i := range h.fields {
		n[i] = strings.ToLower(h.fields[i].name)
	}
	return n
}

func (h *outHeaders) rawNames() []string {
	n := make([]string, len(h.fields))
	for i := range h.fields {
		n[i] = h.fields[i].name
	}
	return n
}

func (h *outHeaders) snapshot() map[string][]string {
	m := make(map[string][]string, len(h.fields))
	for i := range h.fields {
		m[strings.ToLower(h.fields[i].name)] = h.fields[i].list()
	}
	return m
}

// contentLength returns the Content-Length the user set, if any.
func (h *outHeaders) contentLength() (int64, bool) {
	v, ok := h.first("content-length")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// fill adds every field to t, in order, one line per value, each value
// as Node writes a header string: in latin1 (see latin1).
func (h *outHeaders) fill(t *headers.Table) {
	for i := range h.fields {
		f := &h.fields[i]
		for j := 0; j < f.len(); j++ {
			t.AddString(f.name, latin1(f.at(j)))
		}
	}
}

// latin1 returns v as Node sends a header value: a Go string that is valid
// UTF-8 stands for its code points, each sent as one byte ("café" goes as
// caf\xe9); other strings go as they are. Code points above U+00FF are
// refused beforehand (validateLatin1).
func latin1(v string) string {
	ascii := true
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii || !utf8.ValidString(v) {
		return v
	}
	b := make([]byte, 0, len(v))
	for _, r := range v {
		b = append(b, byte(r))
	}
	return string(b)
}

// validateLatin1 is validateField for a request's fields, which Node also
// refuses with a code point above U+00FF.
func validateLatin1(name string, values []string) error {
	if err := validateField(name, values); err != nil {
		return err
	}
	for _, v := range values {
		if !utf8.ValidString(v) {
			continue
		}
		for _, r := range v {
			if r > 0xff {
				return invalidChar(name)
			}
		}
	}
	return nil
}

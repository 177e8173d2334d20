package compat

import (
	"strconv"
	"strings"

	"github.com/zerohttp/zerohttp/headers"
)

// outHeaders is Node's OutgoingMessage header store, shared by
// ServerResponse and ClientRequest: fields keyed by lower-cased name, in
// the order their names were first set, each keeping the case it was last
// set with. Guarded by the owner's mutex.
type outHeaders struct {
	fields []outField
}

type outField struct {
	name   string // as last set
	lower  string
	values []string
}

func (h *outHeaders) find(name string) int {
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].name, name) {
			return i
		}
	}
	return -1
}

// validate checks a field as Node's setHeader does.
func validateField(name string, values []string) error {
	if err := ValidateHeaderName(name); err != nil {
		return err
	}
	for _, v := range values {
		if err := ValidateHeaderValue(v); err != nil {
			return err
		}
	}
	return nil
}

// set replaces name's values (Node's setHeader).
func (h *outHeaders) set(name string, values []string) {
	vs := append([]string(nil), values...)
	if i := h.find(name); i >= 0 {
		h.fields[i].name, h.fields[i].values = name, vs
		return
	}
	h.fields = append(h.fields, outField{name: name, lower: strings.ToLower(name), values: vs})
}

// append adds values to name's (Node's appendHeader).
func (h *outHeaders) append(name string, values []string) {
	if i := h.find(name); i >= 0 {
		h.fields[i].values = append(h.fields[i].values, values...)
		return
	}
	h.set(name, values)
}

func (h *outHeaders) get(name string) []string {
	if i := h.find(name); i >= 0 {
		return h.fields[i].values
	}
	return nil
}

func (h *outHeaders) del(name string) {
	if i := h.find(name); i >= 0 {
		h.fields = append(h.fields[:i], h.fields[i+1:]...)
	}
}

func (h *outHeaders) names() []string {
	n := make([]string, len(h.fields))
	for i := range h.fields {
		n[i] = h.fields[i].lower
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
		m[h.fields[i].lower] = append([]string(nil), h.fields[i].values...)
	}
	return m
}

// contentLength returns the Content-Length the user set, if any.
func (h *outHeaders) contentLength() (int64, bool) {
	vs := h.get("content-length")
	if len(vs) == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(vs[0]), 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// fill adds every field to t, in order, one line per value.
func (h *outHeaders) fill(t *headers.Table) {
	for i := range h.fields {
		for _, v := range h.fields[i].values {
			t.AddString(h.fields[i].name, v)
		}
	}
}

// headerValue joins a field's values for GetHeader, as Node's string
// conversion of an array does for all but set-cookie.
func headerValue(vs []string) string {
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0]
	}
	return strings.Join(vs, ", ")
}

package nethttp

import (
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"unsafe"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
)

// fillRequest copies r into req, a request reused for the connection's
// every request, as net/http's server would build it, without its Body.
// Every string of it is a piece of one copy of the head (one allocation):
// the strings a handler keeps stay as they were, only the request's fields
// and maps are reused. h is req's Header map, emptied here; vals is the
// connection's backing for its values.
func (ex *serverConn) fillRequest(r *engine.Request) error {
	req := ex.req
	*req = ex.blank
	t := r.Header()
	base := t.Base()
	head := string(base)
	view := func(b []byte) string {
		if off, ok := offsetIn(base, b); ok {
			return head[off : off+len(b)]
		}
		return string(b)
	}
	target := view(r.Target())
	method := methodString(r.MethodBytes(), view)
	u := &ex.url
	if !parseOriginForm(u, target) {
		rawURL := target
		justAuthority := method == http.MethodConnect && !strings.HasPrefix(target, "/")
		if justAuthority {
			rawURL = "http://" + target
		}
		pu, err := url.ParseRequestURI(rawURL)
		if err != nil {
			return err
		}
		if justAuthority {
			pu.Scheme = "" // as net/http: CONNECT host:port keeps only the authority
		}
		*u = *pu
	}
	major, minor := r.Version()
	h := ex.hdr
	clear(h)
	vals := ex.vals[:0]
	var host string
	sawHost := false
	for i := 0; i < t.Len(); i++ {
		if t.Field(i).ID == headers.Host {
			// net/http keeps Host out of the Header map: it goes to
			// req.Host (the first one) without a map entry to delete.
			if !sawHost {
				host, sawHost = view(t.Value(i)), true
			}
			continue
		}
		k := fieldKey(t, i, view)
		vals = append(vals, view(t.Value(i)))
		if old, ok := h[k]; ok {
			h[k] = append(old, vals[len(vals)-1])
		} else {
			h[k] = vals[len(vals)-1 : len(vals) : len(vals)]
		}
	}
	ex.vals = vals
	req.Method = method
	req.URL = u
	req.Proto = protoName(major, minor)
	req.ProtoMajor, req.ProtoMinor = major, minor
	req.Header = h
	req.RequestURI = target
	req.RemoteAddr = ex.remote
	req.Close = !r.KeepAlive()
	req.Host = u.Host
	if req.Host == "" {
		req.Host = host
	}
	req.ContentLength = r.ContentLength()
	if req.ContentLength < 0 {
		req.TransferEncoding = chunkedEncoding
		delete(h, "Content-Length")
		delete(h, "Transfer-Encoding")
		req.Trailer = declaredTrailer(h)
		delete(h, "Trailer")
	}
	return nil
}

// chunkedEncoding is every chunked request's TransferEncoding. It is
// shared, as handlers only read it.
var chunkedEncoding = []string{"chunked"}

// methodString returns the method, interned when it is a common one.
func methodString(m []byte, view func([]byte) string) string {
	switch string(m) {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodPost:
		return http.MethodPost
	case http.MethodHead:
		return http.MethodHead
	case http.MethodPut:
		return http.MethodPut
	case http.MethodDelete:
		return http.MethodDelete
	}
	return view(m)
}

// offsetIn returns where b starts in base, if b lies within it. The
// engine's views of a head are slices of its bytes; this finds them in the
// string copy of those bytes without another copy.
func offsetIn(base, b []byte) (int, bool) {
	if len(b) == 0 || len(base) == 0 {
		return 0, len(b) == 0
	}
	off := uintptr(unsafe.Pointer(unsafe.SliceData(b))) - uintptr(unsafe.Pointer(unsafe.SliceData(base)))
	if off > uintptr(len(base)) || uintptr(len(b)) > uintptr(len(base))-off {
		return 0, false
	}
	return int(off), true
}

// pathByte marks the bytes that a path keeps as they are in
// url.ParseRequestURI: those its escaping leaves alone, other than '%'.
// It is derived from net/url itself, so the two cannot disagree.
var pathByte = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		s := "/" + string(rune(c))
		if c == '%' || c == '?' {
			continue
		}
		if (&url.URL{Path: s}).EscapedPath() == s {
			t[c] = true
		}
	}
	return t
}()

// parseOriginForm fills u from an origin-form target ("/path?query") that
// url.ParseRequestURI would take as is: no escapes in the path, which then
// needs no RawPath. It reports false for any other target, which the caller
// hands to url.ParseRequestURI. TestParseOriginForm compares the two.
func parseOriginForm(u *url.URL, target string) bool {
	if len(target) == 0 || target[0] != '/' {
		return false
	}
	i := 0
	for i < len(target) && pathByte[target[i]] {
		i++
	}
	*u = url.URL{Path: target[:i]}
	if i == len(target) {
		return true
	}
	if target[i] != '?' {
		return false
	}
	q := target[i+1:]
	for j := 0; j < len(q); j++ {
		if c := q[j]; c < 0x20 || c == 0x7f {
			return false // ParseRequestURI refuses control bytes
		}
	}
	if q == "" {
		u.ForceQuery = true
	} else {
		u.RawQuery = q
	}
	return true
}

func protoName(major, minor int) string {
	if major == 1 && minor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// headerKeys holds the canonical key of each well-known header id (ids
// fit in 64, see headers.ID), made by CanonicalMIMEHeaderKey itself, so
// that a field the parser knew is filed without canonicalizing its name.
var headerKeys = func() (k [64]string) {
	for id := range k {
		if s := headers.ID(id).String(); s != "" {
			k[id] = textproto.CanonicalMIMEHeaderKey(s)
		}
	}
	return k
}()

// fieldKey returns the canonical key of t's field i; name gives its name as
// a string when it has no well-known id.
func fieldKey(t *headers.Table, i int, name func([]byte) string) string {
	if id := t.Field(i).ID; id != headers.Unknown {
		return headerKeys[id&63]
	}
	return textproto.CanonicalMIMEHeaderKey(name(t.Name(i)))
}

// headerSpace is room for a small head's values and the bytes behind them,
// held inside the object that owns the head, so that copying the head
// allocates nothing beyond the map. The owner may use text past used.
type headerSpace struct {
	vals [8]string
	text [headerText]byte
	used int // bytes of text under the head's strings
}

// headerText is the size of headerSpace.text: with the rest of a trip, it
// fills the 704-byte size class with its malloc header (TestTripSize), and
// holds the values of a usual head (Node's five fields take 59 bytes) and a
// body of over 150 bytes after them.
const headerText = 240

// copyHeader adds t's fields to h under their canonical names and returns
// the set of well-known ids among them (bit id). Values and unknown names
// are pieces of one string and the values' slices share one backing array,
// as net/textproto does for a head it reads; both live in sp when it is not
// nil and they fit, and are allocated otherwise. sp is written once: the
// strings over it must never change.
func copyHeader(h http.Header, t *headers.Table, sp *headerSpace) (seen uint64) {
	n := t.Len()
	if n == 0 {
		return 0
	}
	// Into an empty map, a well-known name not seen before needs no lookup.
	fresh := len(h) == 0
	size := 0
	for i := 0; i < n; i++ {
		f := t.Field(i)
		if f.ID == headers.Unknown {
			size += int(f.Name.Len)
		}
		size += int(f.Value.Len)
	}
	var b []byte
	var vals []string
	if sp != nil && size <= len(sp.text)-sp.used {
		b = sp.text[sp.used : sp.used : sp.used+size]
		sp.used += size
	} else {
		b = make([]byte, 0, size)
	}
	if sp != nil && n <= len(sp.vals) {
		vals = sp.vals[:n:n]
	} else {
		vals = make([]string, n)
	}
	// b never grows past its capacity, so each string made over the bytes
	// just appended stays on them; they are not written again.
	for i := 0; i < n; i++ {
		var k string
		first := false
		if id := t.Field(i).ID; id != headers.Unknown {
			k = headerKeys[id&63]
			bit := uint64(1) << (id & 63)
			first = fresh && seen&bit == 0
			seen |= bit
		} else {
			at := len(b)
			b = append(b, t.Name(i)...)
			k = textproto.CanonicalMIMEHeaderKey(bytesString(b[at:]))
		}
		at := len(b)
		b = append(b, t.Value(i)...)
		vals[i] = bytesString(b[at:])
		if first {
			h[k] = vals[i : i+1 : i+1]
		} else if old, ok := h[k]; ok {
			h[k] = append(old, vals[i])
		} else {
			h[k] = vals[i : i+1 : i+1]
		}
	}
	return seen
}

// bytesString returns b as a string without a copy; b must not change
// while the string lives.
func bytesString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// declaredTrailer returns the trailer fields that the Trailer field
// announces, with no values yet (net/http's Request.Trailer), or nil.
func declaredTrailer(h http.Header) http.Header {
	var tr http.Header
	for _, v := range h["Trailer"] {
		for _, k := range strings.Split(v, ",") {
			k = textproto.CanonicalMIMEHeaderKey(textproto.TrimString(k))
			switch k {
			case "", "Transfer-Encoding", "Trailer", "Content-Length":
				continue
			}
			if tr == nil {
				tr = make(http.Header)
			}
			tr[k] = nil
		}
	}
	return tr
}

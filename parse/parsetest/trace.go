// Package parsetest drives package parse the way a connection would, for the
// golden tests and the fuzz targets: it feeds a message in pieces, decodes the
// body that the head's framing calls for, checks the invariants every result
// must hold, and describes the outcome as a text trace that two runs can be
// compared by.
package parsetest

import (
	"fmt"
	"strings"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// Cuts turns arbitrary seed bytes into increasing cut points inside [1, n).
func Cuts(seed []byte, n int) []int {
	var cuts []int
	at := 0
	for _, s := range seed {
		at += int(s)%64 + 1
		if at >= n {
			break
		}
		cuts = append(cuts, at)
	}
	return cuts
}

// Every returns every cut point in [1, min(n, limit)): the byte-by-byte feed.
func Every(n, limit int) []int {
	var cuts []int
	for i := 1; i < n && i < limit; i++ {
		cuts = append(cuts, i)
	}
	return cuts
}

// Trace parses one message from in, fed as growing prefixes ending at cuts
// (each in a freshly allocated buffer, as a connection may hand over, that
// carries the bytes already fed as Parse left them: it unfolds a response's
// obs-fold in place), then
// decodes its body from the bytes after the head with the same cuts. It
// returns one line per event. It panics when a result breaks an invariant:
// an error offset or span outside the input, or a decoder consuming more than
// it was given.
func Trace(mode parse.Mode, cfg *parse.Config, req parse.Method, in []byte, cuts []int) string {
	var p parse.Parser
	p.Init(mode, cfg)
	p.SetRequestMethod(req)
	var h headers.Table
	h.Reset(nil)
	cuts = append(append([]int(nil), cuts...), len(in))
	var sb strings.Builder
	var n int
	var err error
	next := 0 // index of the first cut not yet fed to the head parser
	var buf []byte
	for next < len(cuts) {
		buf = append(append([]byte(nil), buf...), in[len(buf):cuts[next]]...)
		next++
		if n, err = p.Parse(buf, &h); err != nil || n > 0 {
			break
		}
	}
	if err != nil {
		code := err.(parse.Code)
		if off := p.ErrOffset(); off < 0 || off > len(in) {
			panic(fmt.Sprintf("error offset %d outside input of %d", off, len(in)))
		}
		if s := code.Status(); s < 400 || s > 505 {
			panic(fmt.Sprintf("status %d for %v", s, code))
		}
		fmt.Fprintf(&sb, "error %s status=%d offset=%d\n", code.Name(), code.Status(), p.ErrOffset())
		return sb.String()
	}
	if n == 0 {
		return "incomplete head\n"
	}
	if n > len(in) {
		panic(fmt.Sprintf("head length %d > input %d", n, len(in)))
	}
	h.SetBase(buf)
	span := func(s headers.Span) string {
		if int(s.End()) > n {
			panic(fmt.Sprintf("span %v outside head of %d", s, n))
		}
		return fmt.Sprintf("%q", s.In(buf))
	}
	maj, min := p.Version()
	if mode == parse.Request {
		fmt.Fprintf(&sb, "request %s %s HTTP/%d.%d method=%v\n", span(p.MethodSpan()), span(p.Target()), maj, min, p.Method())
	} else {
		fmt.Fprintf(&sb, "response HTTP/%d.%d %d %s\n", maj, min, p.Status(), span(p.Reason()))
	}
	for i := range h.Len() {
		f := h.Field(i)
		fmt.Fprintf(&sb, "field %s: %s id=%v\n", span(f.Name), span(f.Value), f.ID)
	}
	fmt.Fprintf(&sb, "head %d bytes framing=%v length=%d keep-alive=%v upgrade=%v expect-100=%v\n",
		n, p.Framing(), p.ContentLength(), p.KeepAlive(), p.Upgrade(), p.Expect100())

	var d parse.Body
	d.Init(p.Framing(), p.ContentLength(), cfg)
	var tr headers.Table
	start := n // first byte of in not yet consumed by the decoder
	var body strings.Builder
	for _, c := range cuts[next-1:] {
		for c > start && !d.Done() {
			buf := append([]byte(nil), in[start:c]...)
			data, k, err := d.Decode(buf, &tr)
			if k < 0 || k > len(buf) || len(data) > k {
				panic(fmt.Sprintf("Decode consumed %d of %d with %d bytes of data", k, len(buf), len(data)))
			}
			if err != nil {
				fmt.Fprintf(&sb, "body %q\nbody error %s\n", body.String(), err.(parse.Code).Name())
				return sb.String()
			}
			body.Write(data)
			start += k
			if k == 0 {
				break
			}
			if d.Done() {
				for i := range tr.Len() {
					fmt.Fprintf(&sb, "trailer %q: %q\n", tr.Name(i), tr.Value(i))
				}
			}
		}
	}
	if !d.Done() && d.Close() != nil {
		fmt.Fprintf(&sb, "body %q\nbody incomplete\n", body.String())
		return sb.String()
	}
	fmt.Fprintf(&sb, "body %q\nrest %d bytes\n", body.String(), len(in)-start)
	return sb.String()
}

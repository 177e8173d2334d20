package fuzz

import (
	"fmt"
	"strings"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// outcome summarizes one parse of a head plus its body, so that two parses can
// be compared with ==.
type outcome struct {
	err     string
	n       int
	summary string
	body    string
}

// cutsFrom turns fuzzer bytes into increasing cut points inside [1, n).
func cutsFrom(seed []byte, n int) []int {
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

// run parses a head in mode from in, fed in pieces ending at cuts, then
// decodes its body from the rest (fed with the same cuts), and checks the
// invariants every result must hold. It panics on a broken invariant.
func run(mode parse.Mode, cfg *parse.Config, req parse.Method, in []byte, cuts []int) outcome {
	var p parse.Parser
	p.Init(mode, cfg)
	p.SetRequestMethod(req)
	var h headers.Table
	h.Reset(nil)
	cuts = append(cuts, len(in))
	var n int
	var err error
	var used int // cut index reached
	for i, c := range cuts {
		buf := append([]byte(nil), in[:c]...) // a fresh buffer each read, as a connection may give
		n, err = p.Parse(buf, &h)
		used = i
		if err != nil || n > 0 {
			break
		}
	}
	if err != nil {
		if p.ErrOffset() < 0 || p.ErrOffset() > len(in) {
			panic(fmt.Sprintf("error offset %d outside input of %d", p.ErrOffset(), len(in)))
		}
		if s := err.(parse.Code).Status(); s < 400 || s > 505 {
			panic(fmt.Sprintf("status %d", s))
		}
		return outcome{err: err.(parse.Code).Name()}
	}
	if n == 0 {
		return outcome{err: "incomplete"}
	}
	if n > len(in) {
		panic(fmt.Sprintf("head length %d > input %d", n, len(in)))
	}
	h.SetBase(in)
	var sb strings.Builder
	maj, min := p.Version()
	check := func(s headers.Span) string {
		if int(s.End()) > n {
			panic(fmt.Sprintf("span %v outside head of %d", s, n))
		}
		return string(s.In(in))
	}
	fmt.Fprintf(&sb, "%s %s %d.%d %d %s|", check(p.MethodSpan()), check(p.Target()), maj, min, p.Status(), check(p.Reason()))
	for i := range h.Len() {
		f := h.Field(i)
		fmt.Fprintf(&sb, "%s=%s;", check(f.Name), check(f.Value))
	}
	fmt.Fprintf(&sb, "|%v %d %v %v", p.Framing(), p.ContentLength(), p.KeepAlive(), p.Upgrade())

	// The body: feed what follows the head with the remaining cut points.
	var d parse.Body
	d.Init(p.Framing(), p.ContentLength(), cfg)
	var tr headers.Table
	var body strings.Builder
	start := n
	for _, c := range cuts[used:] {
		if c < start {
			continue
		}
		for !d.Done() {
			buf := append([]byte(nil), in[start:c]...)
			data, k, err := d.Decode(buf, &tr)
			if k < 0 || k > len(buf) || len(data) > k {
				panic(fmt.Sprintf("Decode consumed %d of %d with %d data", k, len(buf), len(data)))
			}
			if err != nil {
				return outcome{err: "body " + err.(parse.Code).Name(), summary: sb.String()}
			}
			body.Write(data)
			start += k
			if k == 0 {
				break
			}
		}
	}
	if !d.Done() {
		if d.Framing() == parse.BodyUntilClose {
			d.Close()
		} else {
			return outcome{err: "body incomplete", summary: sb.String(), body: body.String()}
		}
	}
	for i := range tr.Len() {
		fmt.Fprintf(&sb, "|T %s=%s", tr.Name(i), tr.Value(i))
	}
	return outcome{n: n, summary: sb.String(), body: body.String()}
}

package benchmarks

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
	"github.com/zerohttp/zerohttp/parse/corpus"
)

// Fairness. Every implementation gets the same work per iteration: take one
// complete request head from memory, parse the request line and every field
// into the form its own server hands to a handler, and read the Host value out
// of that form. Every implementation reuses everything its API lets it reuse
// (parser state, header storage, readers); none parses cookies, which all of
// them defer until asked. Each iteration is one interface call, the same
// overhead for all of them.
//
//   - zerohttp: parse.Parser.Parse into a reused headers.Table; fields stay
//     spans into the input, as they do in the engine.
//   - zerohttp-portable: the same with parse.SetSIMD(false), the portable
//     classifier that builds without AVX2 use. (On a CPU without AVX2 the two
//     rows measure the same code.)
//   - nethttp: http.ReadRequest on a bufio.Reader reset onto a bytes.Reader;
//     it builds an *http.Request with a canonicalized Header map and a parsed
//     URL, which is what a net/http handler gets (its allocations included).
//   - fasthttp: RequestHeader.Read on a reused, Reset header and a reused
//     bufio.Reader. fasthttp v1.74 parses and normalizes every field inside
//     Read (only cookies are split lazily), so reading Host afterwards is
//     enough to show the result is usable; no VisitAll is needed to force work.

// headParser parses one complete request head per call to parse.
type headParser interface {
	// parse parses the head in buf, which must be consumed exactly.
	parse(buf []byte) error
	// result reports what the last successful parse found; it may allocate.
	result() parseResult
}

// parseResult is what a parser found, compared across implementations.
type parseResult struct {
	method, target string
	nfields        int
}

var errPartial = errors.New("benchmarks: head not consumed exactly")

// parseImpls lists the implementations. portable runs with the parse
// package's AVX2 path switched off.
var parseImpls = []struct {
	name     string
	portable bool
	new      func() headParser
}{
	{"zerohttp", false, func() headParser { return new(zeroParser) }},
	{"zerohttp-portable", true, func() headParser { return new(zeroParser) }},
	{"nethttp", false, func() headParser { return newNetParser() }},
	{"fasthttp", false, func() headParser { return newFastParser() }},
}

// withSIMD sets the parse package's AVX2 switch for the rest of a test or
// benchmark. Such tests must not run in parallel.
func withSIMD(tb testing.TB, on bool) {
	was := parse.SetSIMD(on)
	tb.Cleanup(func() { parse.SetSIMD(was) })
}

type zeroParser struct {
	p    parse.Parser
	h    headers.Table
	buf  []byte
	host []byte
}

func (z *zeroParser) parse(buf []byte) error {
	z.p.Reset()
	z.h.Reset(nil)
	n, err := z.p.Parse(buf, &z.h)
	if err != nil {
		return err
	}
	if n != len(buf) {
		return errPartial
	}
	host, _ := z.p.Host()
	z.buf, z.host = buf, host.In(buf)
	return nil
}

func (z *zeroParser) result() parseResult {
	return parseResult{
		method:  string(z.p.MethodSpan().In(z.buf)),
		target:  string(z.p.Target().In(z.buf)),
		nfields: z.h.Len(),
	}
}

type netParser struct {
	src  bytes.Reader
	br   *bufio.Reader
	req  *http.Request
	host string
}

func newNetParser() *netParser {
	n := new(netParser)
	n.br = bufio.NewReader(&n.src)
	return n
}

func (n *netParser) parse(buf []byte) error {
	n.src.Reset(buf)
	n.br.Reset(&n.src)
	req, err := http.ReadRequest(n.br)
	if err != nil {
		return err
	}
	if n.br.Buffered() != 0 || n.src.Len() != 0 {
		return errPartial
	}
	n.req, n.host = req, req.Host
	return nil
}

func (n *netParser) result() parseResult {
	nf := len(n.req.Header) // no duplicates in the corpora, so one key per field
	if n.req.Host != "" {
		nf++ // ReadRequest moves Host out of Header
	}
	return parseResult{method: n.req.Method, target: n.req.RequestURI, nfields: nf}
}

type fastParser struct {
	src  bytes.Reader
	br   *bufio.Reader
	h    fasthttp.RequestHeader
	host []byte
}

func newFastParser() *fastParser {
	f := new(fastParser)
	f.br = bufio.NewReader(&f.src)
	return f
}

func (f *fastParser) parse(buf []byte) error {
	f.src.Reset(buf)
	f.br.Reset(&f.src)
	f.h.Reset()
	if err := f.h.Read(f.br); err != nil {
		return err
	}
	if f.br.Buffered() != 0 || f.src.Len() != 0 {
		return errPartial
	}
	f.host = f.h.Host()
	return nil
}

func (f *fastParser) result() parseResult {
	return parseResult{
		method:  string(f.h.Method()),
		target:  string(f.h.RequestURI()),
		nfields: f.h.Len(), // Len collects cookies; the benchmark never calls it
	}
}

// BenchmarkParse reports each implementation's time per head, throughput over
// the head's bytes, and allocations.
func BenchmarkParse(b *testing.B) {
	for _, c := range corpora {
		b.Run(c.name, func(b *testing.B) {
			for _, im := range parseImpls {
				b.Run(im.name, func(b *testing.B) {
					withSIMD(b, !im.portable)
					p := im.new()
					buf := []byte(c.req)
					if err := p.parse(buf); err != nil { // warm up reused storage
						b.Fatalf("%s: parse: %v", im.name, err)
					}
					b.SetBytes(int64(len(buf)))
					b.ReportAllocs()
					for b.Loop() {
						if err := p.parse(buf); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// TestParseImpls checks that every implementation finds the same request line
// and field count in every corpus, so a broken implementation cannot post a
// fast number.
func TestParseImpls(t *testing.T) {
	for _, c := range corpora {
		want := parseResult{method: c.method, target: c.target, nfields: c.nfields}
		for _, im := range parseImpls {
			t.Run(c.name+"/"+im.name, func(t *testing.T) {
				withSIMD(t, !im.portable)
				p := im.new()
				for range 2 { // the second pass runs on reused state
					if err := p.parse([]byte(c.req)); err != nil {
						t.Fatalf("parse: %v", err)
					}
					if got := p.result(); got != want {
						t.Errorf("result = %+v; want %+v", got, want)
					}
				}
			})
		}
	}
}

// TestCorpora pins the corpora's sizes: corpus.Browser must stay byte-identical to
// picohttpparser's bench.c request.
func TestCorpora(t *testing.T) {
	if n := len(corpus.Browser); n != 703 {
		t.Errorf("len(corpus.Browser) = %d; want 703", n)
	}
	if n := len(corpus.Short); n < 80 || n > 120 {
		t.Errorf("len(corpus.Short) = %d; want about 100", n)
	}
	if n := len(corpus.Many); n < 2300 || n > 2700 {
		t.Errorf("len(corpus.Many) = %d; want about 2500", n)
	}
}

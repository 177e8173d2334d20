//go:build !race

package parse

import (
	"testing"

	"github.com/zerohttp/zerohttp/headers"
)

func TestParseAllocs(t *testing.T) {
	for _, simd := range []bool{true, false} {
		was := SetSIMD(simd)
		t.Cleanup(func() { SetSIMD(was) })
		for name, in := range map[string]string{"browser": browserRequest, "short": shortRequest, "many": manyRequest} {
			b := []byte(in)
			var p Parser
			var h headers.Table
			parseOnce := func() {
				p.Reset()
				h.Reset(nil)
				if n, err := p.Parse(b, &h); n != len(b) || err != nil {
					t.Fatalf("Parse = %d, %v", n, err)
				}
			}
			parseOnce() // grow the table once
			if allocs := testing.AllocsPerRun(100, parseOnce); allocs != 0 {
				t.Fatalf("simd=%v %s: allocs = %v; want 0", simd, name, allocs)
			}
			// Incremental: fed in three pieces.
			split := func() {
				p.Reset()
				h.Reset(nil)
				p.Parse(b[:len(b)/3], &h)
				p.Parse(b[:2*len(b)/3], &h)
				if n, _ := p.Parse(b, &h); n != len(b) {
					t.Fatalf("split Parse = %d", n)
				}
			}
			if allocs := testing.AllocsPerRun(100, split); allocs != 0 {
				t.Fatalf("simd=%v %s split: allocs = %v; want 0", simd, name, allocs)
			}
		}
	}
}

func TestErrorAllocs(t *testing.T) {
	b := []byte("GET / HTTP/1.1\r\nHost: a\r\nX: \x00\r\n\r\n")
	var p Parser
	var h headers.Table
	allocs := testing.AllocsPerRun(100, func() {
		p.Reset()
		h.Reset(nil)
		if _, err := p.Parse(b, &h); err != ErrInvalidHeaderValue {
			t.Fatalf("err = %v", err)
		}
	})
	if allocs != 0 {
		t.Fatalf("allocs = %v; want 0", allocs)
	}
}

func TestChunkedAllocs(t *testing.T) {
	b := []byte("5\r\nhello\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\nX-T: 1\r\n\r\n")
	var d Body
	var tr headers.Table
	decode := func() {
		d.Init(BodyChunked, 0, nil)
		tr.Reset(nil)
		rest := b
		for !d.Done() {
			_, n, err := d.Decode(rest, &tr)
			if err != nil || n == 0 {
				t.Fatalf("Decode = %d, %v", n, err)
			}
			rest = rest[n:]
		}
	}
	decode()
	if allocs := testing.AllocsPerRun(100, decode); allocs != 0 {
		t.Fatalf("allocs = %v; want 0", allocs)
	}
}

package main

import (
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tt := range []struct{ in, grp, impl string }{
		{"BenchmarkParse/browser/nethttp-8", "Parse/browser", "nethttp"},
		{"BenchmarkParse/short/zerohttp-portable-2", "Parse/short", "zerohttp-portable"},
		{"BenchmarkParse/short/zerohttp", "Parse/short", "zerohttp"},
		{"BenchmarkFoo-4", "Foo", "Foo"},
	} {
		if g, i := split(tt.in); g != tt.grp || i != tt.impl {
			t.Errorf("split(%q) = %q, %q; want %q, %q", tt.in, g, i, tt.grp, tt.impl)
		}
	}
}

func TestTable(t *testing.T) {
	in := `goos: linux
BenchmarkParse/short/zerohttp-2   100  100.0 ns/op  940.00 MB/s  0 B/op  0 allocs/op
BenchmarkParse/short/nethttp-2    100  900.0 ns/op  104.00 MB/s  976 B/op  8 allocs/op
BenchmarkParse/short/zerohttp-2   100  120.0 ns/op  780.00 MB/s  0 B/op  0 allocs/op
BenchmarkParse/short/nethttp-2    100  1100 ns/op  85.00 MB/s  976 B/op  8 allocs/op
BenchmarkParse/short/zerohttp-2   100  110.0 ns/op  850.00 MB/s  0 B/op  0 allocs/op
PASS
`
	groups, err := read(strings.NewReader(in))
	if err != nil || len(groups) != 1 {
		t.Fatalf("read = %d groups, %v; want 1", len(groups), err)
	}
	var b strings.Builder
	write(&b, groups[0], "zerohttp")
	out := b.String()
	for _, want := range []string{"| zerohttp | 110 | 850 | 0 | 0 | 1.00x | 3 |", "| nethttp | 1000 | 94.5 | 976 | 8 | 9.09x | 2 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestSVG(t *testing.T) {
	groups, _ := read(strings.NewReader("BenchmarkParse/short/zerohttp-2 1 100 ns/op\nBenchmarkParse/short/a<b-2 1 300 ns/op\n"))
	var b strings.Builder
	writeSVG(&b, groups, "zerohttp")
	out := b.String()
	for _, want := range []string{"<svg ", "a&lt;b", "300 (3.00x)", "</svg>"} {
		if !strings.Contains(out, want) {
			t.Errorf("svg lacks %q:\n%s", want, out)
		}
	}
}

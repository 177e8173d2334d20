package parse

import (
	"testing"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse/corpus"
)

// The corpora shared with the benchmarks module.
const (
	shortRequest   = corpus.Short
	browserRequest = corpus.Browser
	manyRequest    = corpus.Many
)

// TestCorpusSplit parses each corpus at every split point with both scan
// paths and checks that all give the same fields as one read.
func TestCorpusSplit(t *testing.T) {
	for _, in := range []string{shortRequest, browserRequest, manyRequest} {
		want := parseWhole(Request, nil, in)
		if want.err != ErrNone || want.n != len(in) {
			t.Fatalf("Parse(%q) = %v", in[:40], want)
		}
		for _, simd := range []bool{true, false} {
			was := SetSIMD(simd)
			for cut := 1; cut < len(in); cut++ {
				if got := parseSplit(Request, nil, in, []int{cut}); got != want {
					t.Fatalf("simd=%v split at %d: %v; want %v", simd, cut, got, want)
				}
			}
			SetSIMD(was)
		}
	}
}

func TestBrowserRequestShape(t *testing.T) {
	var p Parser
	var h headers.Table
	n, err := p.Parse([]byte(browserRequest), &h)
	if err != nil || n != len(browserRequest) || h.Len() != 9 {
		t.Fatalf("browser request: n=%d err=%v fields=%d", n, err, h.Len())
	}
}

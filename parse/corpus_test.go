package parse

import (
	"strconv"
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/headers"
)

// Corpora shared by the alloc tests, the split test and the benchmarks.
const shortRequest = "GET /api/v1/users/42?fields=name HTTP/1.1\r\nHost: api.example.com\r\nAccept: application/json\r\n\r\n"

// browserRequest is a typical browser request head (picohttpparser's benchmark shape).
const browserRequest = "GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n" +
	"Host: www.kittyhell.com\r\n" +
	"User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n" +
	"Accept-Encoding: gzip,deflate\r\n" +
	"Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n" +
	"Keep-Alive: 115\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral\r\n" +
	"\r\n"

var manyRequest = func() string {
	var sb strings.Builder
	sb.WriteString("POST /upload/batch?id=7 HTTP/1.1\r\nHost: upload.example.com\r\nContent-Length: 0\r\n")
	for i := 0; sb.Len() < 2400; i++ {
		sb.WriteString("X-Custom-Header-" + strconv.Itoa(i) + ": value-" + strings.Repeat("v", 30) + "-" + strconv.Itoa(i) + "\r\n")
	}
	sb.WriteString("\r\n")
	return sb.String()
}()

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

package headers

import (
	"strconv"
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/parse/corpus"
)

// benchNames are the header names of the requests in picohttpparser's
// benchmark, plus common unknown names, in the case browsers send.
var benchNames = [][]byte{
	[]byte("Host"), []byte("User-Agent"), []byte("Accept"), []byte("Accept-Language"),
	[]byte("Accept-Encoding"), []byte("Accept-Charset"), []byte("Keep-Alive"),
	[]byte("Connection"), []byte("Cookie"), []byte("Content-Length"),
	[]byte("Content-Type"), []byte("X-Forwarded-For"), []byte("Referer"),
	[]byte("Cache-Control"), []byte("Upgrade-Insecure-Requests"), []byte("sec-fetch-mode"),
}

// mapLookupID is the lookup LookupID replaced: lower-case into a stack buffer,
// then probe a map (m[string(b)] does not allocate). Kept as the baseline.
func mapLookupID(name []byte) ID {
	if len(name) == 0 || len(name) > maxKnownLen {
		return Unknown
	}
	var buf [maxKnownLen]byte
	for i, c := range name {
		buf[i] = toLower(c)
	}
	return refByLower[string(buf[:len(name)])]
}

var sinkID ID

func BenchmarkLookupID(b *testing.B) {
	total := 0
	for _, n := range benchNames {
		total += len(n)
	}
	for _, bm := range []struct {
		name   string
		lookup func([]byte) ID
	}{
		{"fast", LookupID},
		{"map", mapLookupID},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(total))
			for b.Loop() {
				for _, n := range benchNames {
					sinkID = bm.lookup(n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchNames)), "ns/name")
		})
	}
}

// benchHead is the header block of picohttpparser's benchmark request: the
// shared corpus head without its request line and final empty line.
var benchHead = func() string {
	_, fields, _ := strings.Cut(corpus.Browser, "\r\n")
	return strings.TrimSuffix(fields, "\r\n")
}()

func BenchmarkTable(b *testing.B) {
	tab := tableOf(b, benchHead)
	dst := make([]byte, 0, 4096)
	for _, bm := range []struct {
		name string
		f    func()
	}{
		{"Get/known", func() { _, _ = tab.Get("Connection") }},
		{"Get/unknown", func() { _, _ = tab.Get("Accept-Charset") }},
		{"Get/missing", func() { _, _ = tab.Get("X-Forwarded-For") }},
		{"GetID", func() { _, _ = tab.GetID(Connection) }},
		{"AppendMerged", func() { dst, _ = AppendMerged(dst[:0], tab, "accept") }},
		{"AppendTo", func() { dst = tab.AppendTo(dst[:0]) }},
		{"Merge", func() { tab.Merge(make(map[string]string, tab.Len()), nil, false) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bm.f()
			}
		})
	}
}

func BenchmarkAddSpan(b *testing.B) {
	tab := tableOf(b, benchHead)
	fields := make([]Field, tab.Len())
	for i := range fields {
		fields[i] = tab.Field(i)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchHead)))
	for b.Loop() {
		tab.Reset(tab.Base())
		for _, f := range fields {
			tab.AddSpan(f.Name, f.Value, LookupID(f.Name.In(tab.Base())))
		}
	}
}

func BenchmarkValidateValue(b *testing.B) {
	for _, v := range []string{"text/plain", "application/json; charset=utf-8", "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"} {
		b.Run(strconv.Itoa(len(v)), func(b *testing.B) {
			for b.Loop() {
				if ValidateValue(v) != nil {
					b.Fatal("invalid")
				}
			}
		})
	}
}

package headers

import "testing"

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

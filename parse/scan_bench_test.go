package parse

import "testing"

// scanBenchWindow is a typical request head, the first 256 bytes of
// picohttpparser's bench.c request, the corpus the engine benchmarks share.
var scanBenchWindow = func() (w [windowSize]byte) {
	copy(w[:], "GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n"+
		"Host: www.kittyhell.com\r\n"+
		"User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n"+
		"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n")
	return w
}()

func BenchmarkClassify(b *testing.B) {
	run := func(b *testing.B) {
		var m masks
		b.SetBytes(windowSize)
		b.ReportAllocs()
		for b.Loop() {
			classify(&m, scanBenchWindow[:])
		}
	}
	if useAVX2 {
		b.Run("avx2", run)
	}
	saved := useAVX2
	useAVX2 = false
	defer func() { useAVX2 = saved }()
	b.Run("generic", run)
}

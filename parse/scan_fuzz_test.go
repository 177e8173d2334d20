package parse

import "testing"

// FuzzClassify checks that the AVX2 path (when this build and CPU have it) and
// the portable path give the same masks, and that both match the per-byte
// reference. Inputs shorter than a window repeat to fill it; longer ones are cut.
func FuzzClassify(f *testing.F) {
	f.Add([]byte("GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: x\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=b; Path=/\r\n\r\nhello"))
	f.Add([]byte("\x00\t\n\r \x7f\x80\xff\"(),/:;<=>?@[\\]{}"))
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	f.Add(all)
	f.Fuzz(func(t *testing.T, data []byte) {
		var w [windowSize]byte
		if len(data) > 0 {
			for i := 0; i < windowSize; i += copy(w[i:], data) {
			}
		}
		want := scanRefMasks(&w)
		var gen masks
		classifyGeneric(&gen, w[:])
		if gen != want {
			t.Fatalf("generic: %s", scanDiff(&w, &gen, &want))
		}
		// classify takes the AVX2 path when useAVX2 is set; tests never set it.
		var got masks
		classify(&got, w[:])
		if got != gen {
			t.Fatalf("classify (useAVX2=%v) differs from generic: %s", useAVX2, scanDiff(&w, &got, &gen))
		}
		// A short tail is classified in whole words: the first k words must
		// match and the rest stay as they were.
		k := 1 + len(data)%windowWords
		part := masks{ntok: [windowWords]uint64{1, 2, 3, 4}, nval: [windowWords]uint64{5, 6, 7, 8}, ntgt: [windowWords]uint64{9, 10, 11, 12}}
		wantPart := withWords(part, want, k)
		classify(&part, w[:k*64])
		if part != wantPart {
			t.Fatalf("classify of %d words: %s", k, scanDiff(&w, &part, &wantPart))
		}
	})
}

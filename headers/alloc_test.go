//go:build !race

package headers

import "testing"

// TestAllocs proves the hot paths allocate nothing once buffers are warm.
// The race detector allocates on its own, hence the build tag.
func TestAllocs(t *testing.T) {
	tab := tableOf(t, sampleHead+"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n")
	name := []byte("Content-Length")
	dst := make([]byte, 0, 4096)
	warm := new(Table)
	warm.Reset(tab.Base())
	for range 64 {
		warm.AddSpan(MakeSpan(0, 4), MakeSpan(6, 17), Host)
	}
	tests := []struct {
		name string
		f    func()
	}{
		{"LookupID", func() { sinkID = LookupID(name) }},
		{"Get known", func() { _, _ = tab.Get("accept") }},
		{"Get unknown", func() { _, _ = tab.Get("x-trace") }},
		{"GetID", func() { _, _ = tab.GetID(Cookie) }},
		{"Has", func() { _ = tab.Has("X-Missing") }},
		{"Next", func() {
			for i := tab.Next("x-trace", 0); i >= 0; i = tab.Next("x-trace", i+1) {
			}
		}},
		{"Each", func() { tab.Each("accept", func([]byte) {}) }},
		{"Count", func() { _ = tab.Count(SetCookie) }},
		{"AddSpan warm", func() {
			warm.Reset(warm.Base())
			for range 64 {
				warm.AddSpan(MakeSpan(0, 4), MakeSpan(6, 17), Host)
			}
		}},
		{"AddString and Set warm", func() {
			warm.Reset(warm.Base())
			warm.AddString("X-A", "1")
			warm.Set("x-a", "2")
			warm.Del("X-A")
		}},
		{"AppendTo", func() { dst = tab.AppendTo(dst[:0]) }},
		{"AppendMerged", func() { dst, _ = AppendMerged(dst[:0], tab, "accept") }},
		{"AppendMerged cookie", func() { dst, _ = AppendMerged(dst[:0], tab, "Cookie") }},
		{"ValidateName", func() { _ = ValidateName("X-Bad Name") }},
		{"ValidateValue", func() { _ = ValidateValue([]byte("bad\r\n")) }},
		{"Acquire and Release", func() {
			p := Acquire()
			p.AddString("A", "b")
			Release(p)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f() // warm up buffers and the pool
			if allocs := testing.AllocsPerRun(100, tt.f); allocs != 0 {
				t.Fatalf("allocs = %v; want 0", allocs)
			}
		})
	}
}

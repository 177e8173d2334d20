package headers

import (
	"math/rand"
	"strings"
	"testing"
)

// refByLower is the reference for LookupID: lower-case names to ids.
var refByLower = func() map[string]ID {
	m := make(map[string]ID, numIDs)
	for id := ID(1); id < numIDs; id++ {
		m[id.String()] = id
	}
	return m
}()

// refLookupID is the obvious lookup: strings.ToLower and a map. Non-ASCII
// names are Unknown: strings.ToLower folds Unicode too, which would turn the
// Kelvin sign (U+212A) in "\u212aeep-alive" into a well-known name.
func refLookupID(name []byte) ID {
	for _, c := range name {
		if c >= 0x80 {
			return Unknown
		}
	}
	return refByLower[strings.ToLower(string(name))]
}

func TestLookupID(t *testing.T) {
	tests := []struct {
		name, in string
		want     ID
	}{
		{"empty", "", Unknown},
		{"lower", "content-length", ContentLength},
		{"canonical", "Content-Length", ContentLength},
		{"upper", "CONTENT-LENGTH", ContentLength},
		{"mixed", "cOnTeNt-LeNgTh", ContentLength},
		{"shortest", "TE", TE},
		{"longest", "Proxy-Authorization", ProxyAuthorization},
		{"longest other", "if-unmodified-since", IfUnmodifiedSince},
		{"prefix", "content-lengt", Unknown},
		{"longer", "content-lengthx", Unknown},
		{"too long", "proxy-authorizationx", Unknown},
		{"unknown", "x-forwarded-for", Unknown},
		{"CR for dash", "content\rlength", Unknown},
		{"underscore for dash", "content_length", Unknown},
		{"unicode kelvin", "\u212aeep-alive", Unknown},
		{"high bit", "Hos\xf4", Unknown},
		{"NUL", "ho\x00t", Unknown},
		{"at for backtick", "@ge", Unknown},
		{"same hash word", "accept-encodinx", Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LookupID([]byte(tt.in)); got != tt.want {
				t.Errorf("LookupID(%q) = %v; want %v", tt.in, got, tt.want)
			}
			if got := lookupString(tt.in); got != tt.want {
				t.Errorf("lookupString(%q) = %v; want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestLookupIDAllCases flips the case of every letter of every known name,
// one at a time and all together.
func TestLookupIDAllCases(t *testing.T) {
	for id := ID(1); id < numIDs; id++ {
		name := []byte(id.String())
		if got := LookupID([]byte(strings.ToUpper(id.String()))); got != id {
			t.Errorf("LookupID(%q) = %v; want %v", strings.ToUpper(id.String()), got, id)
		}
		for i := range name {
			b := append([]byte(nil), name...)
			b[i] ^= 0x20 // flips letter case; turns '-' into CR
			want := id
			if name[i] == '-' {
				want = Unknown
			}
			if got := LookupID(b); got != want {
				t.Errorf("LookupID(%q) = %v; want %v", b, got, want)
			}
		}
	}
}

// TestPerfectHash checks that hashMul spreads the known names over distinct
// slots; init panics otherwise. When a name is added and this fails, it
// searches for a multiplier to paste into lookup.go.
func TestPerfectHash(t *testing.T) {
	if m, ok := collisionFree(hashMul); !ok {
		r := rand.New(rand.NewSource(1))
		for range 50_000_000 {
			if m, ok = collisionFree(r.Uint64() | 1); ok {
				t.Fatalf("hashMul collides; use hashMul = %#x", m)
			}
		}
		t.Fatalf("hashMul collides and no multiplier found; raise hashBits")
	}
}

func collisionFree(mul uint64) (uint64, bool) {
	var seen [1 << hashBits]bool
	for id := ID(1); id < numIDs; id++ {
		w0, _, _ := words([]byte(id.String()))
		h := ((w0 | fold20) ^ uint64(len(id.String()))) * mul >> (64 - hashBits)
		if seen[h] {
			return mul, false
		}
		seen[h] = true
	}
	return mul, true
}

func TestWords(t *testing.T) {
	// Equal-length strings must be equal iff their words are: every byte counts.
	for n := 0; n <= 24; n++ {
		a := []byte(strings.Repeat("a", n))
		for i := range n {
			b := append([]byte(nil), a...)
			b[i] = 'b'
			a0, a1, a2 := words(a)
			b0, b1, b2 := words(b)
			if a0 == b0 && a1 == b1 && a2 == b2 {
				t.Errorf("words(%q) == words(%q)", a, b)
			}
		}
	}
}

func FuzzLookupID(f *testing.F) {
	for id := ID(0); id < numIDs; id++ {
		f.Add([]byte(id.String()))
		f.Add([]byte(strings.ToUpper(id.String())))
	}
	f.Add([]byte("content\rlength"))
	f.Add([]byte("\u212aeep-alive"))
	f.Fuzz(func(t *testing.T, name []byte) {
		if got, want := LookupID(name), refLookupID(name); got != want {
			t.Fatalf("LookupID(%q) = %v; want %v", name, got, want)
		}
		if got, want := lookupString(string(name)), refLookupID(name); got != want {
			t.Fatalf("lookupString(%q) = %v; want %v", name, got, want)
		}
	})
}

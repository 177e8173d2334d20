package headers

import (
	"testing"
	"unsafe"
)

func TestCanonicalNames(t *testing.T) {
	for id := ID(1); id < numIDs; id++ {
		name := id.String()
		if err := ValidateName(name); err != nil {
			t.Errorf("ID(%d).String() = %q: %v", id, name, err)
		}
		for _, c := range []byte(name) {
			if c != '-' && (c < 'a' || c > 'z') {
				t.Errorf("ID(%d).String() = %q; want lower-case letters and '-' only (lookup.go relies on it)", id, name)
				break
			}
		}
		if len(name) > maxKnownLen {
			t.Errorf("len(%q) = %d; want <= maxKnownLen %d", name, len(name), maxKnownLen)
		}
		if got := LookupID([]byte(name)); got != id {
			t.Errorf("LookupID(%q) = %v; want %v", name, got, id)
		}
	}
	if got := numIDs.String(); got != "" {
		t.Errorf("numIDs.String() = %q; want \"\"", got)
	}
}

// TestFieldSize pins the layout the parser appends per header line.
func TestFieldSize(t *testing.T) {
	if got := unsafe.Sizeof(Field{}); got != 20 {
		t.Errorf("unsafe.Sizeof(Field{}) = %d; want 20", got)
	}
}

package headers

import "testing"

func TestHasToken(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{
		{"close", true}, {"Close", true}, {" keep-alive , CLOSE ", true}, {"a,,close", true},
		{"closed", false}, {"", false}, {"upgrade,", false}, {"clo se", false},
	}
	for _, tt := range tests {
		if got := HasToken([]byte(tt.v), "close"); got != tt.want {
			t.Errorf("HasToken(%q) = %v; want %v", tt.v, got, tt.want)
		}
	}
}

func TestNextElement(t *testing.T) {
	var got []string
	for v := []byte(" a ,\tb\t,, c"); len(v) > 0; {
		var e []byte
		e, v = NextElement(v)
		got = append(got, string(e))
	}
	if want := []string{"a", "b", "", "c"}; len(got) != len(want) || got[0] != "a" || got[1] != "b" || got[2] != "" || got[3] != "c" {
		t.Fatalf("NextElement elements = %q; want %q", got, want)
	}
}

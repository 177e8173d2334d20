package headers

import "testing"

func TestAppendTo(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
	}{
		{"empty", "", ""},
		{"one", "Host: a\r\n", "Host: a\r\n"},
		{"order and case kept", "X-B: 1\r\nhost: a\r\nX-B: 2\r\n", "X-B: 1\r\nhost: a\r\nX-B: 2\r\n"},
		{"OWS dropped", "A:   v  \r\n", "A: v\r\n"},
		{"empty value", "A:\r\n", "A: \r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := tableOf(t, tt.in)
			got := tab.AppendTo([]byte("HTTP/1.1 200 OK\r\n"))
			if string(got) != "HTTP/1.1 200 OK\r\n"+tt.want {
				t.Errorf("AppendTo(%q) = %q; want %q", tt.in, got, "HTTP/1.1 200 OK\r\n"+tt.want)
			}
			if n := tab.WireLen(); n != len(tt.want) {
				t.Errorf("WireLen(%q) = %d; want %d", tt.in, n, len(tt.want))
			}
		})
	}
}

func TestAppendToOwned(t *testing.T) {
	var tab Table
	tab.AddString("Content-Type", "text/plain")
	tab.Set("Content-Length", "5")
	want := "Content-Type: text/plain\r\nContent-Length: 5\r\n"
	if got := tab.AppendTo(nil); string(got) != want {
		t.Errorf("AppendTo = %q; want %q", got, want)
	}
}

func TestAppendField(t *testing.T) {
	if got, want := AppendField([]byte("x"), []byte("A"), []byte("b")), "xA: b\r\n"; string(got) != want {
		t.Errorf("AppendField = %q; want %q", got, want)
	}
}

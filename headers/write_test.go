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

func TestLines(t *testing.T) {
	var tab Table
	if l, ok := tab.Lines(); !ok || len(l) != 0 {
		t.Fatalf("empty: Lines() = %q, %v; want \"\", true", l, ok)
	}
	tab.AddString("Content-Type", "text/plain")
	tab.Add([]byte("X-A"), []byte("1"))
	want := "Content-Type: text/plain\r\nX-A: 1\r\n"
	if l, ok := tab.Lines(); !ok || string(l) != want {
		t.Fatalf("Lines() = %q, %v; want %q, true", l, ok, want)
	}
	if got := string(tab.AppendTo(nil)); got != want {
		t.Fatalf("AppendTo = %q; want %q", got, want)
	}
	tab.Del("Content-Type")
	if _, ok := tab.Lines(); ok {
		t.Fatal("after Del: Lines() ok; want false")
	}
	if got := string(tab.AppendTo(nil)); got != "X-A: 1\r\n" {
		t.Fatalf("after Del: AppendTo = %q", got)
	}
	tab.Reset(nil)
	tab.AddString("A", "1")
	tab.AddString("B", "2")
	tab.Set("A", "3")
	if _, ok := tab.Lines(); ok {
		t.Fatal("after Set: Lines() ok; want false")
	}
	if got := string(tab.AppendTo(nil)); got != "A: 3\r\nB: 2\r\n" {
		t.Fatalf("after Set: AppendTo = %q", got)
	}
	base := []byte("Host: x")
	tab.Reset(base)
	tab.AddSpan(MakeSpan(0, 4), MakeSpan(6, 7), Host)
	if _, ok := tab.Lines(); ok {
		t.Fatal("with a span field: Lines() ok; want false")
	}
}

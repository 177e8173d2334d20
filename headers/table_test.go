package headers

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// tableOf builds a span-backed Table from lines "Name: value" separated by
// CRLF, as the parser would: spans into one buffer, values trimmed of OWS.
func tableOf(t testing.TB, head string) *Table {
	t.Helper()
	buf := []byte(head)
	tab := new(Table)
	tab.Reset(buf)
	off := 0
	for line := range strings.SplitSeq(head, "\r\n") {
		if line == "" {
			off += 2
			continue
		}
		colon := strings.IndexByte(line, ':')
		if colon < 0 {
			t.Fatalf("tableOf: no colon in %q", line)
		}
		start, end := colon+1, len(line)
		for start < end && (line[start] == ' ' || line[start] == '\t') {
			start++
		}
		for end > start && (line[end-1] == ' ' || line[end-1] == '\t') {
			end--
		}
		name := MakeSpan(off, off+colon)
		tab.AddSpan(name, MakeSpan(off+start, off+end), LookupID(name.In(buf)))
		off += len(line) + 2
	}
	return tab
}

// dump renders t as "name=value" pairs in order.
func dump(t *Table) string {
	var parts []string
	for i := range t.Len() {
		parts = append(parts, fmt.Sprintf("%s=%s", t.Name(i), t.Value(i)))
	}
	return strings.Join(parts, " ")
}

const sampleHead = "Host: example.com\r\n" +
	"X-Trace: a\r\n" +
	"Accept: text/html\r\n" +
	"x-trace: b\r\n" +
	"ACCEPT:  */*  \r\n" +
	"Empty:\r\n" +
	"Cookie: a=1\r\n"

func TestGet(t *testing.T) {
	tab := tableOf(t, sampleHead)
	tests := []struct {
		name, in string
		want     string
		ok       bool
	}{
		{"known", "Host", "example.com", true},
		{"known lower", "host", "example.com", true},
		{"known first of two", "accept", "text/html", true},
		{"unknown", "X-Trace", "a", true},
		{"unknown other case", "X-TRACE", "a", true},
		{"empty value", "empty", "", true},
		{"missing known", "Content-Length", "", false},
		{"missing unknown", "X-Missing", "", false},
		{"prefix of unknown", "X-Trac", "", false},
		{"empty name", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tab.Get(tt.in)
			if string(got) != tt.want || ok != tt.ok {
				t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
			if has := tab.Has(tt.in); has != tt.ok {
				t.Errorf("Has(%q) = %v; want %v", tt.in, has, tt.ok)
			}
		})
	}
}

func TestGetID(t *testing.T) {
	tab := tableOf(t, sampleHead)
	tests := []struct {
		name string
		in   ID
		want string
		ok   bool
	}{
		{"present", Host, "example.com", true},
		{"first of two", Accept, "text/html", true},
		{"absent", ContentLength, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tab.GetID(tt.in)
			if string(got) != tt.want || ok != tt.ok {
				t.Errorf("GetID(%v) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCount(t *testing.T) {
	tab := tableOf(t, sampleHead)
	for _, tt := range []struct {
		name string
		in   ID
		want int
	}{
		{"two", Accept, 2},
		{"one", Host, 1},
		{"none", SetCookie, 0},
	} {
		if got := tab.Count(tt.in); got != tt.want {
			t.Errorf("Count(%v) = %d; want %d", tt.in, got, tt.want)
		}
	}
}

func TestNextAndEach(t *testing.T) {
	tab := tableOf(t, sampleHead)
	tests := []struct {
		name, in string
		want     []string
	}{
		{"known", "Accept", []string{"text/html", "*/*"}},
		{"unknown", "x-trace", []string{"a", "b"}},
		{"missing", "x-none", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for i := tab.Next(tt.in, 0); i >= 0; i = tab.Next(tt.in, i+1) {
				got = append(got, string(tab.Value(i)))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Next(%q) visits %q; want %q", tt.in, got, tt.want)
			}
			got = nil
			tab.Each(tt.in, func(v []byte) { got = append(got, string(v)) })
			if !slices.Equal(got, tt.want) {
				t.Errorf("Each(%q) visits %q; want %q", tt.in, got, tt.want)
			}
		})
	}
	if got := tab.Next("accept", tab.Len()); got != -1 {
		t.Errorf("Next past the end = %d; want -1", got)
	}
}

func TestDelSet(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Table)
		want string
	}{
		{"del known", func(t *Table) { t.Del("ACCEPT") },
			"Host=example.com X-Trace=a x-trace=b Empty= Cookie=a=1"},
		{"del unknown", func(t *Table) { t.Del("x-trace") },
			"Host=example.com Accept=text/html ACCEPT=*/* Empty= Cookie=a=1"},
		{"del missing", func(t *Table) { t.Del("x-none") },
			"Host=example.com X-Trace=a Accept=text/html x-trace=b ACCEPT=*/* Empty= Cookie=a=1"},
		{"set replaces all in place of the first", func(t *Table) { t.Set("accept", "x/y") },
			"Host=example.com X-Trace=a accept=x/y x-trace=b Empty= Cookie=a=1"},
		{"set unknown", func(t *Table) { t.Set("X-Trace", "c") },
			"Host=example.com X-Trace=c Accept=text/html ACCEPT=*/* Empty= Cookie=a=1"},
		{"set appends", func(t *Table) { t.Set("Content-Length", "5") },
			"Host=example.com X-Trace=a Accept=text/html x-trace=b ACCEPT=*/* Empty= Cookie=a=1 Content-Length=5"},
		{"set then add", func(t *Table) { t.Set("host", "h"); t.AddString("Host", "i") },
			"host=h X-Trace=a Accept=text/html x-trace=b ACCEPT=*/* Empty= Cookie=a=1 Host=i"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := tableOf(t, sampleHead)
			tt.edit(tab)
			if got := dump(tab); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestSetKeepsID(t *testing.T) {
	var tab Table
	tab.Set("Content-Type", "text/plain")
	if got := tab.Field(0).ID; got != ContentType {
		t.Errorf("Set: ID = %v; want %v", got, ContentType)
	}
	tab.Set("content-type", "text/html")
	if v, _ := tab.GetID(ContentType); string(v) != "text/html" || tab.Len() != 1 {
		t.Errorf("Set twice: GetID = %q, Len = %d; want %q, 1", v, tab.Len(), "text/html")
	}
}

func TestMixedOwnedAndSpans(t *testing.T) {
	tab := tableOf(t, "Host: a\r\n")
	tab.Add([]byte("X-Owned"), []byte("b"))
	tab.AddString("Server", "c")
	if got, want := dump(tab), "Host=a X-Owned=b Server=c"; got != want {
		t.Errorf("dump = %s; want %s", got, want)
	}
	// Moving the span bytes to another buffer at the same offsets keeps spans valid.
	moved := bytes.Clone(tab.Base())
	tab.SetBase(moved)
	moved[len("Host: ")] = 'z'
	if v, _ := tab.Get("host"); string(v) != "z" {
		t.Errorf("after SetBase, Get(%q) = %q; want %q", "host", v, "z")
	}
}

func TestAcquireRelease(t *testing.T) {
	tab := Acquire()
	if tab.Len() != 0 {
		t.Fatalf("Acquire: Len = %d; want 0", tab.Len())
	}
	tab.Reset([]byte("x"))
	tab.AddString("A", "b")
	Release(tab)
	if tab.Len() != 0 || tab.Base() != nil {
		t.Errorf("Release: Len = %d, Base = %q; want 0, nil", tab.Len(), tab.Base())
	}
	big := Acquire()
	big.AddString("A", strings.Repeat("b", maxPooledOwn+1))
	Release(big)
	if cap(big.own) != 0 {
		t.Errorf("Release kept %d owned bytes; want them dropped", cap(big.own))
	}
}

// refEqualFold is ASCII case folding done the slow, obvious way.
func refEqualFold(a, b string) bool {
	lower := func(s string) string {
		out := []byte(s)
		for i, c := range out {
			if 'A' <= c && c <= 'Z' {
				out[i] = c + 32
			}
		}
		return string(out)
	}
	return lower(a) == lower(b)
}

// FuzzTable checks Next, Get, Count, Del and Set against a slice of pairs.
// fields holds names and values separated by NUL.
func FuzzTable(f *testing.F) {
	f.Add("Host\x00a\x00X-A\x00b\x00x-a\x00c\x00HOST\x00d", "x-A", "v")
	f.Add("Content-Length\x001\x00content-length\x002", "CONTENT-LENGTH", "")
	f.Add("te\x00x\x00TE\x00y", "Te", "z")
	f.Fuzz(func(t *testing.T, fields, name, value string) {
		parts := strings.Split(fields, "\x00")
		var tab Table
		var model [][2]string
		for i := 0; i+1 < len(parts); i += 2 {
			tab.AddString(parts[i], parts[i+1])
			model = append(model, [2]string{parts[i], parts[i+1]})
		}
		var want []int
		for i, p := range model {
			if refEqualFold(p[0], name) {
				want = append(want, i)
			}
		}
		var got []int
		for i := tab.Next(name, 0); i >= 0; i = tab.Next(name, i+1) {
			got = append(got, i)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Next(%q) visits %v; want %v", name, got, want)
		}
		if v, ok := tab.Get(name); ok != (len(want) > 0) || (ok && string(v) != model[want[0]][1]) {
			t.Fatalf("Get(%q) = %q, %v; want the value of field %v", name, v, ok, want)
		}
		if id := LookupID([]byte(name)); id != Unknown && tab.Count(id) != len(want) {
			t.Fatalf("Count(%v) = %d; want %d", id, tab.Count(id), len(want))
		}
		// Set replaces the matches with one field at the first match's place.
		var after [][2]string
		for i, p := range model {
			switch {
			case len(want) > 0 && i == want[0]:
				after = append(after, [2]string{name, value})
			case !slices.Contains(want, i):
				after = append(after, p)
			}
		}
		if len(want) == 0 {
			after = append(after, [2]string{name, value})
		}
		tab.Set(name, value)
		if tab.Len() != len(after) {
			t.Fatalf("Set(%q): Len = %d; want %d", name, tab.Len(), len(after))
		}
		for i, p := range after {
			if string(tab.Name(i)) != p[0] || string(tab.Value(i)) != p[1] || tab.Field(i).ID != LookupID([]byte(p[0])) {
				t.Fatalf("Set(%q): field %d = %q: %q (%v); want %q: %q", name, i, tab.Name(i), tab.Value(i), tab.Field(i).ID, p[0], p[1])
			}
		}
		tab.Del(name)
		if tab.Len() != len(after)-1 || tab.Has(name) {
			t.Fatalf("Del(%q): Len = %d, Has = %v; want %d, false", name, tab.Len(), tab.Has(name), len(after)-1)
		}
	})
}

func TestGetIDUnknown(t *testing.T) {
	tab := tableOf(t, "X-A: 1\r\n")
	if v, ok := tab.GetID(Unknown); ok {
		t.Errorf("GetID(Unknown) = %q, true; want nil, false", v)
	}
}

package fuzz

import (
	"bytes"
	"testing"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// TestRefHost spot-checks the reference for FuzzGrammarHost.
func TestRefHost(t *testing.T) {
	for _, tt := range []struct {
		host string
		ok   bool
	}{
		{"", true}, {"a", true}, {"a:", true}, {"a:8080", true}, {"1.2.3.4", true}, {"1.2.3.999", true},
		{"[::1]", true}, {"[::1]:80", true}, {"[1:2:3:4:5:6:7:8]", true}, {"[::ffff:1.2.3.4]", true},
		{"[1:2:3:4:5:6:7::]", true}, {"[v1f.a:b]", true}, {"[V1.x]", true}, {"a%41", true}, {"!$&'()*+,;=-._~", true},
		{"example.com:8o", false}, {"a:80:80", false}, {"[::1", false}, {"[::1]x", false}, {"[1::2::3]", false},
		{"[1:2:3:4:5:6:7:8:9]", false}, {"[1:2:3:4:5:6:7]", false}, {"[::1.2.3.256]", false}, {"[::01.2.3.4]", false},
		{"[fe80::1%25en0]", false}, {"[v.x]", false}, {"[v1.]", false}, {"a%2", false}, {"a b", false}, {"a@b", false},
		{"::1", false}, {"[12345::]", false}, {"[1:2:3:4:5:6:1.2.3.4:1]", false}, {"[]", false},
	} {
		if got := refHost.MatchString(tt.host); got != tt.ok {
			t.Errorf("refHost(%q) = %v; want %v", tt.host, got, tt.ok)
		}
	}
}

// FuzzGrammarHost compares parse.ValidHost with the reference, and checks
// that a request with the value as its Host is accepted exactly when the
// reference accepts the value (after the field's OWS is trimmed), twice on
// one Parser so that the remembered last good Host is exercised too.
func FuzzGrammarHost(f *testing.F) {
	for _, s := range []string{"a", "example.com:8o", "[::1]:80", "[::ffff:1.2.3.4]", "[v1.x]", "a%41",
		"1.2.3.4:", "[1::2::3]", "a:80:80", "[fe80::1%25en0]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, host []byte) {
		if len(host) > maxGrammarInput {
			return // longer inputs add nothing but slow minimisation down
		}
		want := refHost.Match(host)
		if got := parse.ValidHost(host); got != want {
			t.Fatalf("ValidHost(%q) = %v; reference %v", host, got, want)
		}
		if bytes.ContainsAny(host, "\r\n") {
			return // the value would end early: a different message
		}
		fieldOK := refHost.Match(bytes.Trim(host, " \t"))
		msg := []byte("GET / HTTP/1.1\r\nHost: " + string(host) + "\r\n\r\n")
		var p parse.Parser
		var h headers.Table
		for i := 0; i < 2; i++ {
			p.Reset()
			h.Reset(nil)
			_, err := p.Parse(msg, &h)
			if (err == nil) != fieldOK {
				t.Fatalf("Host %q (message %d): Parse = %v; reference says valid=%v", host, i, err, fieldOK)
			}
		}
	})
}

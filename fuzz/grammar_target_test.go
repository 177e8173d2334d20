package fuzz

import (
	"bytes"
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
	"github.com/zerohttp/zerohttp/parse/parsetest"
)

// maxGrammarInput bounds the grammar targets' inputs: the reference's
// regular expressions cost a few hundred microseconds on kilobytes.
const maxGrammarInput = 300

var grammarMethods = []string{"GET", "CONNECT", "OPTIONS", "POST", "HEAD", "PROPFIND"}

// TestRefTarget spot-checks the reference, so that a wrong reference cannot
// hide a wrong parser in FuzzGrammarTarget.
func TestRefTarget(t *testing.T) {
	for _, tt := range []struct {
		method, target string
		ok             bool
	}{
		{"GET", "/", true}, {"GET", "/a%20b?c=/d?e", true}, {"GET", "//a", true}, {"GET", "/a|b{c}^#d", true},
		{"GET", "http://a/b?c", true}, {"GET", "HTTPS://a:80", true}, {"GET", "http://[::1]:8/", true},
		{"GET", "mailto:a@b", true}, {"GET", "a:", true}, {"GET", "a:/", true}, {"GET", "file:///x", true},
		{"GET", "ftp://u:p@a/", true}, {"OPTIONS", "*", true}, {"OPTIONS", "http://a:8001", true},
		{"CONNECT", "example.com:443", true}, {"CONNECT", "[::1]:443", true}, {"CONNECT", "[v7.a:b]:1", true},
		{"CONNECT", "a%41:1", true},
		{"GET", "foo/bar", false}, {"GET", "'", false}, {"POST", "echo", false}, {"OPTIONS", "**", false},
		{"GET", "/%cho", false}, {"GET", "/a%2", false}, {"GET", "*", false}, {"GET", "", false},
		{"GET", "/a b", false}, {"GET", "/\x80", false}, {"GET", "http://user@a/", false}, {"GET", "http:///x", false},
		{"GET", "http:x", false}, {"GET", "http://a#b/", false}, {"GET", "1a:b", false}, {"GET", "a://b@c@d/", false},
		{"CONNECT", "/", false}, {"CONNECT", "example.com", false}, {"CONNECT", "http://example.com/", false},
		{"CONNECT", "a:", false}, {"CONNECT", ":1", false}, {"CONNECT", "[::1]", false}, {"CONNECT", "*", false},
		{"CONNECT", "[1::2::3]:1", false}, {"CONNECT", "a:1:2", false},
	} {
		if got := refTarget(tt.method, []byte(tt.target)); got != tt.ok {
			t.Errorf("refTarget(%s, %q) = %v; want %v", tt.method, tt.target, got, tt.ok)
		}
	}
}

// FuzzGrammarTarget parses request lines with arbitrary targets, whole and
// in pieces, and compares the verdict with refTarget: the parser accepts
// exactly the targets the reference accepts, and refuses the others with
// INVALID_TARGET unless a byte ends the target early (SP, CR, LF).
func FuzzGrammarTarget(f *testing.F) {
	for i, s := range []string{"/", "/a%20b", "/%cho", "http://a/b?c", "example.com:443", "[::1]:443",
		"*", "**", "foo/bar", "'", "echo", "http://u@a/", "a:b", "[v1.x]:1", "/a%2"} {
		f.Add(byte(i), []byte(s), []byte{7, 3})
	}
	f.Fuzz(func(t *testing.T, m byte, target, seed []byte) {
		if len(target) > maxGrammarInput {
			return // longer inputs add nothing but slow minimisation down
		}
		method := grammarMethods[int(m)%len(grammarMethods)]
		msg := []byte(method + " " + string(target) + " HTTP/1.1\r\nHost: a\r\n\r\n")
		var p parse.Parser
		var h headers.Table
		n, err := p.Parse(msg, &h)
		want := refTarget(method, target)
		if (err == nil) != want || err == nil && n != len(msg) {
			t.Fatalf("%s %q: Parse = %d, %v; reference says valid=%v", method, target, n, err, want)
		}
		if err == nil && !bytes.Equal(p.Target().In(msg), target) {
			t.Fatalf("%s %q: Target = %q", method, target, p.Target().In(msg))
		}
		if err != nil && len(target) > 0 && !bytes.ContainsAny(target, " \r\n") && err != parse.ErrInvalidTarget {
			t.Fatalf("%s %q: Parse = %v; want INVALID_TARGET", method, target, err)
		}
		// In pieces: an escape or the target split anywhere gives the same result.
		whole := parsetest.Trace(parse.Request, nil, parse.MethodGET, msg, nil)
		cuts := parsetest.Cuts(seed, len(msg))
		if split := parsetest.Trace(parse.Request, nil, parse.MethodGET, msg, cuts); split != whole {
			t.Fatalf("split %v:\n%s\nwhole:\n%s", cuts, split, whole)
		}
		if !strings.HasPrefix(whole, "error") != want {
			t.Fatalf("%s %q: trace %s; reference says valid=%v", method, target, whole, want)
		}
	})
}

package fuzz

import (
	"bytes"
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// A reference for chunk extensions, from the ABNF of RFC 9112 §7.1.1 and
// RFC 9110 §5.6 as a regular expression, sharing nothing with the decoder's
// state machine.
var chunkExtGrammar = func() abnf {
	g := abnf{}
	g.def("BWS", `[ \t]*`)
	g.def("tchar", "[!#$%&'*+\\-.^_`|~0-9A-Za-z]")
	g.def("token", `<tchar>+`)
	g.def("obs-text", `[\x80-\xff]`)
	g.def("qdtext", `[\t !#-\[\]-~]|<obs-text>`)
	g.def("quoted-pair", `\\(?:[\t !-~]|<obs-text>)`)
	g.def("quoted-string", `"(?:<qdtext>|<quoted-pair>)*"`)
	g.def("chunk-ext", `(?:<BWS>;<BWS><token>(?:<BWS>=<BWS>(?:<token>|<quoted-string>))?)*`)
	// Lenient decoding also takes whitespace before the line end.
	g.def("lenient-chunk-ext", `<chunk-ext><BWS>`)
	return g
}()

var (
	refChunkExt        = chunkExtGrammar.compile("chunk-ext")
	refChunkExtLenient = chunkExtGrammar.compile("lenient-chunk-ext")
)

// latin1 maps each byte to the rune of the same value, as Go's regexp
// matches runes, not bytes: obs-text (%x80-FF) becomes U+0080-U+00FF.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// TestRefChunkExt spot-checks the reference for FuzzGrammarChunkExt.
func TestRefChunkExt(t *testing.T) {
	for _, tt := range []struct {
		ext string
		ok  bool
	}{
		{"", true}, {";a", true}, {" ; a = b ", false}, {" ; a = b", true}, {`;q="a;b\"c"`, true}, {";a;b=c", true},
		{";a=\"\xff\\\x80\"", true}, {";", false}, {`;a="abc`, false}, {";=b", false}, {";a=", false}, {";a b", false},
		{`;a="b"c`, false}, {";a;;b", false}, {";a@b", false}, {";a=\"\x01\"", false}, {`;a=\`, false},
	} {
		if got := refChunkExt.MatchString(latin1([]byte(tt.ext))); got != tt.ok {
			t.Errorf("refChunkExt(%q) = %v; want %v", tt.ext, got, tt.ok)
		}
	}
}

// decodeChunkedBody decodes in as a whole chunked body, in two pieces cut at
// cut, and reports whether it decoded to the end without an error.
func decodeChunkedBody(in []byte, cut int, cfg *parse.Config) error {
	var d parse.Body
	var tr headers.Table
	d.Init(parse.BodyChunked, 0, cfg)
	start := 0
	for _, end := range []int{cut, len(in)} {
		for !d.Done() && start < end {
			_, n, err := d.Decode(in[start:end], &tr)
			if err != nil {
				return err
			}
			if start += n; n == 0 {
				break
			}
		}
	}
	if !d.Done() {
		return parse.ErrUnexpectedEOF
	}
	return nil
}

// FuzzGrammarChunkExt compares the chunked decoder with the reference on a
// chunk-ext after a chunk-size and after the last chunk, strict and
// lenient, whole and split at a point the input picks.
func FuzzGrammarChunkExt(f *testing.F) {
	for _, s := range []string{";", ";a", ` ; a = "b c"`, `;q="a;b\"c"`, `;a="abc`, ";a ", ";a=b;c", "\t;a\t=\tb",
		";a=\"\\\xff\"", ";a=\"\x7f\""} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, ext []byte, cut uint8) {
		if len(ext) > maxGrammarInput {
			return
		}
		if bytes.ContainsAny(ext, "\r\n") {
			return // the size line would end early: a different message
		}
		if len(ext) > 0 && strings.IndexByte("0123456789abcdefABCDEF", ext[0]) >= 0 {
			return // more of the chunk-size
		}
		for _, lenient := range []bool{false, true} {
			ref := refChunkExt
			if lenient {
				ref = refChunkExtLenient
			}
			want := ref.MatchString(latin1(ext))
			cfg := &parse.Config{Lenient: lenient}
			for _, body := range [][]byte{
				[]byte("5" + string(ext) + "\r\nhello\r\n0\r\n\r\n"),
				[]byte("5\r\nhello\r\n0" + string(ext) + "\r\n\r\n"),
			} {
				err := decodeChunkedBody(body, int(cut)%(len(body)+1), cfg)
				if (err == nil) != want {
					t.Fatalf("chunk-ext %q (lenient %v) in %q: err %v; reference says valid=%v", ext, lenient, body, err, want)
				}
				if err != nil && err != parse.ErrInvalidChunkExtension && err != parse.ErrInvalidChunkSize {
					t.Fatalf("chunk-ext %q in %q: err %v; want an invalid chunk extension or size", ext, body, err)
				}
			}
		}
	})
}

package parse

import (
	"errors"
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/headers"
)

// decodeAll feeds in to a chunked decoder in pieces cut at the given offsets
// (keeping unconsumed bytes, as a connection buffer would) and returns the
// body, the trailers as "name=value|...", and the bytes consumed.
func decodeAll(f Framing, cl int64, cfg *Config, in string, cuts []int) (body, trailers string, used int, err error) {
	var d Body
	d.Init(f, cl, cfg)
	var tr headers.Table
	cuts = append(cuts, len(in))
	start := 0 // first unconsumed byte of in
	var sb strings.Builder
	for _, c := range cuts {
		for !d.Done() {
			buf := []byte(in[start:c]) // a fresh copy: views must not outlive the call
			data, n, e := d.Decode(buf, &tr)
			if e != nil {
				return sb.String(), "", start + n, e
			}
			sb.Write(data)
			if d.Done() && tr.Len() > 0 {
				for i := range tr.Len() {
					if i > 0 {
						trailers += "|"
					}
					trailers += string(tr.Name(i)) + "=" + string(tr.Value(i))
				}
			}
			start += n
			if n == 0 {
				break
			}
		}
	}
	return sb.String(), trailers, start, nil
}

var chunkedTests = []struct {
	name, in            string
	body, trailers, err string // err is a code name or ""
	used                int    // bytes consumed; -1 means all of in
}{
	{"simple", "5\r\nhello\r\n0\r\n\r\n", "hello", "", "", -1},
	{"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", "", "", -1},
	{"hex upper lower", "A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij", "", "", -1},
	{"leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello", "", "", -1},
	{"extension", "5;name=value\r\nhello\r\n0;x\r\n\r\n", "hello", "", "", -1},
	{"extension bws", "5 ; a=\"b c\"\r\nhello\r\n0\r\n\r\n", "hello", "", "", -1},
	{"trailers", "5\r\nhello\r\n0\r\nX-Sum: 42\r\nX-B: c\r\n\r\n", "hello", "X-Sum=42|X-B=c", "", -1},
	{"pipelined rest", "1\r\na\r\n0\r\n\r\nGET / HTTP/1.1", "a", "", "", 11},
	{"empty", "0\r\n\r\n", "", "", "", -1},

	{"no size", "\r\nhello\r\n", "", "", "INVALID_CHUNK_SIZE", 0},
	{"bad hex", "5g\r\nhello\r\n", "", "", "INVALID_CHUNK_SIZE", 1},
	{"negative", "-5\r\nhello\r\n", "", "", "INVALID_CHUNK_SIZE", 0},
	{"0x prefix", "0x5\r\nhello\r\n", "", "", "INVALID_CHUNK_SIZE", 1},
	{"space after size", "5 \r\nhello\r\n0\r\n\r\n", "", "", "INVALID_CHUNK_SIZE", 2},
	{"leading space", " 5\r\nhello\r\n", "", "", "INVALID_CHUNK_SIZE", 0},
	{"overflow", "10000000000000000\r\n", "", "", "CHUNK_SIZE_OVERFLOW", 16},
	{"max ok", "7fffffffffffffff\r\nab", "ab", "", "", -1},
	{"data too long", "5\r\nhelloX\r\n0\r\n\r\n", "hello", "", "INVALID_CHUNK_DATA", 8},
	{"data no crlf", "5\r\nhello0\r\n\r\n", "hello", "", "INVALID_CHUNK_DATA", 8},
	{"data bare lf", "5\r\nhello\n0\r\n\r\n", "hello", "", "INVALID_CHUNK_DATA", 8},
	{"size bare lf", "5\nhello\r\n0\r\n\r\n", "", "", "LF_EXPECTED_CR", 1},
	{"size bare cr", "5\rhello\r\n0\r\n\r\n", "", "", "CR_EXPECTED_LF", 2},
	{"ext ctl", "5;a\x00\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 3},
	{"ext bare lf", "5;a\nhello\r\n", "", "", "LF_EXPECTED_CR", 3},
	{"ext quoted", "5;q=\"a;b\\\"c\"\r\nhello\r\n0\r\n\r\n", "hello", "", "", -1},
	{"ext many", "5;a;b=1 ; c = \"\" ;d\t=\te\r\nhello\r\n0;z\r\n\r\n", "hello", "", "", -1},
	{"ext obs-text", "5;a=\"\xff\\\x80\"\r\nhello\r\n0\r\n\r\n", "hello", "", "", -1},
	{"ext no name", "5;\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 2},
	{"ext no name before =", "5;=a\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 2},
	{"ext empty value", "5;a=\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 4},
	{"ext unterminated", "5;a=\"abc\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 8},
	{"ext quoted lf", "5;a=\"a\nb\"\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 6},
	{"ext pair ctl", "5;a=\"\\\x01\"\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 6},
	{"ext name not token", "5;a@b\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 3},
	{"ext value not token", "5;a=b/c\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 5},
	{"ext two names", "5;a b\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 4},
	{"ext after quote", "5;a=\"b\"c\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 7},
	{"ext trailing ws", "5;a \r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 4},
	{"ext double semicolon", "5;a;;b\r\nhello\r\n", "", "", "INVALID_CHUNK_EXTENSION", 4},
	{"ext last chunk", "5\r\nhello\r\n0;\r\n\r\n", "hello", "", "INVALID_CHUNK_EXTENSION", 12},
	{"trailer bad", "0\r\nX Y: 1\r\n\r\n", "", "", "INVALID_HEADER_TOKEN", 3},
	{"trailer obs-fold", "0\r\nX: 1\r\n 2\r\n\r\n", "", "", "OBS_FOLD", 3},
}

func TestChunked(t *testing.T) {
	for _, tt := range chunkedTests {
		want := tt.used
		if want < 0 {
			want = len(tt.in)
		}
		check := func(how string, cuts []int) {
			body, trailers, used, err := decodeAll(BodyChunked, 0, nil, tt.in, cuts)
			var errName string
			if err != nil {
				errName = err.(Code).Name()
			}
			if errName != tt.err || (err == nil && (body != tt.body || trailers != tt.trailers || used != want)) {
				t.Fatalf("%s (%s): body %q trailers %q used %d err %q; want %q %q %d %q",
					tt.name, how, body, trailers, used, errName, tt.body, tt.trailers, want, tt.err)
			}
		}
		check("whole", nil)
		for cut := 1; cut < len(tt.in); cut++ {
			check("split", []int{cut})
		}
		var every []int
		for i := 1; i < len(tt.in); i++ {
			every = append(every, i)
		}
		check("bytewise", every)
	}
}

func TestChunkedLenient(t *testing.T) {
	cfg := &Config{Lenient: true}
	body, _, _, err := decodeAll(BodyChunked, 0, cfg, "5 \r\nhello\n3\nabc\r\n0\n\n", nil)
	if err != nil || body != "helloabc" {
		t.Fatalf("lenient chunked = %q, %v; want helloabc", body, err)
	}
	// Lenient accepts whitespace and a bare LF after an extension, not a
	// malformed one.
	body, _, _, err = decodeAll(BodyChunked, 0, cfg, "5;a \r\nhello\r\n3;b=\"c\"\t\nabc\r\n0;d=e\n\n", nil)
	if err != nil || body != "helloabc" {
		t.Fatalf("lenient chunked extensions = %q, %v; want helloabc", body, err)
	}
	for _, in := range []string{"5;\r\nhello\r\n", "5;a=\"abc\r\nhello\r\n", "5;a=\nhello\r\n"} {
		if _, _, _, err := decodeAll(BodyChunked, 0, cfg, in, nil); err != ErrInvalidChunkExtension {
			t.Fatalf("lenient %q: err = %v; want %v", in, err, ErrInvalidChunkExtension)
		}
	}
}

func TestChunkedExtensionLimit(t *testing.T) {
	in := "5;" + strings.Repeat("a", 100) + "\r\nhello\r\n0\r\n\r\n"
	_, _, _, err := decodeAll(BodyChunked, 0, &Config{MaxHeadBytes: 64}, in, nil)
	if err != ErrInvalidChunkExtension {
		t.Fatalf("long extension: err = %v; want %v", err, ErrInvalidChunkExtension)
	}
	_, _, _, err = decodeAll(BodyChunked, 0, &Config{MaxHeadBytes: 64}, "0\r\nX: "+strings.Repeat("a", 100)+"\r\n\r\n", nil)
	if err != ErrTrailersTooLarge {
		t.Fatalf("long trailers: err = %v; want %v", err, ErrTrailersTooLarge)
	}
}

func TestContentLengthBody(t *testing.T) {
	for cut := 0; cut <= 12; cut++ {
		body, _, used, err := decodeAll(BodyLength, 10, nil, "0123456789GET", []int{cut})
		if err != nil || body != "0123456789" || used != 10 {
			t.Fatalf("cut %d: body %q used %d err %v", cut, body, used, err)
		}
	}
}

func TestBodyClose(t *testing.T) {
	var d Body
	d.Init(BodyUntilClose, -1, nil)
	data, n, err := d.Decode([]byte("abc"), nil)
	if string(data) != "abc" || n != 3 || err != nil || d.Done() {
		t.Fatalf("until-close Decode = %q %d %v done=%v", data, n, err, d.Done())
	}
	if err := d.Close(); err != nil || !d.Done() {
		t.Fatalf("until-close Close = %v done=%v; want nil true", err, d.Done())
	}
	d.Init(BodyLength, 5, nil)
	d.Decode([]byte("ab"), nil)
	if err := d.Close(); err != ErrUnexpectedEOF {
		t.Fatalf("short body Close = %v; want %v", err, ErrUnexpectedEOF)
	}
	d.Init(BodyChunked, 0, nil)
	d.Decode([]byte("5\r\nab"), nil)
	if err := d.Close(); err != ErrUnexpectedEOF {
		t.Fatalf("short chunked Close = %v; want %v", err, ErrUnexpectedEOF)
	}
	d.Init(BodyNone, 0, nil)
	if !d.Done() || d.Close() != nil {
		t.Fatalf("BodyNone not done")
	}
}

// TestDecodeMax decodes a chunked body with trailers, and a Content-Length
// body, with at most 3 bytes of data per call: the data comes in pieces no
// larger than that, adds up to the body, and the trailer section, which is
// longer than 3 bytes, is still read.
func TestDecodeMax(t *testing.T) {
	for _, tc := range []struct {
		framing Framing
		length  int64
		in      string
	}{
		{BodyChunked, -1, "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Long-Trailer: value\r\n\r\n"},
		{BodyLength, 11, "hello world"},
	} {
		var d Body
		d.Init(tc.framing, tc.length, nil)
		var trailers headers.Table
		in := []byte(tc.in)
		var got []byte
		for !d.Done() {
			data, n, err := d.DecodeMax(in, 3, &trailers)
			if err != nil || n == 0 {
				t.Fatalf("%v: DecodeMax = %d, %v with %q left", tc.framing, n, err, in)
			}
			if len(data) > 3 {
				t.Fatalf("%v: %d bytes of data, max 3", tc.framing, len(data))
			}
			got = append(got, data...)
			if d.Done() && trailers.Len() > 0 {
				if v, _ := trailers.Get("X-Long-Trailer"); string(v) != "value" {
					t.Fatalf("trailer %q", v)
				}
			}
			in = in[n:]
		}
		if string(got) != "hello world" || len(in) != 0 {
			t.Fatalf("%v: body %q, %d bytes left", tc.framing, got, len(in))
		}
	}
}

// TestTrailerObsFold: a response's trailer section is unfolded in place, as
// its head is (RFC 9112 §5.2), whole or fed a byte at a time; a request's
// trailers with obs-fold are refused.
func TestTrailerObsFold(t *testing.T) {
	const in = "5\r\nhello\r\n0\r\nX-T: a\r\n\tb\r\nX-U: c\r\n\r\n"
	decode := func(resp bool, step int) (string, *headers.Table, error) {
		var d Body
		if resp {
			d.InitResponse(BodyChunked, 0, nil)
		} else {
			d.Init(BodyChunked, 0, nil)
		}
		buf := []byte(in)
		var tr headers.Table
		var body []byte
		off, have := 0, 0
		for !d.Done() {
			if have < len(buf) {
				have = min(have+step, len(buf))
			}
			data, n, err := d.Decode(buf[off:have], &tr)
			if err != nil {
				return "", nil, err
			}
			body = append(body, data...)
			off += n
			if n == 0 && have == len(buf) {
				return "", nil, errors.New("stuck")
			}
		}
		return string(body), &tr, nil
	}
	for _, step := range []int{len(in), 1} {
		body, tr, err := decode(true, step)
		if err != nil {
			t.Fatalf("response, step %d: %v", step, err)
		}
		x, _ := tr.Get("x-t")
		u, _ := tr.Get("x-u")
		if body != "hello" || string(x) != "a  \tb" || string(u) != "c" {
			t.Errorf("response, step %d: body %q X-T %q X-U %q; want %q %q %q", step, body, x, u, "hello", "a  \tb", "c")
		}
		if _, _, err := decode(false, step); err != ErrObsFold {
			t.Errorf("request, step %d: err %v; want %v", step, err, ErrObsFold)
		}
	}
}

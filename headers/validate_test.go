package headers

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"simple", "Content-Type", nil},
		{"all tchar punctuation", "!#$%&'*+-.^_`|~09azAZ", nil},
		{"empty", "", ErrInvalidName},
		{"space", "Content Type", ErrInvalidName},
		{"colon", "Host:", ErrInvalidName},
		{"CR", "X\r", ErrInvalidName},
		{"LF", "X\nY", ErrInvalidName},
		{"NUL", "X\x00", ErrInvalidName},
		{"separator", "X(Y)", ErrInvalidName},
		{"DEL", "X\x7f", ErrInvalidName},
		{"high bit", "X\xe9", ErrInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidateName(tt.in); got != tt.want {
				t.Errorf("ValidateName(%q) = %v; want %v", tt.in, got, tt.want)
			}
			if got := ValidateName([]byte(tt.in)); got != tt.want {
				t.Errorf("ValidateName([]byte(%q)) = %v; want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidateValue(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"simple", "text/html; charset=utf-8", nil},
		{"empty", "", nil},
		{"tab and spaces", " a\tb ", nil},
		{"obs-text and UTF-8", "caf\xc3\xa9 \xff", nil},
		{"CR", "a\rb", ErrInvalidValue},
		{"LF", "a\nb", ErrInvalidValue},
		{"CRLF injection", "a\r\nSet-Cookie: x", ErrInvalidValue},
		{"NUL", "a\x00", ErrInvalidValue},
		{"other control", "a\x01", ErrInvalidValue},
		{"DEL", "a\x7f", ErrInvalidValue},
		{"HTAB, then CR words later", "a\tbcdefghijklmnopqrstuvwxyz\r", ErrInvalidValue},
		{"long and clean", "Mozilla/5.0 (X11; Linux x86_64) \xc3\xa9\t~", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidateValue(tt.in); got != tt.want {
				t.Errorf("ValidateValue(%q) = %v; want %v", tt.in, got, tt.want)
			}
			if got := ValidateValue([]byte(tt.in)); got != tt.want {
				t.Errorf("ValidateValue([]byte(%q)) = %v; want %v", tt.in, got, tt.want)
			}
		})
	}
	if !errors.Is(ValidateValue("\n"), ErrInvalidValue) {
		t.Errorf("errors.Is(ValidateValue(%q), ErrInvalidValue) = false; want true", "\n")
	}
}

// nodeClassScript prints, for each byte 0-255 as a one-character string,
// a digit with bit 1 set when http.validateHeaderName accepts it and bit 2
// set when http.validateHeaderValue does.
const nodeClassScript = `
const http = require('http');
const ok = (f) => { try { f(); return true; } catch { return false; } };
let out = '';
for (let c = 0; c < 256; c++) {
  const s = String.fromCharCode(c);
  out += (ok(() => http.validateHeaderName(s)) ? 1 : 0) + (ok(() => http.validateHeaderValue('x', s)) ? 2 : 0);
}
console.log(out);
`

func TestByteClassesMatchNode(t *testing.T) {
	out := strings.TrimSpace(string(runNode(t, nodeClassScript)))
	if len(out) != 256 {
		t.Fatalf("node printed %d classes; want 256", len(out))
	}
	for c := range 256 {
		want := out[c] - '0'
		var got byte
		if IsTokenByte(byte(c)) {
			got |= 1
		}
		if IsValueByte(byte(c)) {
			got |= 2
		}
		if got != want {
			t.Errorf("byte %#02x: token %v, value %v; node: token %v, value %v",
				c, got&1 != 0, got&2 != 0, want&1 != 0, want&2 != 0)
		}
	}
}

// TestValidateValueWords checks the eight-byte path against the byte table:
// every byte value at every position of values long enough to use words.
func TestValidateValueWords(t *testing.T) {
	for n := 8; n <= 24; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("a", n))
				b[pos] = byte(c)
				want := error(nil)
				if !IsValueByte(byte(c)) {
					want = ErrInvalidValue
				}
				if got := ValidateValue(b); got != want {
					t.Fatalf("ValidateValue(%q) = %v; want %v", b, got, want)
				}
				if got := ValidateValue(string(b)); got != want {
					t.Fatalf("ValidateValue(string %q) = %v; want %v", b, got, want)
				}
			}
		}
	}
}

package compat

import (
	"encoding/base64"
	"encoding/hex"
	"unicode/utf8"
)

// ErrUnknownEncoding is ERR_UNKNOWN_ENCODING: SetEncoding with an encoding
// compat does not decode.
var ErrUnknownEncoding = &Error{Code: "ERR_UNKNOWN_ENCODING", Message: "Unknown encoding"}

// stringDecoder is Node's StringDecoder for a message's SetEncoding: it
// turns body pieces into text (as UTF-8 bytes), holding back the bytes of
// a character or base64 group split across pieces.
type stringDecoder struct {
	enc  string // "utf8", "hex", "base64", "base64url" or "latin1"
	held []byte
}

// newStringDecoder returns a decoder for Node's encoding name.
func newStringDecoder(enc string) (*stringDecoder, error) {
	switch enc {
	case "utf8", "utf-8":
		enc = "utf8"
	case "latin1", "binary":
		enc = "latin1"
	case "hex", "base64", "base64url":
	default:
		return nil, instance(ErrUnknownEncoding, "Unknown encoding: "+enc)
	}
	return &stringDecoder{enc: enc}, nil
}

// write returns the text of p, holding back an incomplete tail.
func (d *stringDecoder) write(p []byte) []byte {
	switch d.enc {
	case "hex":
		return hex.AppendEncode(nil, p)
	case "latin1":
		out := make([]byte, 0, len(p))
		for _, c := range p {
			out = utf8.AppendRune(out, rune(c))
		}
		return out
	}
	b := append(d.held, p...)
	d.held = nil
	if d.enc != "utf8" {
		n := len(b) / 3 * 3
		d.held = append([]byte(nil), b[n:]...)
		return d.base64(b[:n])
	}
	cut := len(b) - incompleteTail(b)
	d.held = append([]byte(nil), b[cut:]...)
	return validUTF8(b[:cut])
}

// end returns the text of what is held back, as Node's decoder.end().
func (d *stringDecoder) end() []byte {
	b := d.held
	d.held = nil
	if len(b) == 0 {
		return nil
	}
	if d.enc == "utf8" {
		return []byte("\uFFFD")
	}
	return d.base64(b)
}

func (d *stringDecoder) base64(b []byte) []byte {
	if d.enc == "base64url" {
		return base64.RawURLEncoding.AppendEncode(nil, b)
	}
	return base64.StdEncoding.AppendEncode(nil, b)
}

// incompleteTail returns the length of a UTF-8 sequence begun at the end
// of b and not complete in it.
func incompleteTail(b []byte) int {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c&0xC0 == 0x80 {
			continue // a continuation byte: look further back
		}
		need := 0
		switch {
		case c&0xE0 == 0xC0:
			need = 2
		case c&0xF0 == 0xE0:
			need = 3
		case c&0xF8 == 0xF0:
			need = 4
		}
		if need > i {
			return i
		}
		return 0
	}
	return 0
}

// validUTF8 returns b with each invalid byte replaced by U+FFFD.
func validUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return append([]byte(nil), b...)
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		out = utf8.AppendRune(out, r)
		b = b[n:]
	}
	return out
}

// SetEncoding is Node's readable.setEncoding: 'data' then gets the body
// as text in that encoding ("utf8", "hex", "base64", "base64url",
// "latin1"), as UTF-8 bytes; a character or base64 group split across
// pieces comes whole in a later one, and what is left at the end comes
// just before 'end'. Other encodings give ErrUnknownEncoding.
func (m *IncomingMessage) SetEncoding(enc string) error {
	d, err := newStringDecoder(enc)
	if err != nil {
		return err
	}
	m.x.mu.Lock()
	m.moreLocked().dec = d
	m.x.mu.Unlock()
	return nil
}

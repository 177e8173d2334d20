package parse

import "github.com/zerohttp/zerohttp/headers"

// chunked-body   = *chunk last-chunk trailer-section CRLF      (RFC 9112 §7.1)
// chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
// chunk-size     = 1*HEXDIG
// last-chunk     = 1*("0") [ chunk-ext ] CRLF
// chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
// chunk-ext-name = token                                       (RFC 9112 §7.1.1)
// chunk-ext-val  = token / quoted-string
// quoted-string  = DQUOTE *( qdtext / quoted-pair ) DQUOTE      (RFC 9110 §5.6.4)
// qdtext         = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
// quoted-pair    = "\" ( HTAB / SP / VCHAR / obs-text )

// chunkState is where a chunked decoder resumes. The zero state expects the
// first digit of a chunk-size.
type chunkState uint8

const (
	ckSize0     chunkState = iota // initial: first HEXDIG of a chunk-size; leaves to ckSize
	ckSize                        // more HEXDIG, or what ends the size; leaves to ckSizeWS, ckExtName0, ckSizeLF
	ckSizeWS                      // BWS after the size; leaves to ckExtName0 (or, lenient, the line end)
	ckExtName0                    // BWS after ";", then a name's first tchar; leaves to ckExtName
	ckExtName                     // more of a chunk-ext-name; leaves to ckExtNameWS, ckExtVal0, ckExtName0, ckSizeLF
	ckExtNameWS                   // BWS after a name; leaves to ckExtVal0, ckExtName0 (or, lenient, the line end)
	ckExtVal0                     // BWS after "=", then a value's first byte; leaves to ckExtToken or ckExtQuoted
	ckExtToken                    // more of a token value; leaves to ckExtValWS, ckExtName0, ckSizeLF
	ckExtQuoted                   // inside a quoted-string; leaves to ckExtPair or, at DQUOTE, ckExtValEnd
	ckExtPair                     // the byte after a backslash in a quoted-string; leaves to ckExtQuoted
	ckExtValEnd                   // after a closing DQUOTE; leaves to ckExtValWS, ckExtName0, ckSizeLF
	ckExtValWS                    // BWS after a value; leaves to ckExtName0 (or, lenient, the line end)
	ckSizeLF                      // LF of the size line; leaves to ckData or ckTrailers
	ckData                        // chunk-data; leaves to ckDataCR
	ckDataCR                      // CR after chunk-data; leaves to ckDataLF
	ckDataLF                      // LF after chunk-data; leaves to ckSize0
	ckTrailers                    // trailer section; terminal once the trailer parser is done
)

// decodeChunked is Body.DecodeMax for chunked bodies: it walks framing bytes
// one at a time (they are few) and returns chunk-data as views into b.
func (d *Body) decodeChunked(b []byte, max int, trailers *headers.Table) ([]byte, int, Code) {
	lenient := d.cfg.Lenient
	i := 0
	for i < len(b) {
		c := b[i]
		switch d.cst {
		case ckSize0:
			v := unhex(c)
			if v < 0 {
				return nil, i, ErrInvalidChunkSize
			}
			d.size, d.cst = int64(v), ckSize
		case ckSize:
			if v := unhex(c); v >= 0 {
				if d.size > (1<<63-1)>>4 {
					return nil, i, ErrChunkSizeOverflow
				}
				d.size = d.size<<4 | int64(v)
				break
			}
			switch c {
			case ';':
				d.cst, d.extLen = ckExtName0, 0
			case ' ', '\t':
				d.cst = ckSizeWS
			case '\r':
				d.cst = ckSizeLF
			case '\n':
				if !lenient {
					return nil, i, ErrBareLF
				}
				d.endSizeLine()
			default:
				return nil, i, ErrInvalidChunkSize
			}
		case ckSizeWS:
			switch {
			case c == ' ' || c == '\t':
			case c == ';':
				d.cst, d.extLen = ckExtName0, 0
			case c == '\r' && lenient: // "5 \r\n": whitespace after the size
				d.cst = ckSizeLF
			case c == '\n' && lenient:
				d.endSizeLine()
			default:
				return nil, i, ErrInvalidChunkSize
			}
		case ckExtName0, ckExtName, ckExtNameWS, ckExtVal0, ckExtToken, ckExtQuoted, ckExtPair, ckExtValEnd, ckExtValWS:
			// Extensions are ignored, but they must parse and are bounded, so
			// that a peer cannot hide a line end or a message in them (as
			// the "5;a=\"x\r\n..." request smuggling variants try) or make
			// us read forever.
			if d.extLen++; d.extLen > d.cfg.MaxHeadBytes {
				return nil, i, ErrInvalidChunkExtension
			}
			if e := d.chunkExt(c, lenient); e != ErrNone {
				return nil, i, e
			}
		case ckSizeLF:
			if c != '\n' {
				return nil, i, ErrBareCR
			}
			d.endSizeLine()
		case ckData:
			k := min(int64(len(b)-i), int64(max), d.remain)
			d.remain -= k
			if d.remain == 0 {
				d.cst = ckDataCR
			}
			return b[i : i+int(k)], i + int(k), ErrNone
		case ckDataCR:
			switch {
			case c == '\r':
				d.cst = ckDataLF
			case c == '\n' && lenient:
				d.cst = ckSize0
			default:
				return nil, i, ErrInvalidChunkData
			}
		case ckDataLF:
			if c != '\n' {
				return nil, i, ErrInvalidChunkData
			}
			d.cst = ckSize0
		case ckTrailers:
			if i > 0 {
				// Hand back what came before the trailer section, so that the
				// trailer parser always sees its section from offset 0.
				return nil, i, ErrNone
			}
			if trailers == nil {
				trailers = &d.scratch
			}
			n, err := d.trailer.Parse(b, trailers)
			if err != nil {
				return nil, 0, err.(Code)
			}
			if n > 0 {
				d.done = true
			}
			return nil, n, ErrNone
		}
		i++ // ckData and ckTrailers return above
	}
	return nil, i, ErrNone
}

// chunkExt advances the chunk-ext states over c (see the grammar at the top).
// Whitespace before the line end (BWS that no ";" or "=" follows) and a bare
// LF are accepted only when lenient, as after a chunk-size.
func (d *Body) chunkExt(c byte, lenient bool) Code {
	switch c {
	case '\r':
		switch d.cst {
		case ckExtName, ckExtToken, ckExtValEnd:
			d.cst = ckSizeLF
			return ErrNone
		case ckExtNameWS, ckExtValWS:
			if lenient {
				d.cst = ckSizeLF
				return ErrNone
			}
		}
		if d.cst != ckExtQuoted && d.cst != ckExtPair {
			return ErrInvalidChunkExtension
		}
		// A CR inside a quoted-string is not qdtext: rejected below.
	case '\n':
		switch d.cst {
		case ckExtName, ckExtToken, ckExtValEnd, ckExtNameWS, ckExtValWS:
			if !lenient {
				return ErrBareLF
			}
			d.endSizeLine()
			return ErrNone
		}
	}
	tok := headers.IsTokenByte(c)
	ws := c == ' ' || c == '\t'
	switch d.cst {
	case ckExtName0:
		switch {
		case tok:
			d.cst = ckExtName
		case !ws:
			return ErrInvalidChunkExtension
		}
	case ckExtName, ckExtNameWS:
		switch {
		case tok && d.cst == ckExtName:
		case ws:
			d.cst = ckExtNameWS
		case c == '=':
			d.cst = ckExtVal0
		case c == ';':
			d.cst = ckExtName0
		default:
			return ErrInvalidChunkExtension
		}
	case ckExtVal0:
		switch {
		case tok:
			d.cst = ckExtToken
		case c == '"':
			d.cst = ckExtQuoted
		case !ws:
			return ErrInvalidChunkExtension
		}
	case ckExtToken, ckExtValEnd, ckExtValWS:
		switch {
		case tok && d.cst == ckExtToken:
		case ws:
			d.cst = ckExtValWS
		case c == ';':
			d.cst = ckExtName0
		default:
			return ErrInvalidChunkExtension
		}
	case ckExtQuoted:
		switch {
		case c == '"':
			d.cst = ckExtValEnd
		case c == '\\':
			d.cst = ckExtPair
		case c < 0x20 && c != '\t' || c == 0x7f:
			return ErrInvalidChunkExtension
		}
	case ckExtPair:
		if c < 0x20 && c != '\t' || c == 0x7f {
			return ErrInvalidChunkExtension
		}
		d.cst = ckExtQuoted
	}
	return ErrNone
}

// endSizeLine starts the chunk's data, or the trailer section after the last chunk.
func (d *Body) endSizeLine() {
	if d.size == 0 {
		d.cst = ckTrailers
		d.trailer.Init(d.tmode, &d.cfg)
		d.scratch.Reset(nil)
		return
	}
	d.remain, d.cst = d.size, ckData
}

// unhex returns the value of a HEXDIG, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

package parse

import "github.com/zerohttp/zerohttp/headers"

// chunked-body   = *chunk last-chunk trailer-section CRLF      (RFC 9112 §7.1)
// chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
// chunk-size     = 1*HEXDIG
// last-chunk     = 1*("0") [ chunk-ext ] CRLF
// chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )

// chunkState is where a chunked decoder resumes. The zero state expects the
// first digit of a chunk-size.
type chunkState uint8

const (
	ckSize0    chunkState = iota // initial: first HEXDIG of a chunk-size; leaves to ckSize
	ckSize                       // more HEXDIG, or what ends the size; leaves to ckSizeWS, ckExt, ckSizeLF
	ckSizeWS                     // BWS after the size; leaves to ckExt (or, lenient, the line end)
	ckExt                        // chunk-ext bytes up to the line end; leaves to ckSizeLF
	ckSizeLF                     // LF of the size line; leaves to ckData or ckTrailers
	ckData                       // chunk-data; leaves to ckDataCR
	ckDataCR                     // CR after chunk-data; leaves to ckDataLF
	ckDataLF                     // LF after chunk-data; leaves to ckSize0
	ckTrailers                   // trailer section; terminal once the trailer parser is done
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
				d.cst, d.extLen = ckExt, 0
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
				d.cst, d.extLen = ckExt, 0
			case c == '\r' && lenient: // "5 \r\n": whitespace after the size
				d.cst = ckSizeLF
			case c == '\n' && lenient:
				d.endSizeLine()
			default:
				return nil, i, ErrInvalidChunkSize
			}
		case ckExt:
			// Extensions are ignored but bounded and free of control bytes, so
			// a peer cannot hide a line end in them or make us read forever.
			switch {
			case c == '\r':
				d.cst = ckSizeLF
			case c == '\n':
				if !lenient {
					return nil, i, ErrBareLF
				}
				d.endSizeLine()
			case c < 0x20 && c != '\t' || c == 0x7f:
				return nil, i, ErrInvalidChunkExtension
			default:
				if d.extLen++; d.extLen > d.cfg.MaxHeadBytes {
					return nil, i, ErrInvalidChunkExtension
				}
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

// endSizeLine starts the chunk's data, or the trailer section after the last chunk.
func (d *Body) endSizeLine() {
	if d.size == 0 {
		d.cst = ckTrailers
		d.trailer.Init(trailer, &d.cfg)
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

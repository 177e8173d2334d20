package parse

import (
	"encoding/binary"
	"math"

	"github.com/zerohttp/zerohttp/headers"
)

// field-line   = field-name ":" OWS field-value OWS     (RFC 9112 §5)
// field-name   = token
// field-value  = *( field-vchar / SP / HTAB ), vchar including obs-text
//
// Two mask searches per line: the first byte that is not a tchar must be the
// colon (this also rejects whitespace before it, RFC 9112 §5.1), and the first
// byte after the colon that is not allowed in a value must be the line end.

// readFields reads field lines until the empty line that ends the head.
// It is the hot loop of a parse: the resume point lives in locals and is
// stored back only on return (measured: about 15% of a browser head's parse
// went to reloading and storing p.pos, p.mark and p.st per line). Every exit
// goes through out rather than a deferred store, which cost ~28 instructions
// per head.
func (p *Parser) readFields(b []byte, h *headers.Table) Code {
	pos, mark, colon := p.pos, p.mark, p.colon
	st := p.st
	var code Code
	for {
		switch st {
		case stFieldStart:
			if pos >= len(b) {
				goto out
			}
			switch b[pos] {
			case '\r', '\n':
				var end int
				end, code = p.lineEnd(b, pos, ErrNone)
				if code != ErrNone || end == 0 {
					if code != ErrNone {
						pos = p.pos
					}
					goto out
				}
				code = p.finish(end)
				pos, st = p.pos, p.st
				goto out
			case ' ', '\t':
				// RFC 9112 §5.2: obs-fold is rejected in requests (400). A
				// response's folds are unfolded in stFieldValue, so here it is
				// whitespace before the first field line (§2.2) or a trailer.
				code = ErrObsFold
				goto out
			}
			if p.nfields >= p.cfg.MaxHeaders {
				code = ErrTooManyHeaders
				goto out
			}
			mark, st = pos, stFieldName
			fallthrough
		case stFieldName:
			q := p.win.hit(clsTok, pos)
			if q < 0 {
				q = p.win.next(b, clsTok, pos)
			}
			pos = q
			if q == len(b) {
				goto out
			}
			if b[q] != ':' || q == mark {
				code = ErrInvalidHeaderName
				goto out
			}
			colon, pos, st = q, q+1, stFieldValue
			fallthrough
		case stFieldValue:
			q := p.win.hit(clsVal, pos)
			if q < 0 {
				q = p.win.next(b, clsVal, pos)
			}
			pos = q
			if q == len(b) {
				goto out
			}
			end := q + 2
			if b[q] != '\r' || q+1 >= len(b) || b[q+1] != '\n' {
				if end, code = p.lineEnd(b, q, ErrInvalidHeaderValue); code != ErrNone || end == 0 {
					pos = max(pos, p.pos)
					goto out
				}
			}
			if p.mode&1 != 0 { // Response or respTrailer
				// obs-fold = OWS CRLF RWS (RFC 9112 §5.2): a user agent MUST
				// replace each with SP before interpreting the value, in a
				// response's head and trailer section. The line end becomes
				// SP in b, in place, and the value goes on.
				if end >= len(b) {
					pos = q // the next line's first byte decides; the head's empty line follows
					goto out
				}
				if c := b[end]; c == ' ' || c == '\t' {
					for i := q; i < end; i++ {
						b[i] = ' '
					}
					pos = end
					continue
				}
			}
			if code = p.addField(b, h, mark, colon, q); code != ErrNone {
				goto out
			}
			pos, st = end, stFieldStart
		default:
			goto out
		}
	}
out:
	p.pos, p.mark, p.colon, p.st = pos, mark, colon, st
	return code
}

// hostWord is "host" as a little-endian word; ORing 0x20 into each byte of a
// token lower-cases its letters and maps no other tchar onto a letter.
const hostWord = 'h' | 'o'<<8 | 's'<<16 | 't'<<24

// specialIDs are the fields that frame the message or steer the connection.
const specialIDs = 1<<headers.ContentLength | 1<<headers.TransferEncoding | 1<<headers.Host |
	1<<headers.Connection | 1<<headers.Upgrade | 1<<headers.Expect

// addField records the field line name [mark, colon), value up to end (its
// line ending) in h, and applies the fields that frame the message or steer
// the connection.
func (p *Parser) addField(b []byte, h *headers.Table, mark, colon, end int) Code {
	vs, ve := colon+1, end
	for vs < ve && (b[vs] == ' ' || b[vs] == '\t') {
		vs++
	}
	for ve > vs && (b[ve-1] == ' ' || b[ve-1] == '\t') {
		ve--
	}
	var id headers.ID
	if colon-mark == 4 && binary.LittleEndian.Uint32(b[mark:])|0x20202020 == hostWord {
		id = headers.Host // every request has one: a compare instead of the hash
	} else {
		id = headers.LookupID(b[mark:colon])
	}
	value := headers.MakeSpan(vs, ve)
	h.AddSpan(headers.MakeSpan(mark, colon), value, id)
	p.nfields++
	if uint64(specialIDs)>>(id&63)&1 == 0 || p.mode >= trailer {
		// RFC 9110 §6.5.1: framing fields in trailers are not acted on.
		return ErrNone
	}
	v := b[vs:ve]
	switch id {
	case headers.ContentLength:
		return p.contentLengthField(v)
	case headers.TransferEncoding:
		return p.transferEncodingField(v)
	case headers.Host:
		if p.flags&fHost != 0 {
			return ErrDuplicateHost
		}
		if n := len(v); n == 0 || n != int(p.okHostLen) || string(v) != string(p.okHost[:n]) {
			if !ValidHost(v) {
				return ErrInvalidHost
			}
			if n <= len(p.okHost) {
				p.okHostLen = uint8(copy(p.okHost[:], v))
			}
		}
		p.flags |= fHost
		p.host = value
	case headers.Connection:
		p.flags |= connectionTokens(v)
	case headers.Upgrade:
		p.flags |= fUpgrade
	case headers.Expect:
		if headers.EqualFold(v, "100-continue") {
			p.flags |= fExpect100
		}
	}
	return ErrNone
}

// Content-Length = 1*DIGIT   (RFC 9110 §8.6)
func (p *Parser) contentLengthField(v []byte) Code {
	if len(v) == 0 {
		return ErrInvalidContentLength
	}
	var n int64
	for _, c := range v {
		if !isDigit(c) {
			return ErrInvalidContentLength
		}
		if n > (math.MaxInt64-int64(c-'0'))/10 {
			return ErrInvalidContentLength
		}
		n = n*10 + int64(c-'0')
	}
	if p.flags&fContentLength != 0 {
		// Strict: any repeat is refused (llhttp does the same). Lenient: an
		// identical repeat is one value, as RFC 9110 §8.6 permits.
		if !p.cfg.Lenient || n != p.contentLength {
			return ErrDuplicateContentLength
		}
	}
	p.flags |= fContentLength
	p.contentLength = n
	return ErrNone
}

// Transfer-Encoding = #transfer-coding   (RFC 9112 §6.1)
// Codings accumulate across repeated fields; only their order matters here.
func (p *Parser) transferEncodingField(v []byte) Code {
	p.flags |= fTransferEnc
	if !p.cfg.Lenient && (len(v) == 0 || v[len(v)-1] == ',') {
		return ErrInvalidTransferEncoding // no coding, or a trailing empty element; see below
	}
	for len(v) > 0 {
		var elem []byte
		elem, v = headers.NextElement(v)
		if len(elem) == 0 {
			// RFC 9110 §5.6.1 lets a recipient accept empty list elements,
			// but ", chunked" is a known way to hide chunked from a front end
			// that compares the whole value (net/http refuses it too), so
			// strict mode refuses them.
			if !p.cfg.Lenient {
				return ErrInvalidTransferEncoding
			}
			continue
		}
		if p.flags&fChunkedLast != 0 {
			// RFC 9112 §6.1: chunked must not be applied more than once and must be final.
			return ErrInvalidTransferEncoding
		}
		if headers.EqualFold(elem, "chunked") {
			p.flags |= fChunkedLast
			continue
		}
		if !isToken(elem) {
			return ErrInvalidTransferEncoding
		}
		p.flags |= fOtherCoding
	}
	return ErrNone
}

// connectionTokens returns the flags for the Connection options it knows.
func connectionTokens(v []byte) uint16 {
	var f uint16
	for len(v) > 0 {
		var elem []byte
		elem, v = headers.NextElement(v)
		switch {
		case headers.EqualFold(elem, "close"):
			f |= fConnClose
		case headers.EqualFold(elem, "keep-alive"):
			f |= fConnKeepAlive
		case headers.EqualFold(elem, "upgrade"):
			f |= fConnUpgrade
		}
	}
	return f
}

func isToken(b []byte) bool {
	for _, c := range b {
		if !headers.IsTokenByte(c) {
			return false
		}
	}
	return len(b) > 0
}

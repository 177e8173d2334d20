package parse

import "github.com/zerohttp/zerohttp/headers"

// status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF   (RFC 9112 §4)
// A missing SP before an empty reason is accepted, as most clients do.

// readResponseVersion reads HTTP-version and the SP after it.
func (p *Parser) readResponseVersion(b []byte) Code {
	// Two compares of 16 and 1 bytes: the compiler inlines loads up to 16
	// bytes but calls memequal for 17.
	if len(b)-p.pos >= 17 && string(b[p.pos:p.pos+16]) == "HTTP/1.1 200 OK\r" && b[p.pos+16] == '\n' {
		// Most responses start so: one compare instead of three states.
		p.major, p.minor, p.status = 1, 1, 200
		p.reason = headers.MakeSpan(p.pos+13, p.pos+15)
		p.pos, p.st = p.pos+17, stFieldStart
		return ErrNone
	}
	if len(b)-p.pos < 9 {
		return p.checkVersionPrefix(b)
	}
	if code := p.version(b); code != ErrNone {
		return code
	}
	if b[p.pos+8] != ' ' {
		p.pos += 8
		return ErrInvalidVersion
	}
	p.pos, p.st = p.pos+9, stStatus
	return ErrNone
}

// readStatus reads status-code = 3DIGIT and the byte after it.
func (p *Parser) readStatus(b []byte) Code {
	if len(b)-p.pos < 4 {
		return ErrNone
	}
	s := b[p.pos : p.pos+4]
	if !isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[2]) || s[0] == '0' {
		return ErrInvalidStatus
	}
	p.status = uint16(s[0]-'0')*100 + uint16(s[1]-'0')*10 + uint16(s[2]-'0')
	if s[3] == ' ' {
		p.pos += 4
		p.mark, p.st = p.pos, stReason
		return ErrNone
	}
	end, code := p.lineEnd(b, p.pos+3, ErrInvalidStatus)
	if code != ErrNone || end == 0 {
		return code
	}
	p.reason = headers.MakeSpan(p.pos+3, p.pos+3)
	p.pos, p.st = end, stFieldStart
	return ErrNone
}

// readReason reads reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ) and the line end.
func (p *Parser) readReason(b []byte) Code {
	q := p.win.hit(clsVal, p.pos)
	if q < 0 {
		q = p.win.next(b, clsVal, p.pos)
	}
	p.pos = q
	if q == len(b) {
		return ErrNone
	}
	end, code := p.lineEnd(b, q, ErrInvalidStatus)
	if code != ErrNone || end == 0 {
		return code
	}
	p.reason = headers.MakeSpan(p.mark, q)
	p.pos, p.st = end, stFieldStart
	return ErrNone
}

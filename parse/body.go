package parse

import "github.com/zerohttp/zerohttp/headers"

// finish ends a head of length end: it checks what only the whole head can
// show and decides the body's framing (RFC 9112 §6.3).
func (p *Parser) finish(end int) Code {
	p.pos = end
	p.headLen = end
	p.st = stDone
	if p.mode >= trailer {
		return ErrNone
	}
	p.framing = BodyNone
	if p.mode == Response {
		return p.responseFraming()
	}
	return p.requestFraming()
}

func (p *Parser) requestFraming() Code {
	if p.minor >= 1 && p.flags&fHost == 0 && !p.cfg.HostOptional {
		// RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without Host.
		return ErrMissingHost
	}
	if p.flags&fTransferEnc != 0 {
		switch {
		case p.flags&fContentLength != 0:
			// RFC 9112 §6.3: a server MAY reject this; it is the classic smuggling shape.
			return ErrTransferEncodingWithCL
		case p.minor == 0:
			// RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
			return ErrTransferEncodingHTTP10
		case p.flags&fChunkedLast == 0:
			// RFC 9112 §6.3: if chunked is not the final coding of a request,
			// the server MUST respond with 400 and close the connection.
			return ErrInvalidTransferEncoding
		case p.flags&fOtherCoding != 0 && !p.cfg.Lenient:
			// RFC 9112 §6.1: a coding the server does not understand gets 501.
			return ErrUnsupportedTransferEncoding
		}
		p.framing = BodyChunked
		return ErrNone
	}
	if p.flags&fContentLength != 0 && p.contentLength > 0 {
		p.framing = BodyLength
	}
	return ErrNone
}

func (p *Parser) responseFraming() Code {
	switch {
	case p.status == 101:
		p.framing = BodyTunnel
		return ErrNone
	case p.status < 200 || p.status == 204 || p.status == 304 || p.reqMethod == MethodHEAD:
		return ErrNone
	case p.reqMethod == MethodCONNECT && p.status < 300:
		p.framing = BodyTunnel
		return ErrNone
	}
	if p.flags&fTransferEnc != 0 {
		if p.flags&fContentLength != 0 && !p.cfg.Lenient {
			return ErrTransferEncodingWithCL
		}
		if p.minor == 0 && !p.cfg.Lenient {
			return ErrTransferEncodingHTTP10
		}
		if p.flags&fOtherCoding != 0 && !p.cfg.Lenient {
			// A coding this client does not decode would reach the caller as
			// if it were the content (net/http refuses such responses too).
			return ErrUnsupportedTransferEncoding
		}
		p.framing = BodyUntilClose // RFC 9112 §6.3 item 4: chunked not final
		if p.flags&fChunkedLast != 0 {
			p.framing = BodyChunked
		}
		return ErrNone
	}
	if p.flags&fContentLength != 0 {
		if p.contentLength > 0 {
			p.framing = BodyLength
		}
		return ErrNone
	}
	p.framing = BodyUntilClose
	return ErrNone
}

// Body decodes a message body framed as a Parser decided. The zero Body has no
// body (it is Done). A Body is reused for every message on a connection.
type Body struct {
	framing Framing
	remain  int64      // BodyLength: bytes left; BodyChunked: bytes left in the current chunk
	cst     chunkState // BodyChunked only
	size    int64      // chunk-size being read
	extLen  int        // chunk-ext bytes on the current line, counting its CR
	done    bool
	err     Code
	trailer Parser        // reads the trailer section; set up at the last chunk
	tmode   Mode          // trailer's mode: trailer, or respTrailer for a response
	scratch headers.Table // receives trailers when the caller passes none
	cfg     Config
}

// Init prepares d for a body with the given framing; contentLength is used for
// BodyLength. cfg (nil for the defaults) bounds chunk extensions and trailers.
func (d *Body) Init(f Framing, contentLength int64, cfg *Config) {
	// Field by field: the trailer parser and scratch table keep their storage.
	d.framing, d.remain, d.cst, d.size, d.extLen, d.err = f, contentLength, ckSize0, 0, 0, ErrNone
	d.done = f == BodyNone || f == BodyTunnel || (f == BodyLength && contentLength <= 0)
	if f != BodyChunked {
		return // only chunked decoding reads the config; most messages have no body
	}
	d.tmode = trailer
	d.cfg = Config{}
	if cfg != nil {
		d.cfg = *cfg
	}
	d.cfg = d.cfg.withDefaults()
}

// InitResponse is Init for a response's body: obs-fold in its trailer
// section is unfolded in place, as in a response's head (RFC 9112 §5.2: a
// user agent MUST replace it with SP), where a request's is refused.
func (d *Body) InitResponse(f Framing, contentLength int64, cfg *Config) {
	d.Init(f, contentLength, cfg)
	d.tmode = respTrailer
}

// Done reports whether the body has ended.
func (d *Body) Done() bool { return d.done }

// Framing returns the framing d was set up with.
func (d *Body) Framing() Framing { return d.framing }

// Decode consumes framing and body bytes at the start of b. It returns body
// data found there (a view into b, possibly empty) and n, the bytes of b
// consumed including data. Call it again with the unconsumed rest plus any new
// input until Done. n == 0 without an error means more input is needed.
// For chunked bodies, trailer fields are appended to trailers (which may be nil)
// as spans into the b of the call that completes them. Errors are sticky.
func (d *Body) Decode(b []byte, trailers *headers.Table) (data []byte, n int, err error) {
	return d.DecodeMax(b, len(b), trailers)
}

// DecodeMax is Decode returning at most max (> 0) bytes of data, for a
// consumer with bounded room. Framing and trailer bytes do not count against
// max: they are consumed as Decode would.
func (d *Body) DecodeMax(b []byte, max int, trailers *headers.Table) (data []byte, n int, err error) {
	if d.err != ErrNone {
		return nil, 0, d.err
	}
	if d.done {
		return nil, 0, nil
	}
	switch d.framing {
	case BodyLength:
		k := min(int64(len(b)), int64(max), d.remain)
		d.remain -= k
		d.done = d.remain == 0
		return b[:k], int(k), nil
	case BodyUntilClose:
		k := min(len(b), max)
		return b[:k], k, nil
	case BodyChunked:
		data, n, code := d.decodeChunked(b, max, trailers)
		if code != ErrNone {
			d.err = code
			return nil, n, code
		}
		return data, n, nil
	}
	return nil, 0, nil
}

// Close tells d that the connection ended. It returns nil if that ends the
// body (read-until-close, or a body already done), else ErrUnexpectedEOF.
func (d *Body) Close() error {
	if d.done {
		return nil
	}
	if d.framing == BodyUntilClose {
		d.done = true
		return nil
	}
	d.err = ErrUnexpectedEOF
	return ErrUnexpectedEOF
}

// Remaining returns the bytes left of a Content-Length body.
func (d *Body) Remaining() int64 {
	if d.framing != BodyLength {
		return -1
	}
	return d.remain
}

package parse

import "github.com/zerohttp/zerohttp/headers"

// state is where a Parser resumes. The zero state is the initial one.
type state uint8

const (
	stStart       state = iota // initial: skips empty lines, then leaves to stMethod or stRespVersion
	stMethod                   // entered from stStart; leaves to stTarget
	stTarget                   // entered from stMethod; leaves to stReqVersion
	stReqVersion               // entered from stTarget; leaves to stFieldStart
	stRespVersion              // entered from stStart; leaves to stStatus
	stStatus                   // entered from stRespVersion; leaves to stReason or stFieldStart
	stReason                   // entered from stStatus; leaves to stFieldStart
	stFieldStart               // start of a field line or of the empty line; leaves to stFieldName or stDone
	stFieldName                // entered from stFieldStart; leaves to stFieldValue
	stFieldValue               // entered from stFieldName; leaves to stFieldStart
	stDone                     // terminal: the head is complete
	stError                    // terminal: err is set
	numStates
)

var stateNames = [numStates]string{"start", "method", "target", "req-version", "resp-version",
	"status", "reason", "field-start", "field-name", "field-value", "done", "error"}

func (s state) String() string {
	if s >= numStates {
		return "unknown"
	}
	return stateNames[s]
}

// flag bits record what the fields of a head said about framing and the connection.
const (
	fContentLength uint16 = 1 << iota // a Content-Length field was seen
	fTransferEnc                      // a Transfer-Encoding field was seen
	fChunkedLast                      // the last transfer coding seen is chunked
	fOtherCoding                      // a transfer coding other than chunked was seen
	fHost                             // a Host field was seen
	fConnClose                        // Connection: close
	fConnKeepAlive                    // Connection: keep-alive
	fConnUpgrade                      // Connection: upgrade
	fUpgrade                          // an Upgrade field was seen
	fExpect100                        // Expect: 100-continue
)

// Parser reads one message head at a time. The zero Parser parses requests with
// the default Config; Init sets another mode or Config. A Parser is reused for
// every message on a connection (Reset between them) and never allocates.
//
// Results (spans, method, status, framing) are valid after Parse returned n > 0
// and until the next Reset. Spans index the buffer passed to Parse.
type Parser struct {
	cfg  Config
	mode Mode
	st   state
	err  Code

	pos     int // next byte to check; every byte before it has been checked
	mark    int // start of the element being read (method, target, reason, field name)
	colon   int // offset of the current field line's ':'
	nfields int // field lines so far
	errOff  int // offset where err was detected
	headLen int // bytes in the complete head

	// Results.
	method        Method
	reqMethod     Method // Response mode: the method of the request being answered
	major, minor  uint8
	status        uint16
	flags         uint16
	framing       Framing
	contentLength int64
	methodSpan    headers.Span
	target        headers.Span
	reason        headers.Span
	host          headers.Span

	win window
	inv prefixCheck // the invariants build's input check; empty otherwise

	// The last Host value that passed ValidHost, kept across messages (Reset
	// leaves it): a connection's requests name the same host, and comparing
	// with it costs a third of checking every byte again.
	okHost    [32]byte
	okHostLen uint8
}

// Init prepares p to parse messages of the given mode with cfg (nil means the defaults).
func (p *Parser) Init(mode Mode, cfg *Config) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	p.cfg = c.withDefaults()
	p.mode = mode
	p.Reset()
}

// Reset prepares p for the next message, keeping its mode and Config.
// In Response mode the request method is reset to GET.
func (p *Parser) Reset() {
	if p.cfg.MaxHeadBytes == 0 {
		p.cfg = p.cfg.withDefaults()
	}
	// Everything but the config, the mode and the mask words, which are
	// stale once win.n is 0; zeroing them too cost a measurable share of a
	// short request's parse.
	p.st, p.err = stStart, ErrNone
	if p.mode >= trailer {
		p.st = stFieldStart
	}
	p.pos, p.mark, p.colon, p.nfields, p.errOff, p.headLen = 0, 0, 0, 0, 0, 0
	p.method, p.reqMethod, p.major, p.minor, p.status = MethodOther, MethodOther, 0, 0, 0
	p.flags, p.framing, p.contentLength = 0, BodyNone, 0
	p.methodSpan, p.target, p.reason, p.host = headers.Span{}, headers.Span{}, headers.Span{}, headers.Span{}
	p.win.base, p.win.n = 0, 0
	p.inv.reset()
}

// Next prepares p for the message that follows the current one in the same
// buffer, n bytes after the current message's first byte (its head and body):
// the caller's next Parse passes the buffer from that offset. Unlike Reset it
// keeps the classified window, shifted by n, so that pipelined heads share
// one vector pass per window instead of paying one each. The bytes after the
// first n must be unchanged. A pipelined 40-byte request saved the ~45 ns of
// a window load this way (profile of the engine under 16-deep pipelining).
func (p *Parser) Next(n int) {
	base, valid := p.win.base-n, p.win.n
	p.Reset()
	if n > 0 && base+valid > 0 {
		p.win.base, p.win.n = base, valid
	}
}

// SetRequestMethod tells a Response-mode parser which request the response
// answers: HEAD responses have no body, and a 2xx to CONNECT starts a tunnel.
func (p *Parser) SetRequestMethod(m Method) { p.reqMethod = m }

// Parse parses the head at the start of b, which must hold every byte of the
// message received so far (bytes before the previous len(b) unchanged).
// It returns the head's length once the head is complete, (0, nil) when more
// input is needed, or a Code. Field lines are appended to h as spans into b;
// h must not be reset between calls for one head; Parse sets its base to b.
// In Response mode Parse unfolds obs-fold in b in place (see the package doc).
// Errors are sticky.
func (p *Parser) Parse(b []byte, h *headers.Table) (int, error) {
	switch p.st {
	case stDone:
		return p.headLen, nil
	case stError:
		return 0, p.err
	}
	if p.cfg.MaxHeadBytes == 0 { // the zero Parser
		p.cfg = p.cfg.withDefaults()
	}
	lim := b
	if len(lim) > p.cfg.MaxHeadBytes {
		lim = lim[:p.cfg.MaxHeadBytes]
	}
	if invariants {
		p.inv.check(b, p.pos)
		defer func() { p.inv.check(b, p.pos) }()
	}
	h.SetBase(b)
	n, code := p.run(lim, h)
	if code != ErrNone {
		return 0, p.fail(code)
	}
	if n == 0 && len(b) > len(lim) {
		p.pos = len(lim)
		if p.mode >= trailer {
			return 0, p.fail(ErrTrailersTooLarge)
		}
		return 0, p.fail(ErrHeadTooLarge)
	}
	return n, nil
}

// fail records code at the current position and returns it.
func (p *Parser) fail(code Code) error {
	p.st, p.err, p.errOff = stError, code, p.pos
	return code
}

// run advances the state machine over b. It returns the head length when the
// head is complete, 0 when b ends first, or a Code. On a Code, p.pos is the
// offending byte's offset.
func (p *Parser) run(b []byte, h *headers.Table) (int, Code) {
	for {
		// A request's states follow each other by fallthrough, so a head
		// that arrived whole costs no dispatch between its parts.
		switch p.st {
		case stStart:
			if p.pos >= len(b) || b[p.pos] == '\r' || b[p.pos] == '\n' {
				if ok, code := p.skipEmptyLines(b); !ok {
					return 0, code
				}
			}
			p.mark = p.pos
			if p.mode == Response {
				p.st = stRespVersion
				continue
			}
			if p.fastRequestLine(b) {
				continue // on to the fields
			}
			p.st = stMethod
			fallthrough
		case stMethod:
			if code := p.readMethod(b); code != ErrNone || p.st == stMethod {
				return 0, code
			}
			fallthrough
		case stTarget:
			if code := p.readTarget(b); code != ErrNone || p.st == stTarget {
				return 0, code
			}
			fallthrough
		case stReqVersion:
			if code := p.readRequestVersion(b); code != ErrNone || p.st == stReqVersion {
				return 0, code
			}
			fallthrough
		case stFieldStart, stFieldName, stFieldValue:
			if code := p.readFields(b, h); code != ErrNone || p.st != stDone {
				return 0, code
			}
			return p.headLen, ErrNone
		case stRespVersion:
			if code := p.readResponseVersion(b); code != ErrNone || p.st == stRespVersion {
				return 0, code
			}
		case stStatus:
			if code := p.readStatus(b); code != ErrNone || p.st == stStatus {
				return 0, code
			}
		case stReason:
			if code := p.readReason(b); code != ErrNone || p.st == stReason {
				return 0, code
			}
		default:
			return p.headLen, ErrNone
		}
	}
}

// lineEnd checks the line ending at b[q], a byte that stopped a field value or
// reason scan. It returns the offset after the line ending, 0 if b ends before
// the ending is known, or a Code: notEOL when b[q] is neither CR nor LF.
func (p *Parser) lineEnd(b []byte, q int, notEOL Code) (int, Code) {
	switch b[q] {
	case '\r':
		if q+1 >= len(b) {
			return 0, ErrNone
		}
		if b[q+1] != '\n' {
			p.pos = q
			return 0, ErrBareCR
		}
		return q + 2, ErrNone
	case '\n':
		if !p.cfg.Lenient {
			p.pos = q
			return 0, ErrBareLF
		}
		return q + 1, ErrNone
	}
	p.pos = q
	return 0, notEOL
}

// Accessors. Each is meaningful after Parse returned n > 0, until Reset.

// Method returns the request method, MethodOther for one not known by name.
func (p *Parser) Method() Method { return p.method }

// MethodSpan returns the request method's bytes.
func (p *Parser) MethodSpan() headers.Span { return p.methodSpan }

// Target returns the request-target's bytes.
func (p *Parser) Target() headers.Span { return p.target }

// Version returns the HTTP version's major and minor digits.
func (p *Parser) Version() (major, minor int) { return int(p.major), int(p.minor) }

// Status returns a response's status code.
func (p *Parser) Status() int { return int(p.status) }

// Reason returns a response's reason phrase; it may be empty.
func (p *Parser) Reason() headers.Span { return p.reason }

// Host returns the Host field's value and whether there was one.
func (p *Parser) Host() (headers.Span, bool) { return p.host, p.flags&fHost != 0 }

// Framing returns how the message's body is delimited.
func (p *Parser) Framing() Framing { return p.framing }

// ContentLength returns the body length when Framing is BodyLength, else -1.
func (p *Parser) ContentLength() int64 {
	if p.framing != BodyLength {
		return -1
	}
	return p.contentLength
}

// KeepAlive reports whether the connection may carry another message after this
// one: HTTP/1.1 unless "Connection: close", HTTP/1.0 only with
// "Connection: keep-alive", and never after a body read until close.
func (p *Parser) KeepAlive() bool {
	switch {
	case p.flags&fConnClose != 0 || p.framing == BodyUntilClose:
		return false
	case p.major == 1 && p.minor == 0:
		return p.flags&fConnKeepAlive != 0
	}
	return true
}

// Upgrade reports whether a request asks to switch protocols (an Upgrade field
// and "Connection: upgrade"), or a response is 101 Switching Protocols.
func (p *Parser) Upgrade() bool {
	if p.mode == Response {
		return p.status == 101
	}
	return p.flags&(fUpgrade|fConnUpgrade) == fUpgrade|fConnUpgrade
}

// Expect100 reports whether an HTTP/1.1 request carries "Expect: 100-continue".
func (p *Parser) Expect100() bool { return p.flags&fExpect100 != 0 && p.minor >= 1 }

// HeadLen returns the length of the complete head.
func (p *Parser) HeadLen() int { return p.headLen }

// Err returns the sticky error with its offset, or nil.
func (p *Parser) Err() error {
	if p.err == ErrNone {
		return nil
	}
	return &Error{Code: p.err, Offset: p.errOff}
}

// ErrOffset returns the offset in the buffer where the sticky error was detected.
func (p *Parser) ErrOffset() int { return p.errOff }

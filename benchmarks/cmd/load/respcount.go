package main

import (
	"bytes"
	"errors"
)

// respCounter finds where responses end in a stream of bytes (Content-Length
// or chunked framing) and checks each against the expected status and,
// optionally, body. It keeps unconsumed bytes in a fixed buffer and never
// allocates after construction.
type respCounter struct {
	buf  []byte
	r, w int // buf[r:w] holds bytes not yet part of a counted response
	want expectation

	// Replies that were not the expected one: a count per status (index 0
	// for codes outside 100-599) and the first one's opening bytes.
	badStatus [600]uint64
	badFirst  [200]byte
	badLen    int

	// The last response's head. Servers under test repeat one response, so
	// a response whose head is byte for byte the last one's (it changes when
	// the Date does, once a second) is framed without parsing its head again:
	// at over a million responses a second, parsing each was a large share of
	// the generator's one core, and a saturated generator flatters the servers
	// it cannot keep busy. The head fixes the status and Content-Length, so
	// only a chunked body needs walking.
	lastHead          [512]byte
	lastHeadLen       int
	lastLen           int // the whole response's length, when not chunked
	lastOK, lastChunk bool
}

// expectation is the reply every request must get.
type expectation struct {
	status    int
	body      []byte
	checkBody bool
	noBody    bool // replies to HEAD have no body whatever their framing says
}

var (
	errNoLength  = errors.New("load: response without Content-Length or chunked framing")
	errBadLength = errors.New("load: bad Content-Length")
	errBadChunk  = errors.New("load: bad chunked framing")
	errNotHTTP   = errors.New("load: reply is not an HTTP/1.x response")
	errUpgrade   = errors.New("load: server switched protocols")
	errTooLarge  = errors.New("load: response larger than the read buffer")
)

func newRespCounter(size int, want expectation) *respCounter {
	return &respCounter{buf: make([]byte, size), want: want}
}

// space returns the free tail of the buffer to read into, compacting first
// when less than a quarter is free.
func (rc *respCounter) space() ([]byte, error) {
	if len(rc.buf)-rc.w < len(rc.buf)/4 {
		if rc.r == 0 {
			return nil, errTooLarge
		}
		rc.w = copy(rc.buf, rc.buf[rc.r:rc.w])
		rc.r = 0
	}
	return rc.buf[rc.w:], nil
}

// add records that n bytes were read into the slice space returned, and
// returns how many complete responses are now available: ok were the
// expected reply, bad were not.
func (rc *respCounter) add(n int) (ok, bad int, err error) {
	rc.w += n
	for {
		b := rc.buf[rc.r:rc.w]
		var m int
		var good bool
		if h := rc.lastHeadLen; h > 0 && len(b) >= h && string(b[:h]) == string(rc.lastHead[:h]) {
			m = rc.lastLen
			if rc.lastChunk {
				k, err := chunkedLen(b[h:])
				if err != nil || k == 0 {
					return ok, bad, err
				}
				m = h + k
			}
			if m > len(b) {
				return ok, bad, nil
			}
			good = rc.lastOK && (!rc.want.checkBody || bodyEqual(b[h:m], rc.lastChunk, rc.want.body))
		} else {
			f, err := frame(b, rc.want.noBody)
			if err != nil || f.n == 0 {
				return ok, bad, err
			}
			m = f.n
			if f.status >= 100 && f.status < 200 {
				if f.status == 101 {
					return ok, bad, errUpgrade
				}
				rc.r += m // an interim response: the final one follows
				continue
			}
			good = f.status == rc.want.status && (!rc.want.checkBody || bodyEqual(b[f.head:m], f.chunked, rc.want.body))
			rc.remember(b[:m], f, good)
		}
		if good {
			ok++
		} else {
			bad++
			rc.recordBad(b[:m])
		}
		rc.r += m
		if rc.r == rc.w {
			rc.r, rc.w = 0, 0
		}
	}
}

func (rc *respCounter) recordBad(resp []byte) {
	s := 0
	if len(resp) >= 12 {
		s = int(resp[9]-'0')*100 + int(resp[10]-'0')*10 + int(resp[11]-'0')
	}
	if s < 100 || s >= len(rc.badStatus) {
		s = 0
	}
	rc.badStatus[s]++
	if rc.badLen == 0 {
		rc.badLen = copy(rc.badFirst[:], resp)
	}
}

// framing is where a complete response ends and what it said.
type framing struct {
	n, head int // its length; where its body starts
	status  int
	chunked bool
}

var crlf = []byte("\r\n")
var crlfcrlf = []byte("\r\n\r\n")

// frame returns the framing of the complete response at the start of b, or
// n == 0 if b does not hold all of it yet.
func frame(b []byte, noBody bool) (framing, error) {
	var f framing
	head := bytes.Index(b, crlfcrlf)
	if head < 0 {
		return f, nil
	}
	head += len(crlfcrlf)
	if head < 12 || string(b[:7]) != "HTTP/1." || b[8] != ' ' {
		return f, errNotHTTP
	}
	f.status = 0
	for _, c := range b[9:12] {
		if c < '0' || c > '9' {
			return f, errNotHTTP
		}
		f.status = f.status*10 + int(c-'0')
	}
	f.head = head
	clen := -1
	for line := b[:head]; len(line) > 0; {
		i := bytes.IndexByte(line, '\n')
		if i < 0 {
			break
		}
		if v, ok := cutFold(line[:i], "content-length:"); ok {
			n, err := atoi(bytes.TrimSpace(v))
			if err != nil {
				return f, err
			}
			clen = n
		} else if v, ok := cutFold(line[:i], "transfer-encoding:"); ok {
			f.chunked = bytes.HasSuffix(bytes.ToLower(bytes.TrimSpace(v)), []byte("chunked"))
		}
		line = line[i+1:]
	}
	switch {
	case noBody || f.status < 200 || f.status == 204 || f.status == 304:
		f.n = head
	case f.chunked:
		n, err := chunkedLen(b[head:])
		if err != nil || n == 0 {
			return framing{}, err
		}
		f.n = head + n
	case clen < 0:
		return f, errNoLength
	case len(b) >= head+clen:
		f.n = head + clen
	}
	if f.n == 0 {
		return framing{}, nil
	}
	f.chunked = f.chunked && f.n > head // a chunked reply to HEAD has no body
	return f, nil
}

// chunkedLen returns the length of the complete chunked body (trailers
// included) at the start of b, or 0 if b does not hold all of it yet.
func chunkedLen(b []byte) (int, error) {
	i := 0
	for {
		e := bytes.Index(b[i:], crlf)
		if e < 0 {
			return 0, nil
		}
		size, err := hexSize(b[i : i+e])
		if err != nil {
			return 0, err
		}
		i += e + 2
		if size == 0 {
			for { // trailer fields, then the blank line
				e := bytes.Index(b[i:], crlf)
				if e < 0 {
					return 0, nil
				}
				i += e + 2
				if e == 0 {
					return i, nil
				}
			}
		}
		if len(b) < i+size+2 {
			return 0, nil
		}
		if string(b[i+size:i+size+2]) != "\r\n" {
			return 0, errBadChunk
		}
		i += size + 2
	}
}

// hexSize reads a chunk-size line up to any extension.
func hexSize(line []byte) (int, error) {
	if k := bytes.IndexByte(line, ';'); k >= 0 {
		line = line[:k]
	}
	line = bytes.TrimRight(line, " \t")
	if len(line) == 0 || len(line) > 7 {
		return 0, errBadChunk
	}
	n := 0
	for _, c := range line {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | int(c-'0')
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			n = n<<4 | int(c|0x20-'a'+10)
		default:
			return 0, errBadChunk
		}
	}
	return n, nil
}

// bodyEqual reports whether a framed body (chunked or not) carries want. A
// body shaped like the last one is checked here without being framed first,
// so a chunked one is walked with bounds checks.
func bodyEqual(body []byte, chunked bool, want []byte) bool {
	if !chunked {
		return bytes.Equal(body, want)
	}
	for {
		e := bytes.Index(body, crlf)
		if e < 0 {
			return false
		}
		size, err := hexSize(body[:e])
		if err != nil || len(body) < e+2+size+2 {
			return false
		}
		if size == 0 {
			return len(want) == 0
		}
		if !bytes.HasPrefix(want, body[e+2:e+2+size]) {
			return false
		}
		want, body = want[size:], body[e+2+size+2:]
	}
}

// cutFold returns the rest of line after prefix, a lower-case ASCII string
// matched without regard to case.
func cutFold(line []byte, prefix string) ([]byte, bool) {
	if len(line) < len(prefix) {
		return nil, false
	}
	for i := range len(prefix) {
		if line[i]|0x20 != prefix[i] { // ASCII case fold; prefix has no byte it would confuse
			return nil, false
		}
	}
	return line[len(prefix):], true
}

func atoi(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 9 {
		return 0, errBadLength
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errBadLength
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// remember records resp's head, for framing the next response like it.
func (rc *respCounter) remember(resp []byte, f framing, ok bool) {
	rc.lastHeadLen = 0
	if f.head > len(rc.lastHead) {
		return // too long to keep: always parse
	}
	rc.lastHeadLen = copy(rc.lastHead[:], resp[:f.head])
	rc.lastLen, rc.lastOK, rc.lastChunk = len(resp), ok, f.chunked
}

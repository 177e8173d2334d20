package main

import (
	"bytes"
	"errors"
)

// respCounter finds where responses end in a stream of bytes, using only
// Content-Length framing: every server under test answers the fixed request
// with a fixed-size body. It keeps unconsumed bytes in a fixed buffer and never
// allocates after construction.
type respCounter struct {
	buf  []byte
	r, w int // buf[r:w] holds bytes not yet part of a counted response

	// The last response's shape. The servers under test repeat one response
	// whose length never changes (the Date line is fixed-width), so a response
	// that starts like the last one and has its head's end and its body's end
	// where the last one had them is counted without parsing the head again:
	// at over a million responses a second, parsing each was a large share of
	// the generator's one core, and a saturated generator flatters the servers
	// it cannot keep busy.
	lastLen, lastHead int
	lastStart         [12]byte // "HTTP/1.1 200"
	lastTail          [8]byte  // the last response's final bytes
}

var (
	errNoLength  = errors.New("load: response without Content-Length")
	errBadLength = errors.New("load: bad Content-Length")
	errTooLarge  = errors.New("load: response larger than the read buffer")
)

func newRespCounter(size int) *respCounter { return &respCounter{buf: make([]byte, size)} }

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
// returns how many complete responses are now available.
func (rc *respCounter) add(n int) (int, error) {
	rc.w += n
	count := 0
	for {
		b := rc.buf[rc.r:rc.w]
		m := 0
		if rc.sameAsLast(b) {
			m = rc.lastLen
		} else {
			var err error
			m, err = responseLen(b)
			if err != nil || m == 0 {
				return count, err
			}
			rc.remember(b[:m])
		}
		rc.r += m
		count++
		if rc.r == rc.w {
			rc.r, rc.w = 0, 0
		}
	}
}

var crlfcrlf = []byte("\r\n\r\n")

// responseLen returns the length of the complete response at the start of b,
// or 0 if b does not hold all of it yet.
func responseLen(b []byte) (int, error) {
	head := bytes.Index(b, crlfcrlf)
	if head < 0 {
		return 0, nil
	}
	head += len(crlfcrlf)
	clen := -1
	for line := b[:head]; len(line) > 0; {
		i := bytes.IndexByte(line, '\n')
		if i < 0 {
			break
		}
		if v, ok := cutFold(line[:i], "content-length:"); ok {
			n, err := atoi(bytes.TrimSpace(v))
			if err != nil {
				return 0, err
			}
			clen = n
		}
		line = line[i+1:]
	}
	if clen < 0 {
		return 0, errNoLength
	}
	if len(b) < head+clen {
		return 0, nil
	}
	return head + clen, nil
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

// sameAsLast reports whether b starts with a whole response shaped like the
// last one counted: the same first bytes, the head's blank line at the same
// offset, and the same final bytes.
func (rc *respCounter) sameAsLast(b []byte) bool {
	n, h := rc.lastLen, rc.lastHead
	return n > 0 && len(b) >= n &&
		string(b[:len(rc.lastStart)]) == string(rc.lastStart[:]) &&
		string(b[h-4:h]) == "\r\n\r\n" &&
		string(b[n-len(rc.lastTail):n]) == string(rc.lastTail[:])
}

// remember records the shape of resp, a whole response, for sameAsLast.
func (rc *respCounter) remember(resp []byte) {
	h := bytes.Index(resp, crlfcrlf) + len(crlfcrlf)
	if len(resp) < h+len(rc.lastTail) || h < len(rc.lastStart) {
		rc.lastLen = 0 // too short to fingerprint: always parse
		return
	}
	rc.lastLen, rc.lastHead = len(resp), h
	copy(rc.lastStart[:], resp)
	copy(rc.lastTail[:], resp[len(resp)-len(rc.lastTail):])
}

package compat

import (
	"strconv"
	"strings"

	"github.com/zerohttp/zerohttp/engine"
)

// head is the decided head of a server response: what Node's _storeHeader
// reads when it generates the head. The fields are res.hdr, which no longer
// changes once the head is decided.
type head struct {
	reason string // never empty: Node fills statusMessage in
	length int64
	status int32
	noDate bool
	// final reports whether End came before the head, so that the whole
	// body, length bytes, is known (Node's numeric _contentLength).
	final bool
}

// userFraming is what the user's own fields say about the framing, read as
// Node's matchHeader reads them.
type userFraming struct {
	connection, contLen, te, date, trailer bool
	close, chunked                         bool   // a "close" Connection token, a "chunked" coding
	noKeepAliveLine                        bool   // the user set a Keep-Alive field
	length                                 string // the Content-Length value
}

// match notes one field line (Node's matchHeader). The names it looks for
// have distinct lengths but two, so most other names cost no comparison.
func (u *userFraming) match(name, value string) {
	switch len(name) {
	case 10:
		if strings.EqualFold(name, "connection") {
			u.connection = true
			u.close = u.close || hasWord(value, "close")
		} else if strings.EqualFold(name, "keep-alive") {
			u.noKeepAliveLine = true
		}
	case 17:
		if strings.EqualFold(name, "transfer-encoding") {
			u.te = true
			u.chunked = u.chunked || hasWord(value, "chunked")
		}
	case 14:
		if strings.EqualFold(name, "content-length") {
			u.contLen, u.length = true, value
		}
	case 4:
		u.date = u.date || strings.EqualFold(name, "date")
	case 7:
		u.trailer = u.trailer || strings.EqualFold(name, "trailer")
	}
}

// hasWord reports whether s holds word, case-insensitively, between
// non-word characters or the ends (Node's /(?:^|\W)close(?:$|\W)/i).
func hasWord(s, word string) bool {
	for i := 0; i+len(word) <= len(s); i++ {
		if !strings.EqualFold(s[i:i+len(word)], word) {
			continue
		}
		if (i == 0 || !isWordByte(s[i-1])) && (i+len(word) == len(s) || !isWordByte(s[i+len(word)])) {
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// applyHead builds the head as Node's _storeHeader does and has the engine
// write it: the status line, the user's fields in order, then Date,
// Connection and Keep-Alive, then Content-Length or Transfer-Encoding. Runs
// as an op, once.
func (res *ServerResponse) applyHead() {
	if res.x.wireEnded || res.headApplied {
		return
	}
	res.headApplied = true
	h := &res.head
	w := res.w
	w.SetStatus(int(h.status))
	// Built in the connection's output buffer, where WriteRawHead leaves it.
	b := w.HeadBuffer(512)
	if st := h.status; st == 200 && h.reason == "OK" {
		b = append(b, "HTTP/1.1 200 OK\r\n"...)
	} else {
		b = append(b, "HTTP/1.1 "...)
		// st is 100 to 999 (decideHeadLocked).
		b = append(b, byte('0'+st/100), byte('0'+st/10%10), byte('0'+st%10), ' ')
		b = append(b, h.reason...)
		b = append(b, "\r\n"...)
	}
	var u userFraming
	for i := range res.hdr.fields {
		f := &res.hdr.fields[i]
		for j := 0; j < f.len(); j++ {
			v := f.at(j)
			u.match(f.name, v)
			b = append(b, f.name...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	if !h.noDate && !u.date {
		b = engine.AppendDate(b)
	}
	req := res.req
	status := int(h.status)
	hasBody := req.Method != "HEAD" && status >= 200 && status != 204 && status != 304
	chunkedByDefault := req.HTTPVersionMajor > 1 || req.HTTPVersionMajor == 1 && req.HTTPVersionMinor >= 1
	keep := w.KeepsConn()
	chunked := u.chunked
	if chunked && (status == 204 || status == 304) {
		chunked, keep = false, false
	}
	last := u.close
	if !u.connection {
		if keep && (u.contLen || chunkedByDefault) && res.ext != nil && res.ext.maxReached {
			b = append(b, "Connection: close\r\n"...) // Node leaves the connection open
		} else if keep && (u.contLen || chunkedByDefault) {
			if res.keepAliveSecs < 0 || u.noKeepAliveLine {
				b = append(b, "Connection: keep-alive\r\n"...)
			} else {
				b = append(b, "Connection: keep-alive\r\nKeep-Alive: timeout="...)
				b = appendDecimal(b, int64(res.keepAliveSecs))
				if res.ext != nil && res.ext.keepAliveMax > 0 {
					b = append(b, ", max="...)
					b = appendDecimal(b, int64(res.ext.keepAliveMax))
				}
				b = append(b, "\r\n"...)
			}
		} else {
			last = true
			b = append(b, "Connection: close\r\n"...)
		}
	}
	framing, length := engine.FramingClose, int64(-1)
	switch {
	case !hasBody:
		framing = engine.FramingNone
	case chunked:
		framing = engine.FramingChunked
	case u.contLen:
		if n, err := strconv.ParseInt(strings.TrimSpace(u.length), 10, 64); err == nil && n >= 0 {
			framing, length = engine.FramingLength, n
		}
	case u.te:
		// A coding other than chunked: Node sends the body as it comes.
	case !chunkedByDefault:
		last = true // HTTP/1.0: the close delimits the body
	case !u.trailer && h.final:
		b = append(b, "Content-Length: "...)
		b = appendDecimal(b, h.length)
		b = append(b, "\r\n"...)
		framing, length = engine.FramingLength, h.length
	default:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
		framing = engine.FramingChunked
	}
	b = append(b, "\r\n"...)
	w.WriteRawHead(b, framing, length, last || !keep)
}

// nodeErrorReply appends the reply Node sends to a request its parser or
// its timers refuse, when no 'clientError' listener answers: a status line
// and "Connection: close", nothing else. Node answers 431 to a head too
// large, 408 to a timeout and 400 to everything else (a bad version, a
// target too long, an unknown method, ...). An HTTP/1.1 request without
// Host passes Node's parser and gets the reply of a response Node makes
// for it (writeHead(400, ['Connection', 'close']); end()).
func nodeErrorReply(dst []byte, status int, err error) []byte {
	if isMissingHost(err) {
		dst = append(dst, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"...)
		dst = engine.AppendDate(dst)
		return append(dst, "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"...)
	}
	switch status {
	case 408, 431, 500:
	default:
		status = 400
	}
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, statusText(status)...)
	return append(dst, "\r\nConnection: close\r\n\r\n"...)
}

// appendDecimal appends n, which is not negative, in decimal: for the
// small numbers of a head it costs a fraction of strconv.AppendInt.
func appendDecimal(b []byte, n int64) []byte {
	if n < 10 {
		return append(b, byte('0'+n))
	}
	var d [20]byte
	i := len(d)
	for ; n > 0; n /= 10 {
		i--
		d[i] = byte('0' + n%10)
	}
	return append(b, d[i:]...)
}

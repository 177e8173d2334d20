package fuzz

import (
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/parse"
	"github.com/zerohttp/zerohttp/parse/parsetest"
)

var requestSeeds = []string{
	"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST /submit?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
	"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
	"GET / HTTP/1.1\nHost: a\n\n",
	"\r\nGET /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nz",
}

var responseSeeds = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	"HTTP/1.1 204 No Content\r\n\r\n",
	"HTTP/1.0 200 OK\r\n\r\nuntil close",
	"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
	"HTTP/1.1 100 Continue\r\n\r\n",
	"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
}

var chunkedSeeds = []string{
	"5\r\nhello\r\n0\r\n\r\n",
	"a;x=y\r\n0123456789\r\n0\r\nT: v\r\n\r\n",
	"ffffffffffffffff\r\n",
	"5\nhello\n0\n\n",
}

// FuzzRequestHead parses arbitrary bytes as a request (head and body) in
// strict and lenient mode; nothing may panic and every span must be in bounds.
func FuzzRequestHead(f *testing.F) {
	for _, s := range withCorpus(f, requestSeeds, "req-") {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		strict := parsetest.Trace(parse.Request, nil, parse.MethodGET, in, nil)
		lenient := parsetest.Trace(parse.Request, &parse.Config{Lenient: true}, parse.MethodGET, in, nil)
		if !strings.HasPrefix(strict, "error") && strings.HasPrefix(lenient, "error") {
			t.Fatalf("strict accepted what lenient rejects: %q\nstrict:\n%s\nlenient:\n%s", in, strict, lenient)
		}
	})
}

// FuzzResponseHead parses arbitrary bytes as a response to GET and to HEAD.
func FuzzResponseHead(f *testing.F) {
	for _, s := range withCorpus(f, responseSeeds, "resp-") {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, in []byte, head bool) {
		m := parse.MethodGET
		if head {
			m = parse.MethodHEAD
		}
		parsetest.Trace(parse.Response, nil, m, in, nil)
		parsetest.Trace(parse.Response, &parse.Config{Lenient: true}, m, in, nil)
	})
}

// FuzzChunked decodes arbitrary bytes as a chunked body, whole and split.
func FuzzChunked(f *testing.F) {
	for _, s := range chunkedSeeds {
		f.Add([]byte(s), []byte{3, 7})
	}
	f.Fuzz(func(t *testing.T, in, seed []byte) {
		head := []byte("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
		msg := append(head, in...)
		whole := parsetest.Trace(parse.Request, nil, parse.MethodGET, msg, nil)
		cuts := parsetest.Cuts(seed, len(msg))
		if split := parsetest.Trace(parse.Request, nil, parse.MethodGET, msg, cuts); split != whole {
			t.Fatalf("split %v:\n%s\nwhole:\n%s", cuts, split, whole)
		}
	})
}

// FuzzSplitFeed checks that a message fed in arbitrary pieces gives exactly
// the result of one read, in both modes and both scan paths.
func FuzzSplitFeed(f *testing.F) {
	for _, s := range withCorpus(f, requestSeeds, "req-") {
		f.Add([]byte(s), []byte{1, 9, 30}, false)
	}
	for _, s := range withCorpus(f, responseSeeds, "resp-") {
		f.Add([]byte(s), []byte{2, 5}, true)
	}
	f.Fuzz(func(t *testing.T, in, seed []byte, response bool) {
		mode := parse.Request
		if response {
			mode = parse.Response
		}
		whole := parsetest.Trace(mode, nil, parse.MethodGET, in, nil)
		cuts := parsetest.Cuts(seed, len(in))
		if split := parsetest.Trace(mode, nil, parse.MethodGET, in, cuts); split != whole {
			t.Fatalf("split %v:\n%s\nwhole:\n%s", cuts, split, whole)
		}
		if split := parsetest.Trace(mode, nil, parse.MethodGET, in, parsetest.Every(len(in), 512)); split != whole {
			t.Fatalf("byte by byte:\n%s\nwhole:\n%s", split, whole)
		}
	})
}

// FuzzSIMDvsPortable parses with the AVX2 path and the portable one; the
// results must be identical. (parse/scan_fuzz_test.go compares the masks.)
func FuzzSIMDvsPortable(f *testing.F) {
	for _, s := range withCorpus(f, requestSeeds, "req-") {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, in []byte, response bool) {
		mode := parse.Request
		if response {
			mode = parse.Response
		}
		was := parse.SetSIMD(true)
		defer parse.SetSIMD(was)
		simd := parsetest.Trace(mode, nil, parse.MethodGET, in, nil)
		parse.SetSIMD(false)
		portable := parsetest.Trace(mode, nil, parse.MethodGET, in, nil)
		if simd != portable {
			t.Fatalf("avx2:\n%s\nportable:\n%s", simd, portable)
		}
	})
}

package fuzz

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// FuzzNetHTTPResponseDifferential reads a response to GET or HEAD with the
// client's parser and with net/http's ReadResponse. Where net/http rejects
// the framing of a response that has a body, the parser must reject too; where both accept a final
// response, status, body and whether the connection stays open must agree.
// As for requests, the parser may reject what net/http accepts: it is
// deliberately stricter (see FuzzNetHTTPDifferential).
func FuzzNetHTTPResponseDifferential(f *testing.F) {
	for _, s := range withCorpus(f, responseSeeds, "resp-") {
		f.Add([]byte(s), false)
	}
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
		"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw",
		"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"), true)
	f.Fuzz(func(t *testing.T, in []byte, head bool) {
		method := "GET"
		if head {
			method = "HEAD"
		}
		ours, ourErr := readResponseOurs(bytes.Clone(in), head) // Parse unfolds obs-fold in place
		theirs, theirErr := readResponseNetHTTP(in, method)
		// A response without a body (1xx, 101, 204, 304, any to HEAD) is
		// framed by its head alone, so its framing fields cannot desync.
		framed := !head && ours.status >= 200 && ours.status != 204 && ours.status != 304
		switch {
		case theirErr != nil && ourErr == nil && framed && framingError(theirErr):
			t.Fatalf("net/http rejects the framing (%v), we accept: %q\nours: %+v", theirErr, in, ours)
		case theirErr == nil && ourErr == nil && ours.status >= 200 && ours.status != 101:
			if ours.status != theirs.status {
				t.Fatalf("status differs: ours %d, net/http %d; input %q", ours.status, theirs.status, in)
			}
			if ours.body != theirs.body {
				t.Fatalf("body differs: ours %q, net/http %q; input %q", ours.body, theirs.body, in)
			}
			if ours.close != theirs.close {
				t.Fatalf("persistence differs: ours close=%v, net/http close=%v; input %q", ours.close, theirs.close, in)
			}
		}
	})
}

type response struct {
	status int
	body   string
	close  bool
}

func readResponseOurs(in []byte, head bool) (response, error) {
	var p parse.Parser
	p.Init(parse.Response, nil)
	m := parse.MethodGET
	if head {
		m = parse.MethodHEAD
	}
	p.SetRequestMethod(m)
	var h headers.Table
	n, err := p.Parse(in, &h)
	if err != nil {
		return response{}, err
	}
	if n == 0 {
		return response{}, io.ErrUnexpectedEOF
	}
	r := response{status: p.Status(), close: !p.KeepAlive()}
	rest := in[n:]
	if p.Framing() == parse.BodyUntilClose {
		// The input ends where the connection would: the body is the rest.
		r.body = string(rest)
		return r, nil
	}
	body, err := decodeBody(&p, rest)
	if err != nil {
		return response{}, err
	}
	r.body = body
	return r, nil
}

func readResponseNetHTTP(in []byte, method string) (response, error) {
	req, _ := http.NewRequest(method, "http://example.com/", nil)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(in)), req)
	if err != nil {
		return response{}, err
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, body: string(body), close: resp.Close}, nil
}

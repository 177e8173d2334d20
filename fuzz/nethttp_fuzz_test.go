package fuzz

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

// FuzzNetHTTPDifferential parses a request with both parsers. Where both
// accept, method, target, version, fields, connection persistence and body
// must agree. Where net/http rejects for a framing reason (Content-Length,
// Transfer-Encoding, chunking), this parser must reject too. Where only one
// side rejects for another reason, the two are allowed to differ: this parser
// is deliberately stricter (bytes >= 0x80 in targets, duplicate Content-Length,
// Transfer-Encoding with Content-Length, bare LF), and net/http leaves checks
// such as a missing Host to its server.
func FuzzNetHTTPDifferential(f *testing.F) {
	for _, s := range withCorpus(f, requestSeeds, "req-") {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ours, ourErr := parseOurs(in)
		theirs, theirErr := parseNetHTTP(in)
		switch {
		case theirErr != nil && ourErr == nil && framingError(theirErr):
			t.Fatalf("net/http rejects the framing (%v), we accept: %q\nours: %+v", theirErr, in, ours)
		case theirErr == nil && ourErr == nil:
			if ours.method != theirs.method || ours.target != theirs.target || ours.proto != theirs.proto {
				t.Fatalf("start line differs: ours %+v; net/http %+v; input %q", ours, theirs, in)
			}
			if !slices.Equal(ours.fields, theirs.fields) {
				t.Fatalf("fields differ:\nours    %q\nnet/http %q\ninput %q", ours.fields, theirs.fields, in)
			}
			if ours.close != theirs.close || ours.chunked != theirs.chunked {
				t.Fatalf("persistence differs: ours close=%v, net/http close=%v; input %q", ours.close, theirs.close, in)
			}
			if ours.body != theirs.body {
				t.Fatalf("body differs: ours %q, net/http %q; input %q", ours.body, theirs.body, in)
			}
		}
	})
}

type request struct {
	method, target, proto, body string
	fields                      []string // "Canonical-Name: value", sorted
	close, chunked              bool
}

func parseOurs(in []byte) (request, error) {
	var p parse.Parser
	var h headers.Table
	n, err := p.Parse(in, &h)
	if err != nil {
		return request{}, err
	}
	if n == 0 {
		return request{}, io.ErrUnexpectedEOF
	}
	var r request
	r.method = string(p.MethodSpan().In(in))
	r.target = string(p.Target().In(in))
	maj, min := p.Version()
	r.proto = "HTTP/" + string(rune('0'+maj)) + "." + string(rune('0'+min))
	r.close = !p.KeepAlive()
	for i := range h.Len() {
		name := textproto.CanonicalMIMEHeaderKey(string(h.Name(i)))
		if name == "Host" || name == "Transfer-Encoding" || (name == "Trailer" && p.Framing() == parse.BodyChunked) {
			continue // net/http moves these out of the header map (Trailer only for a chunked body)
		}
		r.fields = append(r.fields, name+": "+string(h.Value(i)))
	}
	slices.Sort(r.fields)
	body, err := decodeBody(&p, in[n:])
	if err != nil {
		return request{}, err
	}
	r.body = body
	r.chunked = p.Framing() == parse.BodyChunked
	return r, nil
}

func parseNetHTTP(in []byte) (request, error) {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(in)))
	if err != nil {
		return request{}, err
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return request{}, err
	}
	r := request{method: req.Method, target: req.RequestURI, proto: req.Proto, body: string(body), close: req.Close,
		chunked: slices.Equal(req.TransferEncoding, []string{"chunked"})}
	for name, values := range req.Header {
		for _, v := range values {
			r.fields = append(r.fields, name+": "+v)
		}
	}
	slices.Sort(r.fields)
	return r, nil
}

// decodeBody decodes the body framed by p's head from rest, which must hold
// all of it.
func decodeBody(p *parse.Parser, rest []byte) (string, error) {
	var d parse.Body
	d.Init(p.Framing(), p.ContentLength(), nil)
	var body bytes.Buffer
	for !d.Done() {
		data, k, err := d.Decode(rest, nil)
		if err != nil {
			return "", err
		}
		if k == 0 {
			return "", io.ErrUnexpectedEOF
		}
		body.Write(data)
		rest = rest[k:]
	}
	return body.String(), nil
}

// framingError reports whether a net/http error concerns how the body is delimited.
func framingError(err error) bool {
	s := strings.ToLower(err.Error())
	for _, k := range []string{"content-length", "transfer-encoding", "transfer encoding", "chunk"} {
		if strings.Contains(s, k) {
			return true
		}
	}
	return false
}

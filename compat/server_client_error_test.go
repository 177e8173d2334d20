package compat

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/parse"
)

var (
	clientErrorKey = regexp.MustCompile(`clientError\?[A-Za-z0-9]+`)
	bytesParsed    = regexp.MustCompile(`^(clientError [^ ]+ Parse Error: [^"]*?) \d+ `)
)

// startCompatClientErrorServer is diff_server.js's ce server: the diff
// cases plus a 'clientError' listener that logs the error and answers as
// the refused bytes ask.
func startCompatClientErrorServer(t *testing.T) (port int, ev *caseEvents) {
	ev = &caseEvents{}
	s := newCompatDiffServer(ev)
	s.OnClientError(func(err *Error, sock *Socket) {
		raw := string(err.RawPacket)
		key := clientErrorKey.FindString(raw)
		if key == "" {
			key = "clientError?none"
		}
		j, _ := json.Marshal(raw)
		ev.add(key, fmt.Sprintf("clientError %s %s %d %s %s", err.Code, err.Message, err.BytesParsed, j, sock.RemoteAddress))
		switch {
		case strings.Contains(raw, "do-destroy"):
			sock.Destroy()
		case strings.Contains(raw, "do-end"):
			sock.End()
		case strings.Contains(raw, "do-split"):
			sock.WriteString("HTTP/1.1 400 Split\r\n")
			sock.WriteString("X-Part: 2\r\n\r\n")
			sock.End()
		case strings.Contains(raw, "do-later"):
			time.AfterFunc(100*time.Millisecond, func() {
				sock.WriteString("HTTP/1.1 418 Later\r\n\r\n")
				sock.End()
			})
		case strings.Contains(raw, "do-half"):
			sock.WriteString("HTTP/1.1 400 Half\r\n")
			time.AfterFunc(100*time.Millisecond, func() {
				sock.WriteString("X-Part: 2\r\n\r\n")
				sock.End()
			})
		default:
			sock.WriteString("HTTP/1.1 418 X\r\nX-Code: " + err.Code + "\r\n\r\n")
			sock.End()
		}
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	return s.Address().Port, ev
}

// clientErrorRequests are refused by the parser; "%s" is the target
// /clientError?LABEL, which the listener finds in the packet. Those marked
// offset differ from node in bytesParsed alone (see the README), which is
// then masked on both sides.
const offset = "offset"

var clientErrorRequests = []struct{ label, request, masked string }{
	{"garbage", "G@RBAGE %s HTTP/1.1\r\n\r\n", ""},
	{"badMethod", "G@T %s HTTP/1.1\r\nHost: x\r\n\r\n", ""},
	{"badVersion", "GET %s HTTP/3.0\r\nHost: x\r\n\r\n", offset},
	{"badHeader", "GET %s HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", ""},
	{"emptyName", "GET %s HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", ""},
	{"badValue", "GET %s HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n", ""},
	{"obsFold", "GET %s HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", ""},
	{"bareCR", "GET %s HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", offset},
	{"badLength", "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", offset},
	{"twoLengths", "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", offset},
	{"teWithCL", "POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", offset},
	{"chunkedTwice", "POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", offset},
	{"tooLarge", "GET %s HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 20000) + "\r\n\r\n", offset},
	{"pipelined", "GET /endOnly?x HTTP/1.1\r\nHost: x\r\n\r\nG@RBAGE %s HTTP/1.1\r\n\r\n", ""},
	{"destroy", "G@RBAGE %s?do-destroy HTTP/1.1\r\n\r\n", ""},
	{"end", "G@RBAGE %s?do-end HTTP/1.1\r\n\r\n", ""},
	{"split", "G@RBAGE %s?do-split HTTP/1.1\r\n\r\n", ""},
	{"later", "G@RBAGE %s?do-later HTTP/1.1\r\n\r\n", ""},
	{"half", "G@RBAGE %s?do-half HTTP/1.1\r\n\r\n", ""},
	{"noHost", "GET %s HTTP/1.1\r\n\r\n", ""},
	{"badChunk", "POST /badChunk?clientError HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\nZZ %s\r\n", ""},
}

// TestServerClientErrorMatchesNode sends each of clientErrorRequests to
// node's and compat's servers with a 'clientError' listener and compares
// the events (code, message, bytesParsed, rawPacket, remoteAddress) and the
// bytes the listener's socket sent.
func TestServerClientErrorMatchesNode(t *testing.T) {
	ns := startNodeDiffServer(t)
	nodePort, err := strconv.Atoi(ns.ev.take("cePort"))
	if err != nil {
		t.Fatalf("node's clientError server: %v", err)
	}
	port, ev := startCompatClientErrorServer(t)
	for _, r := range clientErrorRequests {
		t.Run(r.label, func(t *testing.T) {
			t.Parallel()
			key := "clientError?" + r.label
			req := fmt.Sprintf(r.request, "/"+key)
			want := exchangeRaw(t, nodePort, req)
			wantEv := ns.ev.take(key)
			got := exchangeRaw(t, port, req)
			gotEv := ev.take(key)
			if r.masked == offset {
				wantEv = bytesParsed.ReplaceAllString(wantEv, "$1 (n) ")
				gotEv = bytesParsed.ReplaceAllString(gotEv, "$1 (n) ")
			}
			if r.label == "badChunk" { // the request's own events too
				wantEv += "\n" + ns.ev.take("badChunk?clientError")
				gotEv += "\n" + ev.take("badChunk?clientError")
			}
			if got != want {
				t.Errorf("request %q\ncompat sent:\n%s\nnode sent:\n%s", req, got, want)
			}
			if gotEv != wantEv {
				t.Errorf("request %q\ncompat events:\n%s\nnode events:\n%s", req, gotEv, wantEv)
			}
		})
	}
}

// TestClientErrorIs: the parser's errors are instances of ErrParse, and
// not of other sentinels.
func TestClientErrorIs(t *testing.T) {
	e := requestParseError(parse.ErrInvalidMethod, []byte("G@T"), 1)
	if !errors.Is(e, ErrParse) || errors.Is(e, ErrHeadersSent) {
		t.Fatalf("errors.Is(%v, ErrParse) = %v", e, errors.Is(e, ErrParse))
	}
	if e.Code != "HPE_INVALID_METHOD" || e.Message != "Parse Error: Invalid method encountered" {
		t.Fatalf("code %q message %q", e.Code, e.Message)
	}
}

// TestClientErrorSocketKeptOpen: a 'clientError' socket its listener left
// open takes writes after the listener returned, for a timeout too (the
// head did not come), and one never ended is closed after the server's
// HeadersTimeout rather than left open for good.
func TestClientErrorSocketKeptOpen(t *testing.T) {
	s := CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) { res.End(nil) })
	s.HeadersTimeout = 300 * time.Millisecond
	s.OnClientError(func(err *Error, sock *Socket) {
		if errors.Is(err, ErrHTTPRequestTimeout) {
			time.AfterFunc(100*time.Millisecond, func() {
				sock.WriteString("HTTP/1.1 408 Later\r\n\r\n")
				sock.End()
			})
		}
		// A parse error: left open, never ended.
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	exchange := func(send string) (string, time.Duration) {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.Address().Port))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		io.WriteString(c, send)
		c.SetReadDeadline(start.Add(10 * time.Second))
		b, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("sent %q: %v after %q", send, err, b)
		}
		return string(b), time.Since(start)
	}
	if got, _ := exchange(""); got != "HTTP/1.1 408 Later\r\n\r\n" {
		t.Errorf("silent connection got %q; want the listener's later reply", got)
	}
	got, d := exchange("G@RBAGE / HTTP/1.1\r\n\r\n")
	if got != "" || d < 250*time.Millisecond {
		t.Errorf("refused head, socket left open: got %q, closed after %v; want nothing, closed after HeadersTimeout (300 ms)", got, d)
	}
}

package fuzz

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/engine"
	"github.com/zerohttp/zerohttp/headers"
	"github.com/zerohttp/zerohttp/parse"
)

const (
	maxConnInput   = 4 << 10 // bytes of one input fed to a connection
	maxReplyLen    = 1 << 10 // bytes of any one response: the handler's or the engine's error reply
	minRequestLen  = 16      // "GET / HTTP/1.0\r\n\r\n" less its two shortest-possible bytes
	connReadBudget = 10 * time.Second
)

// connOptions are connServer's limits, small enough for an input of
// maxConnInput to cross each: a head, a buffered body and the output owed
// before the connection stops serving. Under the invariants tag the engine
// checks after every read that the connection holds no more than they allow
// (engine's checkHeld: its head copy and unread input at most MaxHeadBytes,
// a buffered body at most MaxBufferedBody).
var connOptions = engine.Options{
	Parse:           parse.Config{MaxHeadBytes: 1 << 10},
	MaxBufferedBody: 1 << 10,
	MaxUnsentOutput: 2 << 10,
}

var (
	connServerOnce sync.Once
	connServerAddr string
	connServerErr  error
)

// externalEnv names a server of your own for FuzzEngineConn to fuzz instead
// of the engine: a loopback host:port, such as 127.0.0.1:3000.
const externalEnv = "ZEROHTTP_FUZZ_ADDR"

// external returns the address in externalEnv, if set; anything not on
// loopback is refused.
func external(tb testing.TB) string {
	a := os.Getenv(externalEnv)
	if a == "" {
		return ""
	}
	ap, err := netip.ParseAddrPort(a)
	if err != nil || !ap.Addr().Unmap().IsLoopback() {
		tb.Fatalf("%s=%q: want a loopback IP:port such as 127.0.0.1:3000", externalEnv, a)
	}
	return a
}

// connServer starts one engine server for the process: its handler answers
// every request with an empty 200 whose X-Target field is the request target
// in hex, so that the fuzz target can tell which request each reply is for.
func connServer(tb testing.TB) string {
	if a := external(tb); a != "" {
		return a
	}
	connServerOnce.Do(func() {
		s := engine.NewServer(func(w *engine.Response, r *engine.Request) {
			w.Header().AddString("X-Target", hex.EncodeToString(r.Target()))
		}, &connOptions)
		if connServerErr = s.Start("tcp4://127.0.0.1:0"); connServerErr == nil {
			connServerAddr = s.Addr().String()
		}
	})
	if connServerErr != nil {
		tb.Fatal(connServerErr)
	}
	return connServerAddr
}

// FuzzEngineConn feeds arbitrary bytes, split into writes of sizes taken from
// splits, to one server connection of the engine, half-closes it and reads
// until the server closes. It checks that nothing panics (a panic on an event
// loop kills the process), that the server closes within the budget, that
// what it sent is a sequence of whole HTTP/1.1 responses and nothing else,
// bounded by the input's size, that an error reply (no X-Target) is the last,
// that replies come in request order, and that every request of the input's
// prefix of complete bodiless requests (as the parse package reads them) got
// exactly one reply, in order. Built with -tags invariants (make fuzz and
// make invariants do), it also checks that memory per connection stays
// bounded: after every read the engine panics, failing the input, if the
// connection holds more than connOptions allow (see connOptions).
//
// With ZEROHTTP_FUZZ_ADDR=127.0.0.1:PORT it fuzzes your own server there
// instead (any language; not coverage-guided, as the server is not this
// process): its replies must still be whole responses, at most 64 KiB each,
// with an error reply last, and it must close the connection once the input
// ends. Inputs holding "HEAD" are skipped there, as a reply to HEAD cannot be
// told from a bodiless one without knowing which request it answers.
func FuzzEngineConn(f *testing.F) {
	for _, seed := range corpus(f, "req-") {
		f.Add(seed, []byte{})
		f.Add(seed, []byte{0, 1, 7})
	}
	f.Fuzz(func(t *testing.T, in, splits []byte) {
		if len(in) > maxConnInput {
			in = in[:maxConnInput]
		}
		if external(t) != "" {
			if bytes.Contains(in, []byte("HEAD")) {
				t.Skip("a reply to HEAD cannot be framed without knowing the request")
			}
			wholeReplies(t, in, exchange(t, connServer(t), in, splits, 64<<10))
			return
		}
		out := exchange(t, connServer(t), in, splits, maxReplyLen)
		targets := replies(t, in, out)
		want := bodilessPrefix(in)
		for i, w := range want {
			if i >= len(targets) || targets[i] != w {
				t.Fatalf("reply %d is for %q; want %q (requests %q, replies %q)\ninput %q", i, at(targets, i), w, want, targets, in)
			}
		}
		// Replies beyond the prefix must be for targets found in order in the input.
		rest := in
		for _, tg := range targets {
			i := bytes.Index(rest, []byte(tg))
			if i < 0 {
				t.Fatalf("reply for %q, which is not in the input after the previous one's; replies %q\ninput %q", tg, targets, in)
			}
			rest = rest[i+len(tg):]
		}
	})
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

// exchange writes in to a new connection in pieces, half-closes it, and
// returns all the server sent before closing, which must be at most a
// reply's worth per request the input could hold.
func exchange(t *testing.T, addr string, in, splits []byte, replyLen int) []byte {
	bound := (len(in)/minRequestLen + 1) * replyLen
	input := in
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(connReadBudget))
	got := make(chan []byte, 1)
	go func() {
		// Read concurrently, so that a server blocked on a full socket
		// cannot deadlock with a writer blocked on its own.
		b, _ := io.ReadAll(io.LimitReader(c, int64(bound)+1))
		got <- b
	}()
	for i := 0; len(in) > 0; i++ {
		n := len(in)
		if len(splits) > 0 {
			n = min(n, int(splits[i%len(splits)])+1)
		}
		if _, err := c.Write(in[:n]); err != nil {
			break // the server closed early, as it may after an error reply
		}
		in = in[n:]
	}
	c.(*net.TCPConn).CloseWrite()
	out := <-got
	if len(out) > bound {
		t.Fatalf("more than %d bytes of output for %d of input; it began %.300q\ninput %q", bound, len(input), out, input)
	}
	var probe [1]byte
	if _, err := c.Read(probe[:]); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("server did not close the connection within %v (read: %v); it sent %.2000q\ninput %q", connReadBudget, err, out, input)
	}
	return out
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}

// replies parses out as whole responses and returns, in order, the targets
// of the handler's replies. An engine reply (no X-Target) must be the last.
func replies(t *testing.T, in, out []byte) []string {
	var targets []string
	br := bufio.NewReader(bytes.NewReader(out))
	ended := ""
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return targets
		}
		// Read as a reply to HEAD: the handler's replies have no body but
		// may say nothing of length (as a reply to HEAD); an error reply's
		// body is skipped below by its Content-Length.
		resp, err := http.ReadResponse(br, &http.Request{Method: "HEAD"})
		if err != nil {
			t.Fatalf("output after %d replies is not a response: %v\noutput %.2000q\ninput %q", len(targets), err, out, in)
		}
		var body []byte
		if resp.Header.Get("X-Target") == "" && resp.StatusCode >= 200 {
			if len(resp.TransferEncoding) > 0 || resp.ContentLength < 0 || resp.ContentLength > maxReplyLen {
				t.Fatalf("error reply %d is not framed by a small Content-Length: %v\noutput %.2000q\ninput %q", len(targets), resp.Header, out, in)
			}
			body = make([]byte, resp.ContentLength)
			if _, err := io.ReadFull(br, body); err != nil {
				t.Fatalf("error reply %d's body: %v\noutput %.2000q\ninput %q", len(targets), err, out, in)
			}
		}
		if ended != "" {
			t.Fatalf("a reply follows the error reply %s\noutput %.2000q\ninput %q", ended, out, in)
		}
		if resp.StatusCode < 200 {
			continue // 100 Continue before a handler's reply
		}
		x := resp.Header.Get("X-Target")
		if x == "" {
			if resp.StatusCode < 400 {
				t.Fatalf("reply %d: status %d without X-Target: neither the handler's nor an error\noutput %.2000q\ninput %q", len(targets), resp.StatusCode, out, in)
			}
			ended = resp.Status + " " + string(body)
			continue
		}
		tg, err := hex.DecodeString(x)
		if err != nil {
			t.Fatalf("X-Target %q: %v", x, err)
		}
		targets = append(targets, string(tg))
	}
}

// wholeReplies checks that out is a sequence of whole responses to requests
// other than HEAD, and nothing else.
func wholeReplies(t *testing.T, in, out []byte) {
	br := bufio.NewReader(bytes.NewReader(out))
	for n := 0; ; n++ {
		if _, err := br.Peek(1); err == io.EOF {
			return
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: "GET"})
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
		}
		if err != nil {
			t.Fatalf("output after %d replies is not a whole response: %v\noutput %.2000q\ninput %q", n, err, out, in)
		}
	}
}

// bodilessPrefix returns the targets of the requests that open in, whole and
// without a body, up to the first that is not (one with a body, an upgrade, a
// CONNECT, an Expect, an error, or incomplete) or that ends the connection.
func bodilessPrefix(in []byte) []string {
	var (
		p       parse.Parser
		h       headers.Table
		targets []string
	)
	p.Init(parse.Request, &connOptions.Parse) // as connServer reads
	for off := 0; off < len(in); {
		p.Reset()
		h.Reset(in[off:])
		n, err := p.Parse(in[off:], &h)
		if err != nil || n == 0 || p.Framing() != parse.BodyNone || p.Upgrade() || p.Expect100() || p.Method() == parse.MethodCONNECT {
			break
		}
		targets = append(targets, string(p.Target().In(in[off:])))
		if !p.KeepAlive() {
			break
		}
		off += n
	}
	return targets
}

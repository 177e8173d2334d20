package benchmarks

import (
	"bytes"
	"testing"

	"github.com/zerohttp/zerohttp/headers"
	fuzzseeds "github.com/zerohttp/zerohttp/internal/seeds"
	"github.com/zerohttp/zerohttp/parse"
)

// message is one message as a parser framed it in a stream: what the
// differentials compare.
type message struct {
	method, target string // requests
	status         int    // responses (final ones: interim 1xx are skipped)
	body           string
	end            int  // offset in the stream just past the message
	last           bool // nothing after it is HTTP: close, upgrade, CONNECT or a body read to the end
}

// frameOurs reads in as a stream of requests (mode parse.Request) or of
// responses to reqMethod requests (parse.Response) with zerohttp's parser
// and returns the messages it accepted, and the error (or "incomplete") that
// stopped it. Interim 1xx responses other than 101 are skipped, as the
// response they precede is the one a client acts on.
func frameOurs(in []byte, mode parse.Mode, reqMethod parse.Method) ([]message, string) {
	in = bytes.Clone(in) // a Response-mode Parse unfolds obs-fold in place
	var (
		p   parse.Parser
		h   headers.Table
		d   parse.Body
		out []message
	)
	p.Init(mode, nil) // the engine's defaults (engine.Options{}.Parse)
	for off := 0; off < len(in); {
		p.Reset()
		p.SetRequestMethod(reqMethod)
		h.Reset(in[off:])
		n, err := p.Parse(in[off:], &h)
		if err != nil {
			return out, err.Error()
		}
		if n == 0 {
			return out, "incomplete"
		}
		pos := off + n
		if mode == parse.Response && p.Status() < 200 && p.Status() != 101 {
			off = pos
			continue
		}
		m := message{status: p.Status()}
		if mode == parse.Request {
			m.method, m.target = string(p.MethodSpan().In(in[off:])), string(p.Target().In(in[off:]))
		}
		var body bytes.Buffer
		switch p.Framing() {
		case parse.BodyUntilClose:
			body.Write(in[pos:])
			pos = len(in)
		case parse.BodyTunnel:
		default:
			d.Init(p.Framing(), p.ContentLength(), nil)
			for !d.Done() {
				data, k, err := d.Decode(in[pos:], nil)
				if err != nil {
					return out, err.Error()
				}
				if k == 0 {
					return out, "incomplete"
				}
				body.Write(data)
				pos += k
			}
		}
		m.body, m.end = body.String(), pos
		m.last = !p.KeepAlive() || p.Upgrade() || p.Method() == parse.MethodCONNECT ||
			p.Framing() == parse.BodyUntilClose || p.Framing() == parse.BodyTunnel
		out = append(out, m)
		if m.last {
			break
		}
		off = pos
	}
	return out, ""
}

// sameFraming reports the first message both lists hold that the two
// parsers framed differently, or -1. Persistence is not compared: a side
// that closes earlier splits nothing differently.
func sameFraming(ours, theirs []message) int {
	for i := range min(len(ours), len(theirs)) {
		a, b := ours[i], theirs[i]
		a.last, b.last = false, false
		if a != b {
			return i
		}
	}
	return -1
}

// seeds returns the raw messages of fuzz/corpus and the parser's golden
// inputs whose names start with prefix ("req-" or "resp-").
func seeds(tb testing.TB, prefix string) [][]byte {
	out, err := fuzzseeds.Messages(prefix)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

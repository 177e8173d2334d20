package fuzz

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/internal/seeds"
)

// corpus returns the raw messages that seed the request (prefix "req-") or
// response ("resp-") targets: corpus/*.http here and the parser's golden
// inputs (see doc.go for adding one and for turning a crasher back into one).
func corpus(tb testing.TB, prefix string) [][]byte {
	tb.Helper()
	out, err := seeds.Messages(prefix)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestCorpusIsRaw keeps corpus/ usable as seeds: every file a raw message
// with CRLF line ends, not Go's "go test fuzz v1" encoding, and named for
// the targets it seeds.
func TestCorpusIsRaw(t *testing.T) {
	files, _ := filepath.Glob("corpus/*")
	if len(files) == 0 {
		t.Fatal("corpus/ is empty")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(name)
		switch {
		case !strings.HasSuffix(base, ".http") || !(strings.HasPrefix(base, "req-") || strings.HasPrefix(base, "resp-")):
			t.Errorf("%s: want req-*.http or resp-*.http", name)
		case strings.HasPrefix(string(b), "go test fuzz"):
			t.Errorf("%s: a Go fuzz-encoded file; convert it with the command in doc.go", name)
		case !strings.Contains(string(b), "\r\n"):
			t.Errorf("%s: no CRLF: saved by an editor that dropped the carriage returns?", name)
		}
	}
}

// withCorpus returns seeds followed by the corpus files for prefix.
func withCorpus(tb testing.TB, seeds []string, prefix string) []string {
	out := seeds[:len(seeds):len(seeds)]
	for _, b := range corpus(tb, prefix) {
		out = append(out, string(b))
	}
	return out
}

// crasherMessage returns the first []byte value of a file in Go's fuzz
// corpus encoding ("go test fuzz v1", then one Go literal per line): the
// message of a crasher from testdata/fuzz/<Target>/.
func crasherMessage(b []byte) ([]byte, error) {
	lines := strings.Split(string(b), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "go test fuzz v1" {
		return nil, errors.New(`not a Go fuzz corpus file (no "go test fuzz v1" line)`)
	}
	for _, l := range lines[1:] {
		lit, ok := strings.CutPrefix(strings.TrimSpace(l), "[]byte(")
		if !ok {
			continue
		}
		s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
		return []byte(s), err
	}
	return nil, errors.New("no []byte value in the file")
}

// TestCrasherToHTTP checks the conversion of a fuzz corpus file to a raw
// message, and with ZEROHTTP_CRASHER=testdata/fuzz/<Target>/<id> and
// ZEROHTTP_HTTP=corpus/req-<name>.http writes that crasher out as a seed.
func TestCrasherToHTTP(t *testing.T) {
	msg := "GET /\x00\xff HTTP/1.1\r\nHost: \"x\"\r\n\r\n"
	enc := "go test fuzz v1\n[]byte(" + strconv.Quote(msg) + ")\n[]byte(\"\\x01\")\nbool(false)\n"
	got, err := crasherMessage([]byte(enc))
	if err != nil || string(got) != msg {
		t.Fatalf("crasherMessage = %q, %v; want %q", got, err, msg)
	}
	if _, err := crasherMessage([]byte(msg)); err == nil {
		t.Error("crasherMessage accepted a raw message")
	}
	from, to := os.Getenv("ZEROHTTP_CRASHER"), os.Getenv("ZEROHTTP_HTTP")
	if from == "" || to == "" {
		return
	}
	b, err := os.ReadFile(from)
	if err == nil {
		b, err = crasherMessage(b)
	}
	if err == nil {
		err = os.WriteFile(to, b, 0o644)
	}
	if err != nil {
		t.Fatalf("%s -> %s: %v", from, to, err)
	}
	t.Logf("wrote %d bytes to %s", len(b), to)
}

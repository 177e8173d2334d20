package seeds

import (
	"bytes"
	"testing"
)

func TestMessages(t *testing.T) {
	for _, tt := range []struct{ prefix, start string }{{"req-", "GET"}, {"resp-", "HTTP/1."}} {
		msgs, err := Messages(tt.prefix)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) < 5 {
			t.Errorf("Messages(%q): %d files; want the corpus and the golden inputs", tt.prefix, len(msgs))
		}
		for _, m := range msgs {
			if tt.prefix == "resp-" && !bytes.HasPrefix(m, []byte(tt.start)) {
				t.Errorf("Messages(%q) holds %.40q, not a response", tt.prefix, m)
			}
		}
	}
	if _, err := Messages("none-"); err == nil {
		t.Error(`Messages("none-") = nil error; want one for no files`)
	}
}

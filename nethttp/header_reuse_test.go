package nethttp

import (
	"bufio"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestHeaderKeysChangeOnOneConnection sends requests whose responses set
// the same keys as the last one, other keys as many, more, fewer and none,
// on one keep-alive connection, and checks each response's fields and
// their order, on net/http and on the bridge: the bridge takes a response's
// fields by the last response's keys when the header holds as many keys.
func TestHeaderKeysChangeOnOneConnection(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if keys := q.Get("k"); keys != "" {
			for _, k := range strings.Split(keys, ",") {
				w.Header().Set(k, q.Get("v")+"-"+k)
			}
		}
		io.WriteString(w, "ok")
	})
	steps := []struct{ keys, v string }{
		{"X-B,X-A", "1"},
		{"X-A,X-B", "2"},     // the same keys
		{"X-A,X-C", "3"},     // as many, one other
		{"X-C,X-D", "4"},     // as many, both others
		{"X-D,X-A,X-C", "5"}, // more
		{"X-A", "6"},         // fewer
		{"", "7"},            // none
		{"X-A", "8"},
		{"X-Aa,X-A", "9"}, // an added key sorting next to one kept
	}
	both(t, h, func(t *testing.T, addr string) {
		c := dial(t, addr)
		br := bufio.NewReader(c)
		for i, s := range steps {
			if _, err := io.WriteString(c, "GET /?k="+s.keys+"&v="+s.v+" HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			tp := textproto.NewReader(br)
			if _, err := tp.ReadLine(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			var names []string
			got := map[string]string{}
			for {
				line, err := tp.ReadLine()
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if line == "" {
					break
				}
				name, value, _ := strings.Cut(line, ": ")
				if strings.HasPrefix(name, "X-") {
					names = append(names, name)
					got[name] = value
				}
				if name == "Content-Length" {
					got[name] = value
				}
			}
			n, _ := strconv.Atoi(got["Content-Length"])
			delete(got, "Content-Length")
			if _, err := io.CopyN(io.Discard, br, int64(n)); err != nil {
				t.Fatalf("step %d: body: %v", i, err)
			}
			want := map[string]string{}
			var wantNames []string
			if s.keys != "" {
				for _, k := range strings.Split(s.keys, ",") {
					want[k] = s.v + "-" + k
					wantNames = append(wantNames, k)
				}
			}
			slices.Sort(wantNames)
			if !slices.Equal(names, wantNames) || len(got) != len(want) {
				t.Errorf("step %d: fields %q (%v), want %q", i, names, got, wantNames)
				continue
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("step %d: %s: %q, want %q", i, k, got[k], v)
				}
			}
		}
	})
}

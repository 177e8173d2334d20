package compat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func init() {
	diffHandlers["pause"] = func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		req.Pause()
		ev("isPaused %v", req.IsPaused())
		time.AfterFunc(500*time.Millisecond, func() {
			ev("readableLength %d", req.ReadableLength())
			req.OnData(func(c []byte) { ev("data %s readableLength %d", c, req.ReadableLength()) })
			req.OnEnd(func() {
				ev("end")
				res.EndString("ok")
			})
			ev("isPaused %v", req.IsPaused())
			// Resume's events run on the loop, concurrently with this
			// goroutine (README): nothing is logged here after it.
			req.Resume()
		})
	}
	diffHandlers["encoding"] = func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		_, enc, _ := strings.Cut(req.URL, "?")
		if err := req.SetEncoding(enc); err != nil {
			ev("setEncoding %v", err)
		}
		req.OnData(func(c []byte) {
			var b bytes.Buffer
			e := json.NewEncoder(&b)
			e.SetEscapeHTML(false)
			e.Encode(string(c))
			ev("data %s", strings.TrimSuffix(b.String(), "\n"))
		})
		req.OnEnd(func() {
			ev("end")
			res.EndString("ok")
		})
	}
}

// TestServerSetEncodingMatchesNode sends a body in three TCP writes, split
// inside a UTF-8 character and a base64 group, with an incomplete
// character at the end, to node and to compat with req.setEncoding, and
// compares the 'data' events and the replies.
func TestServerSetEncodingMatchesNode(t *testing.T) {
	ns := startNodeDiffServer(t)
	port, ev := startCompatDiffServer(t)
	body := []string{"h\xc3", "\xa9llo \xe2\x82", "\xac!\xe2\x82"}
	n := 0
	for _, p := range body {
		n += len(p)
	}
	for _, enc := range []string{"utf8", "hex", "base64", "base64url", "latin1"} {
		t.Run(enc, func(t *testing.T) {
			t.Parallel()
			key := "encoding?" + enc
			head := fmt.Sprintf("POST /%s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", key, n)
			parts := append([]string{head + body[0]}, body[1:]...)
			want := exchangeStepped(t, ns.port, ns.ev, key, parts...)
			wantEv := ns.ev.take(key)
			got := exchangeStepped(t, port, ev, key, parts...)
			gotEv := ev.take(key)
			if got != want {
				t.Errorf("compat sent:\n%s\nnode sent:\n%s", got, want)
			}
			if gotEv != wantEv {
				t.Errorf("compat events:\n%s\nnode events:\n%s", gotEv, wantEv)
			}
		})
	}
}

// exchangeStepped sends each part once the server has shown, by a new
// event of key, that it read the previous one: a fixed pause let a loaded
// machine (CI under -race) deliver two parts in one read, which changes the
// 'data' events on both sides.
func exchangeStepped(t *testing.T, port int, ev *caseEvents, key string, parts ...string) string {
	seen := 0
	return exchangePartsAfter(t, port, func(int) {
		if !ev.waitEvents(key, seen+1) {
			t.Fatalf("%s: no event for 5 s after a part", key)
		}
		// The rest of the same read's events come with the first.
		time.Sleep(20 * time.Millisecond)
		ev.mu.Lock()
		seen = len(ev.m[key])
		ev.mu.Unlock()
	}, parts...)
}

// TestServerPauseMatchesNode: a paused request holds the body of three
// TCP writes (ReadableLength counts it) and Resume delivers one 'data' per
// write, as node does.
func TestServerPauseMatchesNode(t *testing.T) {
	ns := startNodeDiffServer(t)
	port, ev := startCompatDiffServer(t)
	key := "pause?three"
	parts := []string{"POST /" + key + " HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\naaa", "bbb", "ccc"}
	want := exchangeParts(t, ns.port, parts...)
	wantEv := ns.ev.take(key)
	got := exchangeParts(t, port, parts...)
	gotEv := ev.take(key)
	if got != want {
		t.Errorf("compat sent:\n%s\nnode sent:\n%s", got, want)
	}
	if gotEv != wantEv {
		t.Errorf("compat events:\n%s\nnode events:\n%s", gotEv, wantEv)
	}
}

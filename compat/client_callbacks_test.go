package compat

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// callbackEvents runs one client_callbacks.js scenario with compat's
// client and returns its events as the script prints them.
func callbackEvents(t *testing.T, port int, mode string) string {
	tr := &trace{}
	done := make(chan struct{}, 1)
	r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, Method: "POST", Path: "/" + mode, NoAgent: true}, func(res *IncomingMessage) {
		tr.add("response %d", res.StatusCode)
		res.Resume()
		res.OnEnd(func() { tr.add("res.end") })
		res.OnClose(func() { tr.add("res.close"); done <- struct{}{} })
	})
	if err != nil {
		t.Fatal(err)
	}
	r.OnSocket(func(SocketInfo) { tr.add("socket") })
	r.OnPrefinish(func() { tr.add("prefinish") })
	r.OnFinish(func() { tr.add("finish") })
	r.OnTimeout(func() { tr.add("timeout") })
	r.OnClose(func() { tr.add("close") })
	r.OnError(func(err error) { tr.add("error %s destroyed=%v", nodeError(err), r.Destroyed()) })
	cbErr := func(err error) string {
		if err == nil {
			return "null"
		}
		return err.(*Error).Code
	}
	switch mode {
	case "cb":
		r.WriteChunkString("a", func(err error) { tr.add("write cb %s", cbErr(err)) })
		r.EndStringCallback("b", func() { tr.add("end cb") })
	case "endonly":
		r.EndStringCallback("b", func() { tr.add("end cb") })
	case "wae":
		r.End(nil)
		tr.add("write %v", r.WriteChunkString("x", func(err error) { tr.add("write cb %s", cbErr(err)) }))
	case "timeout":
		tr.add("same %v", r.SetTimeout(50*time.Millisecond, func() { tr.add("timeout cb") }) == r)
		r.End(nil)
	}
	select {
	case <-done:
	case <-time.After(3 * time.Second):
	}
	time.Sleep(100 * time.Millisecond)
	return tr.String()
}

// withoutAnnouncement drops the 'socket', 'prefinish' and 'finish' lines,
// which compat emits when the response head arrives (see README).
func withoutAnnouncement(events string) string {
	var keep []string
	for _, l := range strings.Split(events, "\n") {
		if l != "socket" && l != "prefinish" && l != "finish" {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestClientCallbacksMatchNode: write and end callbacks, 'prefinish',
// setTimeout (returns the request, 'timeout' after 'finish', no destroy)
// and a write after end (false, then its callback and 'error' with
// ERR_STREAM_WRITE_AFTER_END, the request going on) as node v20 has them.
// Where the callbacks run before the response head, compat's 'socket',
// 'prefinish' and 'finish' come later than Node's and are compared apart:
// in Node's order among themselves, prefinish right before finish.
func TestClientCallbacksMatchNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	script := []string{"", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}
	for _, mode := range []string{"cb", "endonly", "wae", "timeout"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			port, _ := scriptedServer(t, script)
			out, err := exec.Command(node, "testdata/client_callbacks.js", fmt.Sprint(port), mode).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			want := strings.TrimSpace(string(out))
			got := callbackEvents(t, port, mode)
			if !strings.Contains(got, "socket\nprefinish\nfinish") {
				t.Errorf("compat events:\n%s\nwant socket, prefinish, finish in a row", got)
			}
			if mode == "cb" || mode == "wae" {
				got, want = withoutAnnouncement(got), withoutAnnouncement(want)
			}
			if got != want {
				t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
			}
		})
	}
}

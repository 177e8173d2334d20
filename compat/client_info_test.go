package compat

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// infoScripts are a scripted server's answers with interim responses.
var infoScripts = map[string][]string{
	"all": {"HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 102 Processing\r\n\r\n",
		"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nLink: </b.js>\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	"onepiece": {"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
}

// jsonText is v as JSON.stringify writes it.
func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return strings.TrimSpace(b.String())
}

// infoEvents runs one client_info.js scenario with compat's client.
func infoEvents(t *testing.T, port int, mode string) string {
	tr := &trace{}
	done := make(chan struct{}, 1)
	r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, Path: "/" + mode, NoAgent: true}, func(res *IncomingMessage) {
		tr.add("response %d", res.StatusCode)
		res.Resume()
		res.OnEnd(func() { tr.add("res.end") })
		res.OnClose(func() { tr.add("res.close"); done <- struct{}{} })
	})
	if err != nil {
		t.Fatal(err)
	}
	r.OnSocket(func(SocketInfo) { tr.add("socket") })
	r.OnFinish(func() { tr.add("finish") })
	r.OnContinue(func() { tr.add("continue") })
	r.OnInformation(func(i Information) {
		tr.add("information %d %s %s %s %s", i.StatusCode, i.StatusMessage, i.HTTPVersion, jsonText(i.RawHeaders), jsonText(i.Headers))
	})
	r.OnClose(func() { tr.add("close") })
	r.OnError(func(err error) { tr.add("error %s", nodeError(err)); done <- struct{}{} })
	r.End(nil)
	select {
	case <-done:
	case <-time.After(3 * time.Second):
	}
	time.Sleep(100 * time.Millisecond)
	return tr.String()
}

// TestClientInformationMatchesNode: 'socket' and 'finish' come first, then
// 'continue' for a 100 and 'information' for every 1xx (100, 102, 103
// with its fields), in arrival order, then 'response', as in node v20.
func TestClientInformationMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	for mode, script := range infoScripts {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			port, _ := scriptedServer(t, script)
			out, err := exec.Command(node, "testdata/client_info.js", fmt.Sprint(port), mode).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			want := strings.TrimSpace(string(out))
			if got := infoEvents(t, port, mode); got != want {
				t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
			}
		})
	}
}

package compat

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// parseErrorScripts are malformed responses, each a scripted server's
// answer (pieces 150 ms apart, as in streamScripts).
var parseErrorScripts = map[string][]string{
	"badstatus": {"HELLO WORLD\r\n\r\n"},
	"badcode":   {"HTTP/1.1 2x0 OK\r\n\r\n"},
	"overflow":  {"HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("x", 17000) + "\r\n\r\n"},
	"badcl":     {"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n"},
	"dupcl":     {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"},
	"tecl":      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	"badname":   {"HTTP/1.1 200 OK\r\nX A: b\r\n\r\n"},
	"badvalue":  {"HTTP/1.1 200 OK\r\nX-A: b\x01c\r\n\r\n"},
	"barelf":    {"HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 0\n\n"},
	"barecr":    {"HTTP/1.1 200 OK\r\nX-A: 1\rX\r\nContent-Length: 0\r\n\r\n"},
	"badchunk":  {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "zz\r\n"},
	"chunkovf":  {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "fffffffffffffffffff\r\n"},
}

// TestClientParseErrorsMatchNode: a malformed response gives Node's
// 'socket', 'finish' and 'error' with llhttp's HPE_* code and message; one
// that breaks in its body gives the 'data' before it, then the request's
// 'error' and Node's abort sequence on the response.
func TestClientParseErrorsMatchNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	for mode, script := range parseErrorScripts {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			port, _ := scriptedServer(t, script)
			out, err := exec.Command(node, "testdata/client_stream.js", fmt.Sprint(port), mode).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			want := strings.TrimSpace(string(out))
			if got := streamEvents(t, port, mode, nil); got != want {
				t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
			}
		})
	}
}

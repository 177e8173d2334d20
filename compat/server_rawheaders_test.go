package compat

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawHeadersMaxes are the maxHeadersCount values of
// diff_server_rawheaders.js (0: the default, 2000).
var rawHeadersMaxes = []int{0, 3, 31, 32, 35, 64, 94}

// TestServerRawHeadersBatchesMatchNode compares req.rawHeaders, headers and
// headersDistinct on node's and compat's servers for heads of 31 to 130
// fields under maxHeadersCount 3 to 94 and the default: Node's parser hands
// the fields over in batches of 31 and takes no batch once it holds
// maxHeadersCount, so rawHeaders ends at that batch. One head arrives in
// two reads, split inside a field name.
func TestServerRawHeadersBatchesMatchNode(t *testing.T) {
	sc := startNodeScript(t, "diff_server_rawheaders.js")
	nodePorts := map[string]int{}
	for len(nodePorts) < len(rawHeadersMaxes) && sc.Scan() {
		name, port, _ := strings.Cut(sc.Text(), "\t")
		var err error
		if nodePorts[name], err = strconv.Atoi(port); err != nil {
			t.Fatalf("node rawheaders server: %q", sc.Text())
		}
	}
	nodeEv := nodeEvents(sc)
	ev := &caseEvents{}
	ports := map[string]int{}
	for _, max := range rawHeadersMaxes {
		name := strconv.Itoa(max)
		s := CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) {
			raw := req.RawHeaders
			ev.add(name, fmt.Sprintf("%s raw=%d last=%s headers=%d distinct=%d", req.URL, len(raw)/2, raw[len(raw)-2],
				len(req.Headers()), len(req.HeadersDistinct())))
			res.EndString("ok")
		})
		if max != 0 {
			s.MaxHeadersCount = max
		}
		if err := s.Listen(0, "127.0.0.1", nil); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeServer(t, s) })
		ports[name] = s.Address().Port
	}
	// send sends a head of n fields (Host and X-1 to X-<n-1>), in two
	// writes if split > 0, the first ending inside field split's name.
	send := func(t *testing.T, port, n, split int) {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var b strings.Builder
		fmt.Fprintf(&b, "GET /n%d-s%d HTTP/1.1\r\nHost: x\r\n", n, split)
		cut := 0
		for i := 1; i < n; i++ {
			if i == split {
				cut = b.Len() + 2
			}
			fmt.Fprintf(&b, "X-%d: v\r\n", i)
		}
		b.WriteString("Connection: close\r\n\r\n")
		head := b.String()
		if cut > 0 {
			io.WriteString(c, head[:cut])
			// Most likely a read of its own; Node's batches do not depend
			// on the reads (checked with node v20), nor do compat's.
			time.Sleep(50 * time.Millisecond)
			head = head[cut:]
		}
		io.WriteString(c, head)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.ReadAll(c)
	}
	for _, max := range rawHeadersMaxes {
		name := strconv.Itoa(max)
		t.Run("max"+name, func(t *testing.T) {
			t.Parallel()
			var want, got []string
			for _, n := range []int{30, 31, 32, 40, 62, 63, 70, 100, 130} {
				for _, split := range []int{0, 20} {
					send(t, nodePorts[name], n, split)
					send(t, ports[name], n, split)
				}
			}
			// One request at a time: the events are in the order sent.
			want = strings.Split(nodeEv.take(name), "\n")
			got = strings.Split(ev.take(name), "\n")
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("compat:\n%s\nnode:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

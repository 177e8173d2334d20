package compat

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startCompatLimitsServer is diff_server.js's lim server.
func startCompatLimitsServer(t *testing.T) (port int, ev *caseEvents) {
	ev = &caseEvents{}
	s := newCompatDiffServer(ev)
	s.opts.HostOptional = true
	s.MaxRequestsPerSocket = 2
	s.MaxHeadersCount = 3
	s.Timeout = 300 * time.Millisecond
	s.OnTimeout(func(info SocketInfo) { ev.add("limTimeout", "timeout "+info.RemoteAddress) })
	s.OnDropRequest(func(req *IncomingMessage, info SocketInfo) {
		ev.add(strings.TrimPrefix(req.URL, "/"), "dropRequest "+req.URL+" "+info.RemoteAddress)
	})
	s.OnCheckExpectation(func(req *IncomingMessage, res *ServerResponse) {
		ev.add(strings.TrimPrefix(req.URL, "/"), "checkExpectation "+req.Headers()["expect"])
		res.EndString("expected")
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	return s.Address().Port, ev
}

// TestServerLimitsMatchNode compares node's and compat's servers with
// maxRequestsPerSocket 2, maxHeadersCount 3, requireHostHeader false and a
// 'checkExpectation' listener, on the wire and in events.
func TestServerLimitsMatchNode(t *testing.T) {
	ns := startNodeDiffServer(t)
	nodePort, err := strconv.Atoi(ns.ev.take("limPort"))
	if err != nil {
		t.Fatalf("node's limits server: %v", err)
	}
	port, ev := startCompatLimitsServer(t)
	tests := []struct{ label, request string }{
		{"one", get11},
		{"two", get11 + get11},
		{"twoClose", get11 + get11c},
		{"noHost", "GET %s HTTP/1.1\r\n\r\n"},
		{"expect", "GET %s HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n"},
		{"three", get11 + get11 + get11},
		// maxHeadersCount 3: headers and headersDistinct hold the first
		// 3 fields, rawHeaders all; a Content-Length past them still frames.
		{"headers?limcount", "GET %s HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nA: 3\r\nC: 4\r\n\r\n"},
		{"readBody?limcount", "POST %s HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nContent-Length: 5\r\n\r\nabcde"},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			t.Parallel()
			key := "endOnly?lim" + tt.label
			if strings.Contains(tt.label, "?") {
				key = tt.label
			}
			req := strings.ReplaceAll(tt.request, "%s", "/"+key)
			want := exchangeRaw(t, nodePort, req)
			wantEv := ns.ev.take(key)
			got := exchangeRaw(t, port, req)
			gotEv := ev.take(key)
			if strings.Count(req, "GET ") > 1 {
				// Node parses a read's pipelined requests before their
				// responses' ticks run; compat serves them one by one (README).
				wantEv, gotEv = sortLines(wantEv), sortLines(gotEv)
			}
			if got != want {
				t.Errorf("request %q\ncompat sent:\n%s\nnode sent:\n%s", req, got, want)
			}
			if gotEv != wantEv {
				t.Errorf("request %q\ncompat events:\n%s\nnode events:\n%s", req, gotEv, wantEv)
			}
		})
	}
}

func sortLines(s string) string {
	l := strings.Split(s, "\n")
	sort.Strings(l)
	return strings.Join(l, "\n")
}

// TestServerTimeoutMatchesNode: a new connection idle for server.timeout
// gets 'timeout' and, with a listener, stays open for its request, as in node.
func TestServerTimeoutMatchesNode(t *testing.T) {
	ns := startNodeDiffServer(t)
	nodePort, err := strconv.Atoi(ns.ev.take("limPort"))
	if err != nil {
		t.Fatalf("node's limits server: %v", err)
	}
	port, ev := startCompatLimitsServer(t)
	run := func(port int, events *caseEvents) string {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		br := bufio.NewReader(c)
		status := func() string {
			fmt.Fprintf(c, "GET /endOnly?limidle HTTP/1.1\r\nHost: x\r\n\r\n")
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				return err.Error()
			}
			resp.Body.Close()
			return resp.Status
		}
		// The engine's timers tick once a second: a 300 ms timeout fires
		// within 1.3 s.
		time.Sleep(1500 * time.Millisecond)
		out := events.take("limTimeout") + " | " + status()
		events.take("endOnly?limidle")
		return out
	}
	want := run(nodePort, ns.ev)
	if got := run(port, ev); got != want {
		t.Errorf("compat: %s\nnode:   %s", got, want)
	}
}

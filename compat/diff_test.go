package compat

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	get11     = "GET %s HTTP/1.1\r\nHost: x\r\n\r\n"
	get11c    = "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	head11    = "HEAD %s HTTP/1.1\r\nHost: x\r\n\r\n"
	get10     = "GET %s HTTP/1.0\r\nHost: x\r\n\r\n"
	get10ka   = "GET %s HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"
	post11    = "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde"
	post11chk = "POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n"
)

// caught reports err as node's diff_server.js reports a thrown error.
func caught(ev func(string, ...any), err error) {
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			ev("%s %s", e.Code, e.Message)
		} else {
			ev("%v", err)
		}
	}
}

// diffHandlers mirror the cases of testdata/diff_server.js.
var diffHandlers = map[string]func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse){
	"endOnly":  func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) { res.EndString("hello") },
	"endEmpty": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) { res.End(nil) },
	"upgradeField": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		ev("upgrade=%v", req.Upgrade)
		res.End(nil)
	},
	"setOrder": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.SetHeader("X-B", "1")
		res.SetHeader("Content-Type", "text/plain")
		res.SetHeader("x-b", "2")
		res.EndString("hi")
	},
	"writeEnd": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.WriteString("he")
		res.EndString("llo")
	},
	"writeHeadMerge": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.SetHeader("X-A", "1")
		res.SetHeader("X-B", "2")
		res.WriteHead(201, "", "x-a", "3", "X-C", "4")
		res.EndString("hi")
	},
	"writeHeadRepeat": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.WriteHead(200, "", "X-Arr", "1", "X-Arr", "2")
		res.EndString("x")
	},
	"userChunked": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.SetHeader("Transfer-Encoding", "chunked")
		res.EndString("abc")
	},
	"userLength": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.SetHeader("content-length", "2")
		res.WriteString("a")
		res.EndString("b")
	},
	"userClose": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.SetHeader("Connection", "close")
		res.EndString("x")
	},
	"userKeepAlive": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.SetHeader("Keep-Alive", "timeout=9")
		res.EndString("x")
	},
	"userDate": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.SetHeader("Date", "yesterday")
		res.EndString("x")
	},
	"noDate": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.SendDate = false
		res.EndString("x")
	},
	"list": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.SetHeaderValues("Set-Cookie", []string{"a=1", "b=2"})
		res.AppendHeader("set-cookie", "c=3")
		res.End(nil)
	},
	"noContent": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.StatusCode = 204
		res.End(nil)
	},
	"notModified": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.StatusCode = 304
		res.SetHeader("ETag", `"x"`)
		res.End(nil)
	},
	"status299": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.StatusCode = 299
		res.EndString("x")
		ev("statusMessage=%s", res.StatusMessage)
	},
	"statusMessage": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.StatusCode = 404
		ev("before=%s", res.StatusMessage)
		res.WriteString("x")
		ev("after=%s", res.StatusMessage)
		res.End(nil)
	},
	"customReason": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.WriteHead(200, "Fine Thanks")
		res.EndString("x")
	},
	"badStatus": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		caught(ev, res.WriteHead(99, ""))
		caught(ev, res.WriteHead(1000, ""))
		ev("headersSent=%v", res.HeadersSent())
		res.WriteHead(202, "")
		res.EndString("ok")
	},
	"badReason": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		caught(ev, res.WriteHead(200, "a\r\nb"))
		ev("headersSent=%v", res.HeadersSent())
		res.StatusMessage = "Fine"
		res.EndString("x")
	},
	"flushHeaders": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.SetHeader("X-F", "1")
		res.FlushHeaders()
		res.EndString("late")
	},
	"trailers": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.SetHeader("Trailer", "X-T")
		res.WriteString("a")
		res.AddTrailers("X-T", "1")
		res.End(nil)
	},
	"readBody": func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		n := 0
		req.OnData(func(c []byte) { n += len(c) })
		req.OnEnd(func() { res.EndString(fmt.Sprintf("got %d", n)) })
	},
}

// sortedKeys returns m's keys in order, as JavaScript's sort() orders them.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// errText prints err as diff_server.js's errText prints a callback's
// argument: nil is what Node passes, null to a write's callback and
// undefined to end's.
func errText(err error, none string) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code + " " + e.Message
	}
	if err != nil {
		return err.Error()
	}
	return none
}

func init() {
	diffHandlers["refused"] = diffHandlers["readBody"]
	diffHandlers["backpressure"] = func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		ev("w1=%v", res.WriteChunkString("a", nil))
		ev("w2=%v", res.WriteChunk(bytes.Repeat([]byte("b"), 16000), nil))
		ev("w3=%v needDrain=%v", res.WriteChunk(bytes.Repeat([]byte("c"), 1000), nil), res.WritableNeedDrain())
		res.OnDrain(func() {
			ev("drain needDrain=%v", res.WritableNeedDrain())
			res.EndString("x")
		})
	}
	diffHandlers["callbacks"] = func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.OnPrefinish(func() { ev("prefinish") })
		res.OnFinish(func() {
			res.EndCallback(nil, func(err error) { ev("end after finish %s", errText(err, "undefined")) })
		})
		ev("w1=%v", res.WriteChunkString("a", func(err error) { ev("cb1 %s", errText(err, "null")) }))
		ev("w2=%v", res.WriteChunkString("b", func(err error) { ev("cb2 %s", errText(err, "null")) }))
		res.EndStringCallback("c", func(err error) { ev("endcb %s", errText(err, "undefined")) })
		ev("after end")
		res.EndCallback(nil, func(err error) { ev("end again %s", errText(err, "undefined")) })
	}
	diffHandlers["writeAfterEnd"] = func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.OnError(func(err error) { ev("error %s", errText(err, "")) })
		res.EndString("x")
		ev("w=%v", res.WriteChunkString("y", func(err error) { ev("cb %s", errText(err, "null")) }))
		res.EndStringCallback("z", func(err error) { ev("endcb %s", errText(err, "undefined")) })
		res.OnClose(func() {
			ev("w2=%v", res.WriteChunkString("y", func(err error) { ev("cb2 %s", errText(err, "null")) }))
			res.EndStringCallback("z", func(err error) { ev("endcb2 %s", errText(err, "undefined")) })
		})
	}
	diffHandlers["headers"] = func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		h, d := req.Headers(), req.HeadersDistinct()
		for _, k := range sortedKeys(h) {
			ev("headers %s=%s", k, h[k])
		}
		for _, k := range sortedKeys(d) {
			j, _ := json.Marshal(d[k])
			ev("distinct %s=%s", k, j)
		}
		j, _ := json.Marshal(req.RawHeaders)
		ev("raw %s", j)
		res.End(nil)
	}
	diffHandlers["badChunk"] = func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		req.OnData(func(c []byte) { ev("data %s", c) })
		req.OnEnd(func() { ev("end") })
		req.OnAborted(func() { ev("aborted") })
		req.OnError(func(err error) { ev("req.error %s", errText(err, "")) })
		req.OnClose(func() { ev("req.close") })
	}
	diffHandlers["destroy"] = func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		req.OnAborted(func() { ev("aborted") })
		req.OnError(func(err error) { ev("req.error %s", errText(err, "")) })
		req.OnClose(func() { ev("req.close") })
		if strings.HasSuffix(req.URL, "later") {
			// From another goroutine, after the listener returned.
			time.AfterFunc(50*time.Millisecond, res.Destroy)
			return
		}
		switch _, label, _ := strings.Cut(req.URL, "?"); label {
		case "write":
			ev("w=%v", res.WriteChunkString("abc", nil))
		case "flushed":
			res.FlushHeaders()
		case "ended":
			res.EndString("abc")
		}
		res.Destroy()
		ev("destroyed")
	}
	diffHandlers["reqDestroy"] = func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		_, label, _ := strings.Cut(req.URL, "?")
		req.OnAborted(func() { ev("aborted") })
		// A Go error has no code: node prints "undefined" for it.
		req.OnError(func(err error) { ev("req.error undefined %v", err) })
		req.OnClose(func() { ev("req.close") })
		switch label {
		case "later":
			time.AfterFunc(50*time.Millisecond, func() { req.Destroy(errors.New("late")) })
			return
		case "read":
			req.OnData(func(c []byte) { ev("data %s", c) })
			req.OnEnd(func() {
				ev("end")
				req.Destroy(errors.New("boom"))
				time.AfterFunc(50*time.Millisecond, func() { res.EndString("after") })
			})
			return
		case "write":
			res.WriteString("abc")
		}
		var err error
		if label == "err" {
			err = errors.New("boom")
		}
		req.Destroy(err)
		ev("destroyed")
	}
	diffHandlers["invalidHeaders"] = func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		caught(ev, res.SetHeader("bad name", "1"))
		caught(ev, res.SetHeader("", "1"))
		caught(ev, res.SetHeader("X-Bad", "a\r\nb"))
		caught(ev, res.SetHeaderValues("X-Arr", []string{"ok", "a\nb"}))
		caught(ev, res.AppendHeader("X-Bad", "a\x00b"))
		caught(ev, res.AppendHeader("b@d", "v"))
		caught(ev, res.WriteHead(200, "", "X-W", "a\rb"))
		ev("headersSent=%v names=%s", res.HeadersSent(), strings.Join(res.GetHeaderNames(), ","))
		res.EndString("ok")
	}
	diffHandlers["headersSent"] = func(ev func(string, ...any), req *IncomingMessage, res *ServerResponse) {
		res.WriteString("a")
		caught(ev, res.SetHeader("X-A", "1"))
		caught(ev, res.RemoveHeader("X-A"))
		caught(ev, res.AppendHeader("X-A", "1"))
		caught(ev, res.WriteHead(201, ""))
		res.End(nil)
	}
}

// diffRequests are the requests each case is tried with: "%s" in request
// stands for the target, "/name?label"; the events are keyed by it.
var diffRequests = []struct{ name, label, request string }{
	{"endOnly", "keepalive", get11},
	{"endOnly", "close", get11c},
	{"endOnly", "head", head11},
	{"endOnly", "http10", get10},
	{"endOnly", "http10keepalive", get10ka},
	{"endEmpty", "keepalive", get11},
	{"endEmpty", "http10", get10},
	{"setOrder", "keepalive", get11},
	{"writeEnd", "keepalive", get11},
	{"writeEnd", "close", get11c},
	{"writeEnd", "head", head11},
	{"writeEnd", "http10", get10},
	{"writeEnd", "http10keepalive", get10ka},
	{"writeHeadMerge", "keepalive", get11},
	{"writeHeadRepeat", "keepalive", get11},
	{"userChunked", "keepalive", get11},
	{"userLength", "keepalive", get11},
	{"userLength", "http10keepalive", get10ka},
	{"userLength", "http10", get10},
	{"userClose", "keepalive", get11},
	{"userKeepAlive", "keepalive", get11},
	{"userDate", "keepalive", get11},
	{"noDate", "keepalive", get11},
	{"list", "keepalive", get11},
	{"noContent", "keepalive", get11},
	{"noContent", "http10", get10},
	{"notModified", "keepalive", get11},
	{"status299", "keepalive", get11},
	{"statusMessage", "keepalive", get11},
	{"customReason", "keepalive", get11},
	{"badStatus", "keepalive", get11},
	{"badReason", "keepalive", get11},
	{"flushHeaders", "keepalive", get11},
	{"flushHeaders", "http10", get10},
	{"trailers", "keepalive", get11},
	{"readBody", "keepalive", post11},
	{"readBody", "chunked", post11chk},
	{"backpressure", "keepalive", get11},
	{"callbacks", "keepalive", get11},
	{"writeAfterEnd", "keepalive", get11},
	{"headersSent", "keepalive", get11},
	{"invalidHeaders", "keepalive", get11},
	{"badChunk", "size", "POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\nZZ\r\n"},
	{"headers", "duplicates", "GET %s HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nX-Dup: 1\r\nSet-Cookie: s=1\r\nUser-Agent: first\r\n" +
		"cookie: b=2\r\nx-dup: 2\r\nSet-Cookie: s=2\r\nuser-agent: second\r\nContent-Type: text/a\r\nContent-Type: text/b\r\n" +
		"Accept: a\r\nACCEPT: b\r\nReferer: r1\r\nReferer: r2\r\nX-Empty:\r\nX-Space:  v  \r\nAuthorization: one\r\nAuthorization: two\r\n" +
		"Warning: w1\r\nwarning: w2\r\nMax-Forwards: 1\r\nMax-Forwards: 2\r\nProxy-Authorization: p1\r\nProxy-Authorization: p2\r\n\r\n"},
	// Requests the server refuses by itself: the case, if any, reads the body.
	{"refused", "garbage", "GARBAGE\r\n\r\n"},
	{"refused", "badVersion", "GET %s HTTP/3.0\r\nHost: x\r\n\r\n"},
	{"refused", "badVersion10", "GET %s HTTP/1.10\r\nHost: x\r\n\r\n"},
	{"refused", "badMethod", "G@T %s HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"refused", "noHost", "GET %s HTTP/1.1\r\n\r\n"},
	{"refused", "badHeader", "GET %s HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n"},
	{"endOnly", "upgradeNoListener", "GET %s HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"},
	{"destroy", "plain", get11},
	{"destroy", "post", post11},
	{"destroy", "later", get11},
	{"destroy", "write", get11},
	{"reqDestroy", "plain", get11},
	{"reqDestroy", "err", get11},
	{"reqDestroy", "later", get11},
	{"reqDestroy", "read", post11},
	{"reqDestroy", "write", get11},
	{"reqDestroy", "post", post11},
	{"destroy", "flushed", get11},
	{"destroy", "ended", get11},
	{"upgradeField", "noListener", "GET %s HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"},
	{"upgradeField", "plain", get11},
	{"readBody", "upgradePost", "POST %s HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: foo\r\nContent-Length: 5\r\n\r\nabcde"},
	{"endOnly", "expectOther", "GET %s HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n"},
	{"endOnly", "expectOther10", "GET %s HTTP/1.0\r\nHost: x\r\nExpect: foo\r\n\r\n"},
	// Over maxHeadersCount (2000) fields: Node keeps the first in headers.
	{"readBody", "manyFields", "POST %s HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("a:1\r\n", 2010) + "Content-Length: 5\r\n\r\nabcde"},
	{"refused", "tooLarge", "GET %s HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 20000) + "\r\n\r\n"},
}

// nodeDiffServer is a running testdata/diff_server.js.
type nodeDiffServer struct {
	port int
	ev   *caseEvents
}

// caseEvents collects events by case name, from any goroutine.
type caseEvents struct {
	mu sync.Mutex
	m  map[string][]string
}

func (c *caseEvents) add(name, ev string) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string][]string{}
	}
	c.m[name] = append(c.m[name], ev)
	c.mu.Unlock()
}

// take returns name's events once no more has come for a while, and forgets them.
func (c *caseEvents) take(name string) string {
	var last []string
	for i := 0; i < 100; i++ {
		time.Sleep(20 * time.Millisecond)
		c.mu.Lock()
		cur := c.m[name]
		c.mu.Unlock()
		if i >= 2 && len(cur) == len(last) {
			break
		}
		last = cur
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := strings.Join(c.m[name], "\n")
	delete(c.m, name)
	return out
}

// startNodeScript runs node on a script of testdata, which exits when its
// stdin ends, until the test ends, and returns a scanner of its output.
func startNodeScript(t *testing.T, script string) *bufio.Scanner {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	cmd := exec.Command(node, "testdata/"+script)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopNode(cmd, stdin) })
	return bufio.NewScanner(stdout)
}

// startNodeDiffServer runs testdata/diff_server.js until the test ends.
func startNodeDiffServer(t *testing.T) *nodeDiffServer {
	ns := &nodeDiffServer{ev: &caseEvents{}}
	sc := startNodeScript(t, "diff_server.js")
	if !sc.Scan() {
		t.Fatalf("node diff server printed no port")
	}
	if _, err := fmt.Sscan(sc.Text(), &ns.port); err != nil {
		t.Fatalf("node diff server: %q: %v", sc.Text(), err)
	}
	ns.ev = nodeEvents(sc)
	return ns
}

// nodeEvents collects the "KEY\tevent" lines sc has left, in the background.
func nodeEvents(sc *bufio.Scanner) *caseEvents {
	ev := &caseEvents{}
	go func() {
		for sc.Scan() {
			key, e, _ := strings.Cut(sc.Text(), "\t")
			ev.add(key, e)
		}
	}()
	return ev
}

// stopNode ends a node script started with a stdin pipe: the scripts exit
// when their stdin ends; one that does not within 5 s is killed.
func stopNode(cmd *exec.Cmd, stdin io.Closer) {
	stdin.Close()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// startCompatDiffServer runs diffHandlers on a compat server with its
// defaults (those of node's server).
func startCompatDiffServer(t *testing.T) (port int, ev *caseEvents) {
	ev = &caseEvents{}
	s := newCompatDiffServer(ev)
	s.OnConnection(func(sock *Socket) {
		ev.add("connection", "connection "+sock.RemoteAddress+" "+sock.RemoteFamily)
	})
	if err := s.Listen(0, "127.0.0.1", nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeServer(t, s) })
	return s.Address().Port, ev
}

// newCompatDiffServer returns a server that runs diffHandlers, logging to ev.
func newCompatDiffServer(ev *caseEvents) *Server {
	return CreateServer(nil, func(req *IncomingMessage, res *ServerResponse) {
		key := strings.TrimPrefix(req.URL, "/")
		name, _, _ := strings.Cut(key, "?")
		log := func(format string, args ...any) { ev.add(key, fmt.Sprintf(format, args...)) }
		log("request %s %s %s", req.Method, req.URL, req.HTTPVersion)
		res.OnFinish(func() { log("res.finish") })
		res.OnClose(func() { log("res.close") })
		diffHandlers[name](log, req, res)
	})
}

var dateValue = regexp.MustCompile(`(?m)^Date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r$`)

// exchangeRaw sends request to port and returns the raw bytes the server
// sent for it, the Date value masked, followed by "[closed]" if the server
// closed the connection after them or "[open]" if it kept it.
func exchangeRaw(t *testing.T, port int, request string) string {
	return exchangeParts(t, port, request)
}

// exchangeParts is exchangeRaw with the request sent in parts, 100 ms
// apart, so that each part arrives in a read of its own.
func exchangeParts(t *testing.T, port int, parts ...string) string {
	return exchangePartsAfter(t, port, func(int) { time.Sleep(100 * time.Millisecond) }, parts...)
}

// exchangePartsAfter is exchangeParts with before(i) run ahead of each part
// after the first, in place of the 100 ms pause.
func exchangePartsAfter(t *testing.T, port int, before func(i int), parts ...string) string {
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i, part := range parts {
		if i > 0 {
			before(i)
		}
		if _, err := io.WriteString(c, part); err != nil {
			t.Fatal(err)
		}
	}
	request := parts[0]
	var wire bytes.Buffer
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(io.TeeReader(c, &wire))
	method, _, _ := strings.Cut(request, " ")
	state := "[open]"
	for {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			state = "[error: " + err.Error() + "]"
			break
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			state = "[error: " + err.Error() + "]"
			break
		}
		if resp.StatusCode >= 200 || resp.StatusCode == 101 {
			break
		}
	}
	if state == "[open]" {
		// Whatever else comes is read too: a close, or bytes that should not be there.
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := io.Copy(io.Discard, br); err == nil {
			state = "[closed]"
		} else if !errors.Is(err, net.ErrClosed) && !isTimeout(err) {
			state = "[error: " + err.Error() + "]"
		}
	}
	return dateValue.ReplaceAllString(wire.String(), "Date: (date)\r") + state
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestServerMatchesNodeExactly sends each request of diffRequests to node
// and to compat and compares the raw replies and the server-side events.
func TestServerMatchesNodeExactly(t *testing.T) {
	ns := startNodeDiffServer(t)
	port, ev := startCompatDiffServer(t)
	for _, r := range diffRequests {
		t.Run(r.name+"/"+r.label, func(t *testing.T) {
			t.Parallel()
			key := r.name + "?" + r.label
			req := fmt.Sprintf(r.request, "/"+key)
			want := exchangeRaw(t, ns.port, req)
			wantEv := ns.ev.take(key)
			got := exchangeRaw(t, port, req)
			gotEv := ev.take(key)
			if got != want {
				t.Errorf("request %q\ncompat sent:\n%s\nnode sent:\n%s", req, got, want)
			}
			if gotEv != wantEv {
				t.Errorf("request %q\ncompat events:\n%s\nnode events:\n%s", req, gotEv, wantEv)
			}
		})
	}
}

// TestServerConnectionMatchesNode opens connections to node and to compat
// and compares the 'connection' events each emits before any request.
func TestServerConnectionMatchesNode(t *testing.T) {
	ns := startNodeDiffServer(t)
	port, ev := startCompatDiffServer(t)
	for _, side := range []struct {
		name string
		port int
		ev   *caseEvents
	}{{"node", ns.port, ns.ev}, {"compat", port, ev}} {
		for i := 0; i < 2; i++ {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", side.port))
			if err != nil {
				t.Fatal(err)
			}
			// A loaded node may print the event after take's 60 ms of quiet.
			side.ev.waitEvent("connection", "connection", nil)
			got := side.ev.take("connection")
			c.Close()
			if want := "connection 127.0.0.1 IPv4"; got != want {
				t.Errorf("%s, connection %d, before any request: events %q; want %q", side.name, i, got, want)
			}
		}
	}
}

// TestServerConnectWithoutListener: a CONNECT to a server with no
// 'connect' listener gets the connection closed with no bytes, as from node.
func TestServerConnectWithoutListener(t *testing.T) {
	ns := startNodeDiffServer(t)
	port, _ := startCompatDiffServer(t)
	req := "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
	want := exchangeRaw(t, ns.port, req)
	if got := exchangeRaw(t, port, req); got != want {
		t.Errorf("compat sent:\n%s\nnode sent:\n%s", got, want)
	}
}

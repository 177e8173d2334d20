package compat

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// streamScripts are the scripted servers' answers for the streaming
// scenarios: pieces written 150 ms apart (so that each is one read), then
// a close; "RST" resets the connection instead, and "BIG" is bigBody
// bytes written as fast as the client takes them.
var streamScripts = map[string][]string{
	"stream":   {"HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 15\r\n\r\nhello", "12345", "abcde"},
	"chunked":  {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "5\r\n12345\r\n", "0\r\nX-T: v\r\n\r\n"},
	"clcut":    {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", ""},
	"chunkcut": {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", ""},
	"reset":    {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", "RST"},
	"nohead":   {""},
	"pause":    {"HTTP/1.1 200 OK\r\nContent-Length: 33554432\r\n\r\n", "BIG"},
	"destroy":  {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello", "world"},
}

const bigBody = 32 << 20

// scriptedServer answers every connection's first request with script. It
// counts the body bytes of "BIG" pieces written in sent.
func scriptedServer(t *testing.T, script []string) (port int, sent *atomic.Int64) {
	sent = new(atomic.Int64)
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
					return
				}
				for i, p := range script {
					if i > 0 {
						time.Sleep(150 * time.Millisecond)
					}
					switch p {
					case "RST":
						c.(*net.TCPConn).SetLinger(0)
						return
					case "BIG":
						piece := bytes.Repeat([]byte("x"), 64<<10)
						for n := 0; n < bigBody; n += len(piece) {
							c.SetWriteDeadline(time.Now().Add(10 * time.Second))
							if _, err := c.Write(piece); err != nil {
								return
							}
							sent.Add(int64(len(piece)))
						}
					default:
						c.Write([]byte(p))
					}
				}
				time.Sleep(150 * time.Millisecond)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, sent
}

// nodeError formats err as the scenario scripts print a Node error.
func nodeError(err error) string {
	if e, ok := err.(*Error); ok {
		return e.Code + " " + e.Message
	}
	return err.Error()
}

// streamEvents runs one scenario with compat's client and returns its
// events as client_stream.js prints them.
func streamEvents(t *testing.T, port int, mode string, agent *Agent) string {
	tr := &trace{}
	done := make(chan struct{}, 2)
	opts := &RequestOptions{Host: "127.0.0.1", Port: port, Path: "/" + mode, Agent: agent, NoAgent: agent == nil}
	var r *ClientRequest
	r, err := Request("", opts, func(res *IncomingMessage) {
		xa, ok := res.Headers()["x-a"]
		if !ok {
			xa = "undefined"
		}
		tr.add("response %d %s", res.StatusCode, xa)
		n := 0
		if mode == "pause" {
			res.Pause()
			time.AfterFunc(300*time.Millisecond, func() { tr.add("resume %v", res.IsPaused()); res.Resume() })
			res.OnData(func(c []byte) { n += len(c) })
		} else {
			res.OnData(func(c []byte) {
				tr.add("res.data %s", c)
				if mode == "destroy" {
					r.Destroy(nil)
				}
			})
		}
		res.OnEnd(func() {
			raw, _ := json.Marshal(append([]string{}, res.RawTrailers()...))
			if mode == "pause" {
				tr.add("res.end %s n=%d", raw, n)
				return
			}
			tr.add("res.end %s", raw)
		})
		res.OnAborted(func() { tr.add("res.aborted") })
		res.OnError(func(err error) { tr.add("res.error %s", nodeError(err)) })
		res.OnClose(func() { tr.add("res.close complete=%v", res.Complete()); done <- struct{}{} })
	})
	if err != nil {
		t.Fatal(err)
	}
	r.OnSocket(func(SocketInfo) { tr.add("socket") })
	r.OnFinish(func() { tr.add("finish") })
	r.OnClose(func() { tr.add("close") })
	r.OnError(func(err error) { tr.add("error %s", nodeError(err)); done <- struct{}{} })
	r.End(nil)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	time.Sleep(100 * time.Millisecond)
	return tr.String()
}

// TestClientStreamMatchesNode runs each streaming scenario with node's
// client and with compat's against the same scripted server and compares
// the events: 'response' at the head, one 'data' per piece as it arrives,
// and Node's sequence for a response cut short by a close or a reset.
func TestClientStreamMatchesNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	agent, err := NewAgent(&AgentOptions{KeepAlive: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(agent.Destroy)
	for _, mode := range []string{"stream", "chunked", "clcut", "chunkcut", "reset", "nohead", "destroy", "pause", "stream ka", "clcut ka"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			name, ka, _ := strings.Cut(mode, " ")
			port, _ := scriptedServer(t, streamScripts[name])
			args := []string{"testdata/client_stream.js", fmt.Sprint(port), name}
			var a *Agent
			if ka != "" {
				args, a = append(args, ka), agent
			}
			out, err := exec.Command(node, args...).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			want := strings.TrimSpace(string(out))
			if got := streamEvents(t, port, name, a); got != want {
				t.Errorf("compat events:\n%s\nnode events:\n%s", got, want)
			}
		})
	}
}

// TestClientStreamPauseBounded: a paused response holds a bounded part of
// a large body while the server's writes block; resumed, it gets all.
func TestClientStreamPauseBounded(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("pausing reads is Linux-only")
	}
	port, sent := scriptedServer(t, streamScripts["pause"])
	type result struct {
		n   int
		err error
	}
	resc := make(chan *IncomingMessage, 1)
	done := make(chan result, 1)
	r, err := Request("", &RequestOptions{Host: "127.0.0.1", Port: port, NoAgent: true}, func(res *IncomingMessage) {
		res.Pause()
		resc <- res
	})
	if err != nil {
		t.Fatal(err)
	}
	r.OnError(func(err error) { done <- result{0, err} })
	r.End(nil)
	var res *IncomingMessage
	select {
	case res = <-resc:
	case r := <-done:
		t.Fatal(r.err)
	case <-time.After(5 * time.Second):
		t.Fatal("no response")
	}
	for i := 0; i < 100 && sent.Load() == 0; i++ {
		time.Sleep(50 * time.Millisecond) // the body starts 150 ms after the head
	}
	last := int64(-1)
	for i := 0; i < 100 && sent.Load() != last; i++ {
		last = sent.Load()
		time.Sleep(50 * time.Millisecond)
	}
	if s, held := sent.Load(), res.ReadableLength(); s >= bigBody || held > 256<<10 {
		t.Fatalf("paused: server sent %d of %d, response holds %d; want the server stalled and at most 256 KiB held", s, bigBody, held)
	}
	n := 0
	res.OnData(func(c []byte) { n += len(c) })
	res.OnEnd(func() { done <- result{n, nil} })
	res.Resume()
	select {
	case r := <-done:
		if r.err != nil || r.n != bigBody {
			t.Fatalf("resumed: got %d bytes, %v; want %d", r.n, r.err, bigBody)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no end")
	}
}

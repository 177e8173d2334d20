package engine

import (
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/parse"
)

// TestErrorReply has Options.ErrorReply write the replies to refused
// requests and checks they go out as written, with the parse error.
func TestErrorReply(t *testing.T) {
	_, addr := startServer(t, helloHandler, &Options{
		Parse: parseConfig(1024, 10, 64),
		ErrorReply: func(dst []byte, status int, err error) []byte {
			missing := errors.Is(err, parse.ErrMissingHost)
			return append(dst, "HTTP/1.1 "+strconv.Itoa(status)+" X\r\nMissing-Host: "+strconv.FormatBool(missing)+"\r\n\r\n"...)
		},
	})
	tests := []struct{ name, req, want string }{
		{"garbage", "GARBAGE\r\n\r\n", "HTTP/1.1 400 X\r\nMissing-Host: false\r\n\r\n"},
		{"no host", "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 X\r\nMissing-Host: true\r\n\r\n"},
		{"head", "GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("b", 2000) + "\r\n\r\n", "HTTP/1.1 431 X\r\nMissing-Host: false\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rawExchange(t, addr, tt.req, 2*time.Second); got != tt.want {
				t.Fatalf("response %q; want %q", got, tt.want)
			}
		})
	}
}

// TestWriteRawHead checks that a caller-built head goes out as written and
// that the body is framed as told.
func TestWriteRawHead(t *testing.T) {
	_, addr := startServer(t, func(w *Response, r *Request) {
		switch string(r.Target()) {
		case "/chunked":
			w.WriteRawHead([]byte("HTTP/1.1 200 OK\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n"), FramingChunked, -1, false)
			w.WriteString("abc")
		case "/close":
			w.WriteRawHead([]byte("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"), FramingClose, -1, false)
			w.WriteString("abc")
		case "/inplace":
			// Built where it goes: it must not be copied over itself or twice.
			b := append(w.HeadBuffer(64), "HTTP/1.1 200 OK\r\nX-B: 2\r\nContent-Length: 3\r\n\r\n"...)
			w.WriteRawHead(b, FramingLength, 3, false)
			w.WriteString("abc")
		case "/outgrown":
			// Outgrows the room asked for: append moved it, so it is copied.
			b := w.HeadBuffer(1)
			b = append(b[:cap(b)], "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"...)[cap(b):]
			w.WriteRawHead(b, FramingLength, 3, false)
			w.WriteString("abc")
		default:
			if !w.KeepsConn() {
				t.Errorf("KeepsConn = false for a keep-alive request")
			}
			w.WriteRawHead([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"), FramingLength, 3, false)
			w.WriteString("abc")
		}
	}, nil)
	tests := []struct{ name, req, want string }{
		{"length", "GET /length HTTP/1.1\r\nHost: x\r\n\r\nGET /close HTTP/1.1\r\nHost: x\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc"},
		{"inplace", "GET /inplace HTTP/1.1\r\nHost: x\r\n\r\nGET /length HTTP/1.1\r\nHost: x\r\n\r\nGET /inplace HTTP/1.1\r\nHost: x\r\n\r\nGET /close HTTP/1.1\r\nHost: x\r\n\r\n",
			"HTTP/1.1 200 OK\r\nX-B: 2\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nX-B: 2\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc"},
		{"outgrown", "GET /length HTTP/1.1\r\nHost: x\r\n\r\nGET /outgrown HTTP/1.1\r\nHost: x\r\n\r\nGET /close HTTP/1.1\r\nHost: x\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc"},
		{"chunked", "GET /chunked HTTP/1.1\r\nHost: x\r\n\r\nGET /close HTTP/1.1\r\nHost: x\r\n\r\n",
			"HTTP/1.1 200 OK\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rawExchange(t, addr, tt.req, 2*time.Second); got != tt.want {
				t.Fatalf("response %q; want %q", got, tt.want)
			}
		})
	}
}

// TestErrorReplyRefusedRequest: a refused head or chunked body reaches
// ErrorReply as a *RefusedRequest with the bytes received and where the
// parser stopped in them (Node's rawPacket and bytesParsed).
func TestErrorReplyRefusedRequest(t *testing.T) {
	_, addr := startServer(t, helloHandler, &Options{
		ErrorReply: func(dst []byte, status int, err error) []byte {
			var r *RefusedRequest
			if !errors.As(err, &r) {
				return append(dst, "HTTP/1.1 500 not refused\r\n\r\n"...)
			}
			return append(dst, "HTTP/1.1 "+strconv.Itoa(status)+" "+r.Code.Name()+" "+strconv.Itoa(r.Offset)+" "+strconv.Itoa(len(r.Packet))+"\r\n\r\n"...)
		},
	})
	head := "GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n"
	chunk := "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n"
	tests := []struct{ name, req, want string }{
		{"head", head, "HTTP/1.1 400 INVALID_HEADER_TOKEN 28 " + strconv.Itoa(len(head)) + "\r\n\r\n"},
		{"chunk", chunk, "HTTP/1.1 400 INVALID_CHUNK_SIZE 56 " + strconv.Itoa(len(chunk)) + "\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rawExchange(t, addr, tt.req, 2*time.Second); got != tt.want {
				t.Fatalf("response %q; want %q", got, tt.want)
			}
		})
	}
}

// TestOnIdleTimeout: a connection idle for IdleTimeout is kept when
// OnIdleTimeout says so (and then serves its request), closed otherwise.
func TestOnIdleTimeout(t *testing.T) {
	for _, keep := range []bool{true, false} {
		var calls atomic.Int32
		_, addr := startServer(t, helloHandler, &Options{
			IdleTimeout:  50 * time.Millisecond,
			TickInterval: 10 * time.Millisecond,
			OnIdleTimeout: func(remote, local net.Addr, _ any) bool {
				calls.Add(1)
				return keep
			},
		})
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		b := make([]byte, 12)
		_, err = io.ReadFull(c, b)
		c.Close()
		if n := calls.Load(); n != 1 {
			t.Errorf("keep %v: OnIdleTimeout called %d times; want 1 (the clock waits for a read)", keep, n)
		}
		if served := err == nil && string(b) == "HTTP/1.1 200"; served != keep {
			t.Errorf("keep %v: served %v (%q, %v)", keep, served, b, err)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"log"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// gnet-raw is the ceiling for a server on gnet: no parser, no header table, no
// handler. It answers each "\r\n\r\n" it sees with a fixed response, batched
// into one write per read, so every cost above it in zerohttp is the HTTP work.

// rawResponse holds the full response; a ticker rebuilds it once a second with
// a new Date. Readers load it once per read batch.
var rawResponse atomic.Pointer[[]byte]

func buildRawResponse(now time.Time) *[]byte {
	b := make([]byte, 0, 160)
	b = append(b, "HTTP/1.1 200 OK\r\nServer: gnet-raw\r\nDate: "...)
	b = now.UTC().AppendFormat(b, http.TimeFormat)
	b = append(b, "\r\nContent-Type: "+contentType+"\r\nContent-Length: 13\r\n\r\n"+helloBody...)
	return &b
}

// endOfHead is the blank line that ends a request head.
var endOfHead = []byte("\r\n\r\n")

// rawConn is per-connection state, allocated once when it opens.
type rawConn struct {
	partial int    // bytes of endOfHead matched at the end of the previous read (0-3)
	out     []byte // responses for the current read; grows to the largest batch and is reused
}

// countHeads returns how many complete endOfHead sequences b finishes,
// including one begun at the end of the previous read.
func (rc *rawConn) countHeads(b []byte) int {
	n, i := 0, 0
	if k := rc.partial; k > 0 {
		j := 0
		for k < len(endOfHead) && j < len(b) && b[j] == endOfHead[k] {
			k, j = k+1, j+1
		}
		switch {
		case k == len(endOfHead):
			n, i = 1, j
		case j == len(b):
			rc.partial = k
			return 0
		}
	}
	for {
		x := bytes.Index(b[i:], endOfHead)
		if x < 0 {
			break
		}
		n++
		i += x + len(endOfHead)
	}
	rc.partial = 0
	for k := min(len(endOfHead)-1, len(b)-i); k > 0; k-- {
		if bytes.HasSuffix(b[i:], endOfHead[:k]) {
			rc.partial = k
			break
		}
	}
	return n
}

type rawServer struct {
	gnet.BuiltinEventEngine
}

func (*rawServer) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	// No buffer up front: an idle connection should cost the ceiling as
	// little as it can. c.Write copies what the socket does not take, so out
	// is free for reuse as soon as it returns.
	c.SetContext(&rawConn{})
	return nil, gnet.None
}

func (*rawServer) OnTraffic(c gnet.Conn) gnet.Action {
	rc := c.Context().(*rawConn)
	b, _ := c.Next(-1)
	n := rc.countHeads(b)
	if n == 0 {
		return gnet.None
	}
	resp := *rawResponse.Load()
	rc.out = rc.out[:0]
	for range n {
		rc.out = append(rc.out, resp...)
	}
	c.Write(rc.out)
	return gnet.None
}

func serveGnetRaw(ctx context.Context, addr string) error {
	rawResponse.Store(buildRawResponse(time.Now()))
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				rawResponse.Store(buildRawResponse(now))
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		<-ctx.Done()
		gnet.Stop(context.Background(), "tcp://"+addr)
	}()
	err := gnet.Run(new(rawServer), "tcp://"+addr, gnet.WithMulticore(true), gnet.WithLogger(quietLogger{}))
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// quietLogger drops gnet's start-up chatter (WithLogLevel applies only to
// file logging) and keeps warnings and errors.
type quietLogger struct{}

func (quietLogger) Debugf(string, ...any)        {}
func (quietLogger) Infof(string, ...any)         {}
func (quietLogger) Warnf(f string, args ...any)  { log.Printf("gnet: "+f, args...) }
func (quietLogger) Errorf(f string, args ...any) { log.Printf("gnet: "+f, args...) }
func (quietLogger) Fatalf(f string, args ...any) { log.Fatalf("gnet: "+f, args...) }

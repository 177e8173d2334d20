package hostile

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// lineServer answers each request head it reads with "ok", or, with drop,
// closes the connection after the first head without answering.
func lineServer(t *testing.T, drop bool) string {
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
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if line != "\r\n" {
						continue
					}
					if drop {
						return
					}
					if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestUnreadBatches: each unread connection reads its batch back after the
// hold and starts another, so a run longer than the hold sends more than
// one batch per connection, every one answered.
func TestUnreadBatches(t *testing.T) {
	addr := lineServer(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var st Stats
	unreadPipelined(ctx, addr, 2, 4, request, 2, 50*time.Millisecond, &st)
	if sent := st.Sent.Load(); sent <= 2*4 {
		t.Errorf("sent %d requests; want more than one batch of 4 on each of 2 connections", sent)
	}
	if st.Answered.Load() != st.Sent.Load() || st.Failed.Load() != 0 {
		t.Errorf("sent %d, answered %d, failed %d; want all answered", st.Sent.Load(), st.Answered.Load(), st.Failed.Load())
	}
}

// TestUnreadDropped: a server closing an unread connection with responses
// owed leaves them failed, not forgiven.
func TestUnreadDropped(t *testing.T) {
	addr := lineServer(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var st Stats
	unreadPipelined(ctx, addr, 1, 4, request, 2, 50*time.Millisecond, &st)
	if st.Sent.Load() == 0 || st.Failed.Load() != st.Sent.Load() {
		t.Errorf("sent %d, answered %d, failed %d; want every sent request failed", st.Sent.Load(), st.Answered.Load(), st.Failed.Load())
	}
}

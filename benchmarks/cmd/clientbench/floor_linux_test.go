//go:build linux

package main

import (
	"errors"
	"testing"
)

// TestFloorReply checks the floor client's framing: a whole reply, one cut
// short, a HEAD reply, and replies it does not read.
func TestFloorReply(t *testing.T) {
	const hello = "HTTP/1.1 200 OK\r\nServer: fixed\r\ncontent-LENGTH:  13 \r\n\r\nHello, World!"
	for _, tc := range []struct {
		in     string
		head   bool
		size   int
		status int
		body   string
		err    bool
	}{
		{in: hello, size: len(hello), status: 200, body: "Hello, World!"},
		{in: hello + "HTTP/1.1", size: len(hello), status: 200, body: "Hello, World!"},
		{in: hello[:len(hello)-1]},
		{in: hello[:20]},
		{in: "HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\n", head: true, size: 46, status: 404},
		{in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", err: true},
		{in: "SSH-2.0-x\r\n\r\n", err: true},
	} {
		size, status, body, err := floorReply([]byte(tc.in), tc.head)
		if (err != nil) != tc.err || size != tc.size || status != tc.status || string(body) != tc.body {
			t.Errorf("floorReply(%q, %v) = %d, %d, %q, %v; want %d, %d, %q, error %v", tc.in, tc.head, size, status, body, err, tc.size, tc.status, tc.body, tc.err)
		}
		if tc.err && errors.Is(err, errFloorFraming) != (tc.in[9] == '2') {
			t.Errorf("floorReply(%q): %v", tc.in, err)
		}
	}
}

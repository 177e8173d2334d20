package main

import (
	"strings"
	"testing"
)

// TestCountHeads feeds three request heads at every pair of split points.
func TestCountHeads(t *testing.T) {
	stream := strings.Repeat("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 3)
	for i := 0; i <= len(stream); i++ {
		for j := i; j <= len(stream); j++ {
			var rc rawConn
			n := 0
			for _, part := range []string{stream[:i], stream[i:j], stream[j:]} {
				n += rc.countHeads([]byte(part))
			}
			if n != 3 {
				t.Fatalf("split %d,%d: %d heads; want 3", i, j, n)
			}
		}
	}
}

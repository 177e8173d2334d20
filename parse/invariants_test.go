//go:build invariants

package parse

import (
	"testing"

	"github.com/zerohttp/zerohttp/headers"
)

func TestInvariantsCatchRewrite(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a rewritten prefix was not caught")
		}
	}()
	var p Parser
	var h headers.Table
	b := []byte("GET /abc HTTP/1.1\r\nHo")
	p.Parse(b, &h)
	b2 := []byte("GET /abd HTTP/1.1\r\nHost: a\r\n\r\n")
	p.Parse(b2, &h)
}

// Package looptest holds the loopback helpers that the allocation tests of
// engine and compat share: a fixed request/response exchange on a raw
// socket, and a count of the process's allocations over many of them.
package looptest

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"testing"
)

// RoundTrip sends one request on c and reads until the reply ends with end,
// to learn the reply's length. It returns a function that sends depth copies
// of one at once and reads exactly depth replies into a buffer made here, so
// that the exchange itself allocates nothing.
func RoundTrip(t testing.TB, c net.Conn, one []byte, depth int, end string) func() {
	t.Helper()
	buf := make([]byte, 64<<10)
	if _, err := c.Write(one); err != nil {
		t.Fatal(err)
	}
	n := 0
	for !bytes.HasSuffix(buf[:n], []byte(end)) {
		k, err := c.Read(buf[n:])
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	req, respLen := bytes.Repeat(one, depth), n*depth
	if respLen > len(buf) {
		t.Fatalf("%d replies of %d bytes do not fit the buffer", depth, n)
	}
	return func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:respLen]); err != nil {
			t.Fatal(err)
		}
	}
}

// MinAllocs calls f once to warm up, then runs times in each of tries
// rounds, and returns the fewest allocations per call seen in a round,
// rounded down as testing.AllocsPerRun does, with that round's total. Over
// loopback the process also allocates in the background (the GC, gnet's
// ticker); the best round filters that out.
func MinAllocs(tries, runs int, f func()) (per, total uint64) {
	f()
	per = ^uint64(0)
	var ms runtime.MemStats
	for i := 0; i < tries; i++ {
		runtime.ReadMemStats(&ms)
		before := ms.Mallocs
		for j := 0; j < runs; j++ {
			f()
		}
		runtime.ReadMemStats(&ms)
		if d := ms.Mallocs - before; d/uint64(runs) < per || (d/uint64(runs) == per && d < total) {
			per, total = d/uint64(runs), d
		}
	}
	return per, total
}

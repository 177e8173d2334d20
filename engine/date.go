package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// dateLine is the length of "Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n".
const dateLine = len("Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n")

// dateCache holds the Date header line, formatted once a second by whoever
// drives it (each server's and client's ticker) rather than per message.
//
// Readers copy the published buffer; the writer formats into the next of
// four buffers and then publishes it, so a reader would have to stall for
// three seconds in the middle of a copy to see a torn line.
type dateCache struct {
	mu   sync.Mutex    // serializes refresh
	sec  int64         // unix second of the published line; guarded by mu
	gen  atomic.Uint64 // bumped per published line; it is in bufs[gen%4]
	bufs [4][dateLine]byte
}

var dates dateCache

func init() { dates.refresh(time.Now()) }

// refresh formats now into the cache if its second differs from the cached one.
// Safe from any goroutine.
func (d *dateCache) refresh(now time.Time) {
	sec := now.Unix()
	d.mu.Lock()
	defer d.mu.Unlock()
	if sec == d.sec {
		return
	}
	next := d.gen.Load() + 1
	b := d.bufs[next%uint64(len(d.bufs))][:0]
	b = append(b, "Date: "...)
	b = now.UTC().AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
	b = append(b, "\r\n"...)
	if len(b) != dateLine { // years past 9999; keep the old line
		return
	}
	d.sec = sec
	d.gen.Store(next)
}

// appendDate appends the cached "Date: ...\r\n" line to dst. Safe from any goroutine.
func appendDate(dst []byte) []byte {
	return append(dst, dates.bufs[dates.gen.Load()%uint64(len(dates.bufs))][:]...)
}

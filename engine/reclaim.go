package engine

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultReclaimInterval is the shortest time between two collections the
// engine forces to give a burst's memory back; see Options.ReclaimInterval.
const DefaultReclaimInterval = 10 * time.Second

// reclaimMin is how many bytes of large buffers must have been dropped since
// the last forced collection before the engine forces another.
const reclaimMin = 4 << 20

// churnMin is how many bytes the process must have allocated since the last
// forced collection for a quiet server to force one without dropped
// buffers, and quietAlloc the most it may allocate in a tick to be quiet.
const (
	churnMin   = 64 << 20
	quietAlloc = 1 << 20
)

// Giving a burst's memory back. The engine does not keep buffers grown past
// maxKeptBuf: a connection drops them when they drain or when it closes.
// But the heap they free, and that of the connections a burst closed
// (their pooled state, gnet's buffers), is only found by a garbage
// collection, and a server that goes quiet after a burst allocates
// nothing, so none runs (until Go's two-minute forced one) and the process
// keeps its peak RSS. So the paths that drop a large buffer add its size to
// a counter (dropped), at no cost to the paths that keep theirs, as does a
// connection's release; each server's ticker, once a second, looks at it:
// when at least reclaimMin bytes were dropped, none in the last tick (the
// burst is over), and the last forced collection is older than
// Options.ReclaimInterval, it runs runtime.GC and debug.FreeOSMemory (two
// collections, then the freed pages returned to the OS) on a goroutine of
// its own. Under steady load buffers keep being dropped, so nothing is
// forced: the collector runs by itself then.
//
// A handler that allocates per request (compat's request and response
// objects, 768 bytes) leaves no large buffer behind but garbage up to the
// collector's goal, twice the live heap, and the spans it grew into: after
// 10 x 100,000 unread pipelined requests compat kept 35 MiB from a 21 MiB
// start. So a burst of allocation counts too: once the process has
// allocated churnMin bytes since the last forced collection (read from
// runtime/metrics once per tick, off the loops) and allocates less than
// quietAlloc in a tick, a collection is forced as above. A tick is quiet
// only when both are: none is forced while the process allocates.

// reclaimState is reclaim's type.
type reclaimState struct {
	dropped atomic.Int64 // bytes of large buffers dropped, ever

	mu       sync.Mutex
	seen     int64     // dropped at the last tick; guarded by mu
	freedAt  int64     // dropped when the last collection was forced; guarded by mu
	lastFree time.Time // when it was forced; guarded by mu
	running  bool      // a forced collection is running; guarded by mu
	forced   atomic.Uint64

	allocs    [1]metrics.Sample // "/gc/heap/allocs:bytes"; guarded by mu
	allocSeen uint64            // allocated bytes at the last tick; guarded by mu
	allocAt   uint64            // allocated bytes when the last collection was forced; guarded by mu
}

var reclaim reclaimState

// noteDropped records that a buffer of capacity n was let go for the
// collector. Safe from any goroutine.
func noteDropped(n int) { reclaim.dropped.Add(int64(n)) }

// dropLarge returns b emptied, or nil (noting its size) if its capacity is
// over maxKeptBuf.
func dropLarge(b []byte) []byte {
	if cap(b) > maxKeptBuf {
		noteDropped(cap(b))
		return nil
	}
	return b[:0]
}

// reclaimTick is called by a server's ticker with the server's
// ReclaimInterval; it starts a forced collection if one is due. Safe from
// any goroutine.
func reclaimTick(now time.Time, every time.Duration) {
	if every < 0 {
		return
	}
	d := reclaim.dropped.Load()
	reclaim.mu.Lock()
	defer reclaim.mu.Unlock()
	a := reclaim.allocated()
	quiet := d == reclaim.seen && a-reclaim.allocSeen < quietAlloc
	reclaim.seen, reclaim.allocSeen = d, a
	due := d-reclaim.freedAt >= reclaimMin || a-reclaim.allocAt >= churnMin
	if !quiet || reclaim.running || !due || now.Sub(reclaim.lastFree) < every {
		return
	}
	reclaim.running = true
	reclaim.freedAt = d
	reclaim.allocAt = a
	go func() {
		// Two cycles: sync.Pool (the engine's conns, gnet's buffers) keeps
		// what it held over one collection and frees it at the next.
		runtime.GC()
		debug.FreeOSMemory()
		reclaim.forced.Add(1)
		reclaim.mu.Lock()
		reclaim.running = false
		reclaim.lastFree = time.Now()
		reclaim.mu.Unlock()
	}()
}

// allocated returns the bytes the process has allocated on the heap, ever.
// Guarded by reclaim.mu.
func (r *reclaimState) allocated() uint64 {
	if r.allocs[0].Name == "" {
		r.allocs[0].Name = "/gc/heap/allocs:bytes"
	}
	metrics.Read(r.allocs[:])
	if r.allocs[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return r.allocs[0].Value.Uint64()
}

//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package engine

import (
	"sync"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// drainWatch tells event loops when a stalled connection's socket may have
// room again. Linux registers the socket for EPOLLOUT (drain_linux.go); on
// the development platforms a goroutine, started on the first stall, wakes
// every stalled connection each drainPoll instead, and a connection whose
// socket is still full registers again. Slower to resume, never stuck.
type drainWatch struct {
	once  sync.Once
	mu    sync.Mutex
	conns map[*conn]gnet.Conn // guarded by mu: the stalled connections
	stopc chan struct{}
	done  chan struct{}
}

const drainPoll = 5 * time.Millisecond

// watch asks for c to be woken once its socket may be writable. Must be
// called on c's loop.
func (d *drainWatch) watch(c *conn) {
	d.once.Do(func() {
		d.conns = make(map[*conn]gnet.Conn)
		d.stopc, d.done = make(chan struct{}), make(chan struct{})
		go d.run()
	})
	d.mu.Lock()
	d.conns[c] = c.gc
	d.mu.Unlock()
	c.watched = true
}

// unwatch forgets c before its socket closes. Must be called on c's loop.
func (d *drainWatch) unwatch(c *conn) {
	if !c.watched {
		return
	}
	c.watched = false
	d.mu.Lock()
	delete(d.conns, c)
	d.mu.Unlock()
}

func (d *drainWatch) run() {
	defer close(d.done)
	t := time.NewTicker(drainPoll)
	defer t.Stop()
	var woken []gnet.Conn
	for {
		select {
		case <-d.stopc:
			return
		case <-t.C:
		}
		woken = woken[:0]
		d.mu.Lock()
		for c, gc := range d.conns {
			woken = append(woken, gc)
			delete(d.conns, c) // c.watched stays set: only c's loop touches it
		}
		d.mu.Unlock()
		for _, gc := range woken {
			_ = gc.Wake(nil)
		}
	}
}

// stop ends the goroutine, if it started. Called once the loops have stopped.
func (d *drainWatch) stop() {
	d.once.Do(func() {}) // never started: nothing to stop
	if d.stopc == nil {
		return
	}
	close(d.stopc)
	<-d.done
}

package engine

import (
	"sync"
)

// workerPool runs handlers on a bounded set of goroutines. Connections whose
// request finds the queue full wait in a list and are woken, in order, as
// workers free up: until then they read nothing more (back-pressure).
type workerPool struct {
	jobs chan *conn
	wg   sync.WaitGroup

	mu      sync.Mutex
	waiting []*conn // guarded by mu
	stopped bool    // guarded by mu
}

func newWorkerPool(workers, queue int) *workerPool {
	p := &workerPool{jobs: make(chan *conn, queue)}
	p.wg.Add(workers)
	for i := 0; i < workers; i++ {
		go p.work()
	}
	return p
}

// submit queues c's request, or parks c until there is room. Called on c's loop.
func (p *workerPool) submit(c *conn) {
	select {
	case p.jobs <- c:
		return
	default:
	}
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		p.jobs <- c // unreachable in practice: the pool stops after the engine
		return
	}
	p.waiting = append(p.waiting, c)
	p.mu.Unlock()
}

func (p *workerPool) work() {
	defer p.wg.Done()
	for c := range p.jobs {
		p.serve(c)
		p.admit()
	}
}

// serve runs the handler for c's request on this goroutine. It owns c's
// request, response and output until it sets workDone.
func (p *workerPool) serve(c *conn) {
	c.runHandler()
	if !c.resp.ended {
		c.resp.End()
	}
	gc := c.gc
	c.workDone.Store(true)
	_ = gc.Wake(nil)
	c.release()
}

// admit moves parked connections into the queue while it has room.
func (p *workerPool) admit() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.waiting) > 0 {
		select {
		case p.jobs <- p.waiting[0]:
			p.waiting[0] = nil
			p.waiting = p.waiting[1:]
		default:
			return
		}
	}
}

// stop ends the workers once the queue drains.
func (p *workerPool) stop() {
	p.mu.Lock()
	p.stopped = true
	waiting := p.waiting
	p.waiting = nil
	p.mu.Unlock()
	for _, c := range waiting {
		p.jobs <- c
	}
	close(p.jobs)
	p.wg.Wait()
}

package agentpool

// queue is a FIFO of requests waiting for a socket, as a ring buffer that
// keeps its capacity, so steady-state queuing does not allocate.
type queue struct {
	buf        []*pending
	head, size int
}

func (q *queue) len() int { return q.size }

func (q *queue) grow() {
	n := 2 * len(q.buf)
	if n == 0 {
		n = 8
	}
	b := make([]*pending, n)
	for i := 0; i < q.size; i++ {
		b[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = b, 0
}

// push appends p at the back.
func (q *queue) push(p *pending) {
	if q.size == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.size)%len(q.buf)] = p
	q.size++
}

// pushFront puts p at the front (a retried request keeps its turn).
func (q *queue) pushFront(p *pending) {
	if q.size == len(q.buf) {
		q.grow()
	}
	q.head = (q.head - 1 + len(q.buf)) % len(q.buf)
	q.buf[q.head] = p
	q.size++
}

// pop removes and returns the front; the queue must not be empty.
func (q *queue) pop() *pending {
	p := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) % len(q.buf)
	q.size--
	return p
}

// front returns the front without removing it; the queue must not be empty.
func (q *queue) front() *pending { return q.buf[q.head] }

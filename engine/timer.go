package engine

// never is a deadline that does not come.
const never = int64(1<<63 - 1)

// wheelSlots is the number of slots in a timing wheel. A deadline further out
// than wheelSlots ticks is visited once per revolution and put back.
const wheelSlots = 512

// expirer is what a timer calls when its deadline passes.
type expirer interface {
	// expire runs on the wheel's event loop with the wheel's current time.
	expire(now int64)
}

// timer is a node of a timing wheel, embedded in what it times (a connection).
// A timer is in at most one slot; its deadline may be later than its slot says
// (deadlines are moved later lazily, which costs a field write per request).
type timer struct {
	next, prev *timer
	when       int64 // deadline in wheel milliseconds; never when stopped
	f          expirer
}

func (t *timer) linked() bool { return t.next != nil }

func (t *timer) unlink() {
	t.prev.next = t.next
	t.next.prev = t.prev
	t.next, t.prev = nil, nil
}

// wheel is a hashed timing wheel owned by one event loop and advanced by that
// loop's tick; it replaces a time.Timer per connection. Not safe for concurrent use.
type wheel struct {
	res   int64 // milliseconds per slot, > 0
	now   int64 // current time in milliseconds, as of the last advance
	tick  int64 // index of the last slot processed: now / res
	due   timer // sentinel of the timers taken from the slots being advanced
	slots [wheelSlots]timer
}

// init prepares w with a resolution of res milliseconds, starting at now.
func (w *wheel) init(res, now int64) {
	if res <= 0 {
		res = 1
	}
	w.res, w.now, w.tick = res, now, now/res
	for i := range w.slots {
		s := &w.slots[i]
		s.next, s.prev = s, s
	}
}

// schedule sets t's deadline to when (never stops it). Moving a deadline
// later is a field write; moving it earlier relinks t.
func (w *wheel) schedule(t *timer, when int64) {
	if when == never {
		w.stop(t)
		return
	}
	if t.linked() && when >= t.when {
		t.when = when
		return
	}
	if t.linked() {
		t.unlink()
	}
	t.when = when
	w.link(t)
}

// stop removes t from the wheel.
func (w *wheel) stop(t *timer) {
	if t.linked() {
		t.unlink()
	}
	t.when = never
}

func (w *wheel) link(t *timer) {
	idx := t.when / w.res
	if idx <= w.tick {
		idx = w.tick + 1 // already due: fire on the next tick
	}
	head := &w.slots[idx%wheelSlots]
	t.prev, t.next = head.prev, head
	head.prev.next = t
	head.prev = t
}

// advance moves w to now, firing every timer whose deadline has passed and
// relinking those whose deadline moved later.
func (w *wheel) advance(now int64) {
	if now < w.now {
		return
	}
	w.now = now
	last := now / w.res
	first := w.tick + 1
	if last-first >= wheelSlots {
		first = last - wheelSlots + 1
	}
	w.tick = last
	due := &w.due
	due.next, due.prev = due, due
	for i := first; i <= last; i++ {
		head := &w.slots[i%wheelSlots]
		if head.next == head {
			continue
		}
		// Splice the whole slot onto due.
		f, l := head.next, head.prev
		head.next, head.prev = head, head
		f.prev, l.next = due.prev, due
		due.prev.next = f
		due.prev = l
	}
	for due.next != due {
		t := due.next
		t.unlink()
		if t.when > now {
			w.link(t)
			continue
		}
		t.when = never
		t.f.expire(now)
	}
}

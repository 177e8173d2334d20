package headers

import "sync"

// Field is one header field. Name and Value are spans into the table's base
// buffer, or into its owned bytes when the field was added by copy.
type Field struct {
	Name, Value Span
	ID          ID   // well-known name id, or Unknown
	owned       bool // Name and Value index Table.own rather than Table.base
}

// Table is an ordered list of header fields in arrival order (Node's rawHeaders).
// The zero Table is empty and ready to use. A Table is not safe for concurrent use.
type Table struct {
	_      noCopy
	base   []byte  // buffer that span-backed fields point into; not owned
	own    []byte  // bytes of fields added by copy
	fields []Field // in arrival order
}

// Reset empties t and sets the buffer that spans added later refer to.
// Capacity is kept, so a reused Table does not allocate in steady state.
func (t *Table) Reset(base []byte) {
	t.base = base
	t.own = t.own[:0]
	t.fields = t.fields[:0]
}

// SetBase sets the buffer that span-backed fields refer to. Call it when the
// bytes the spans were parsed from have moved to another buffer at the same offsets.
func (t *Table) SetBase(base []byte) { t.base = base }

// Base returns the buffer that span-backed fields refer to.
func (t *Table) Base() []byte { return t.base }

// AddSpan appends a field whose name and value are spans into the base buffer.
// id must be LookupID of the name: lookups by name and id trust it.
func (t *Table) AddSpan(name, value Span, id ID) {
	t.fields = append(t.fields, Field{Name: name, Value: value, ID: id})
}

// Add appends a field, copying name and value into bytes the table owns.
func (t *Table) Add(name, value []byte) {
	t.fields = append(t.fields, ownField(t, name, value))
}

// AddString is Add for strings.
func (t *Table) AddString(name, value string) {
	t.fields = append(t.fields, ownField(t, name, value))
}

// ownField copies name and value into t.own as the field line
// "name: value\r\n" and returns a field for them, so that AppendLine writes
// an owned field with one copy.
func ownField[T string | []byte](t *Table, name, value T) Field {
	own := t.own // in a local, so the four appends store the header once
	n := MakeSpan(len(own), len(own)+len(name))
	own = append(own, name...)
	own = append(own, ": "...)
	v := MakeSpan(len(own), len(own)+len(value))
	own = append(own, value...)
	own = append(own, "\r\n"...)
	t.own = own
	return Field{Name: n, Value: v, ID: LookupID(n.In(own)), owned: true}
}

// Len returns the number of fields.
func (t *Table) Len() int { return len(t.fields) }

// Field returns the i'th field in arrival order.
func (t *Table) Field(i int) Field { return t.fields[i] }

// Name returns the i'th field's name as it arrived (case preserved).
// The view lives as long as the field's backing bytes (see the package doc).
func (t *Table) Name(i int) []byte { return t.bytes(t.fields[i].owned, t.fields[i].Name) }

// Value returns the i'th field's value. The view lives as long as the field's backing bytes.
func (t *Table) Value(i int) []byte { return t.bytes(t.fields[i].owned, t.fields[i].Value) }

func (t *Table) bytes(owned bool, s Span) []byte {
	if owned {
		return s.In(t.own)
	}
	return s.In(t.base)
}

// matcher selects the fields with one name. A well-known name is matched by
// id, one byte compare per field; any other name by a case-insensitive
// compare against the fields with no id. Both rely on every field's ID being
// LookupID of its name.
type matcher struct {
	id   ID
	name string
}

func matchName(name string) matcher { return matcher{id: lookupString(name), name: name} }

// selects reports whether m selects field i.
func (t *Table) selects(i int, m matcher) bool {
	f := &t.fields[i]
	return f.ID == m.id && (m.id != Unknown || EqualFold(t.bytes(f.owned, f.Name), m.name))
}

// next returns the index of the first field at or after from that m selects, or -1.
func (t *Table) next(m matcher, from int) int {
	for i := max(from, 0); i < len(t.fields); i++ {
		if t.selects(i, m) {
			return i
		}
	}
	return -1
}

// Next returns the index of the first field at or after from whose name is
// name, compared case-insensitively, or -1. Starting at 0 and then at the
// last result plus one visits every value of a repeated field in order
// without allocating.
func (t *Table) Next(name string, from int) int { return t.next(matchName(name), from) }

// Get returns the value of the first field named name, compared
// case-insensitively, and whether there is one. It does not allocate. The
// view lives as long as the field's backing bytes (see the package doc).
func (t *Table) Get(name string) ([]byte, bool) {
	if i := t.next(matchName(name), 0); i >= 0 {
		return t.Value(i), true
	}
	return nil, false
}

// GetID returns the value of the first field whose name has id, and whether
// there is one; never one for Unknown. The view lives as Get's does.
func (t *Table) GetID(id ID) ([]byte, bool) {
	if id == Unknown {
		return nil, false // Unknown names have to be told apart by name: use Get
	}
	for i := range t.fields {
		if t.fields[i].ID == id {
			return t.Value(i), true
		}
	}
	return nil, false
}

// Has reports whether t has a field named name, compared case-insensitively.
func (t *Table) Has(name string) bool { return t.next(matchName(name), 0) >= 0 }

// Count returns the number of fields whose name has id.
func (t *Table) Count(id ID) int {
	n := 0
	for i := range t.fields {
		if t.fields[i].ID == id {
			n++
		}
	}
	return n
}

// Each calls fn with the value of every field named name, compared
// case-insensitively, in arrival order. Each value is a view that lives as
// Get's does.
func (t *Table) Each(name string, fn func(value []byte)) {
	m := matchName(name)
	for i := t.next(m, 0); i >= 0; i = t.next(m, i+1) {
		fn(t.Value(i))
	}
}

// Del removes every field named name, compared case-insensitively, keeping
// the order of the rest. Bytes the removed fields owned stay allocated until
// Reset.
func (t *Table) Del(name string) { t.delFrom(matchName(name), 0) }

// delFrom removes the fields at or after from that m selects.
func (t *Table) delFrom(m matcher, from int) {
	kept := from
	for i := from; i < len(t.fields); i++ {
		if !t.selects(i, m) {
			t.fields[kept] = t.fields[i]
			kept++
		}
	}
	t.fields = t.fields[:kept]
}

// Set replaces every field named name, compared case-insensitively, with
// one field name: value, copied. The new field takes the place of the first
// one it replaces, as a property keeps its place when Node's setHeader
// assigns it again; with no such field it is appended.
func (t *Table) Set(name, value string) {
	m := matchName(name)
	i := t.next(m, 0)
	if i < 0 {
		t.AddString(name, value)
		return
	}
	t.fields[i] = ownField(t, name, value)
	t.delFrom(m, i+1)
}

// noCopy makes go vet's copylocks check report a Table copied by value: the
// copy would share its field array with the original, and appends to either
// would corrupt the other.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// Limits on what a pooled Table keeps: one request with huge headers should
// not pin its buffers in the pool for ever.
const (
	maxPooledOwn    = 64 << 10
	maxPooledFields = 1024
)

var tablePool = sync.Pool{New: func() any { return new(Table) }}

// Acquire returns an empty Table from a pool. Safe from any goroutine.
func Acquire() *Table { return tablePool.Get().(*Table) }

// Release empties t and returns it to the pool that Acquire draws from.
// Neither t nor any view taken from it may be used afterwards. Safe from any
// goroutine.
func Release(t *Table) {
	if cap(t.own) > maxPooledOwn {
		t.own = nil
	}
	if cap(t.fields) > maxPooledFields {
		t.fields = nil
	}
	t.Reset(nil) // drops the base buffer too, so the pool does not pin it
	tablePool.Put(t)
}

package headers

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
func (t *Table) AddSpan(name, value Span, id ID) {
	t.fields = append(t.fields, Field{Name: name, Value: value, ID: id})
}

// Add appends a field, copying name and value into bytes the table owns.
func (t *Table) Add(name, value []byte) {
	n := MakeSpan(len(t.own), len(t.own)+len(name))
	t.own = append(t.own, name...)
	v := MakeSpan(len(t.own), len(t.own)+len(value))
	t.own = append(t.own, value...)
	t.fields = append(t.fields, Field{Name: n, Value: v, ID: LookupID(name), owned: true})
}

// AddString is Add for strings.
func (t *Table) AddString(name, value string) {
	n := MakeSpan(len(t.own), len(t.own)+len(name))
	t.own = append(t.own, name...)
	v := MakeSpan(len(t.own), len(t.own)+len(value))
	t.own = append(t.own, value...)
	t.fields = append(t.fields, Field{Name: n, Value: v, ID: LookupID(t.own[n.Off:n.End()]), owned: true})
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

package headers

// AppendTo appends every field of t to dst as "Name: value\r\n", in order,
// and returns the extended slice. It does not allocate when dst has room for
// WireLen bytes. It does not validate: outgoing names and values must have
// passed ValidateName and ValidateValue when they were set.
func (t *Table) AppendTo(dst []byte) []byte {
	for i := range t.fields {
		dst = t.AppendLine(dst, i)
	}
	return dst
}

// AppendLine appends the i'th field as "Name: value\r\n". A field added by
// copy is stored in that form and goes out as one copy.
func (t *Table) AppendLine(dst []byte, i int) []byte {
	f := &t.fields[i]
	if f.owned {
		return append(dst, t.own[f.Name.Off:f.Value.End()+2]...)
	}
	return AppendField(dst, f.Name.In(t.base), f.Value.In(t.base))
}

// WireLen returns the number of bytes AppendTo appends.
func (t *Table) WireLen() int {
	n := 0
	for i := range t.fields {
		n += int(t.fields[i].Name.Len) + len(": ") + int(t.fields[i].Value.Len) + len("\r\n")
	}
	return n
}

// AppendField appends one field as "name: value\r\n" and returns the extended slice.
func AppendField(dst, name, value []byte) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}

// Lines returns the fields of t as the "Name: value\r\n" lines they are
// stored as, when every field was added by copy and none was removed or
// replaced since the last Reset: the lines are then t's own bytes, in order.
// ok is false otherwise. A caller can compare the lines with an earlier
// table's to reuse work it did for identical fields.
func (t *Table) Lines() (lines []byte, ok bool) {
	off := uint32(0)
	for i := range t.fields {
		f := &t.fields[i]
		if !f.owned || f.Name.Off != off {
			return nil, false
		}
		off = f.Value.End() + uint32(len("\r\n"))
	}
	return t.own, int(off) == len(t.own)
}

package headers

// AppendTo appends every field of t to dst as "Name: value\r\n", in order,
// and returns the extended slice. It does not allocate when dst has room for
// WireLen bytes. It does not validate: outgoing names and values must have
// passed ValidateName and ValidateValue when they were set.
func (t *Table) AppendTo(dst []byte) []byte {
	for i := range t.fields {
		dst = AppendField(dst, t.Name(i), t.Value(i))
	}
	return dst
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

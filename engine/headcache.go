package engine

import "bytes"

// headCache keeps the last head built by appendHeadFields on a loop, with
// what it was built from, and that head completed with a Content-Length and
// the blank line. Reusing it replaces building a head (status and Date
// lines, a scan of the fields, a validation and a copy per field, the
// framing fields) with one compare of the field lines and one copy: ~400 of
// the ~2,200 instructions of a hello-world request (HotPath benchmark).
type headCache struct {
	gen       uint64 // dates.gen of the Date line in head; 0 when empty
	status    int
	noDate    bool
	closeConn bool   // the fields hold Connection: close
	lines     []byte // the field lines head was built from
	head      []byte // up to the framing fields
	length    int64  // the Content-Length in full; -1 when full is stale
	full      []byte // head, Content-Length: length, and the blank line
}

// refresh makes hc's head w's, rebuilding it unless w matches what it was
// built from. lines is w.hdr.Lines(); hc.closeConn then says whether the
// fields ask to close.
func (hc *headCache) refresh(w *Response, lines []byte) {
	if g := dates.gen.Load(); g != hc.gen || w.status != hc.status || w.noDate != hc.noDate || !bytes.Equal(lines, hc.lines) {
		hc.head, hc.closeConn = w.appendHeadFields(hc.head[:0])
		hc.lines = append(hc.lines[:0], lines...)
		hc.gen, hc.status, hc.noDate = g, w.status, w.noDate
		hc.length = -1
	}
}

// withLength returns the cached head completed for a body of n bytes.
func (hc *headCache) withLength(n int64) []byte {
	if n != hc.length {
		hc.full = append(hc.full[:0], hc.head...)
		hc.full = appendContentLength(hc.full, n)
		hc.full = append(hc.full, "\r\n"...)
		hc.length = n
	}
	return hc.full
}

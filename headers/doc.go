// Package headers holds HTTP header fields: a reusable table of fields that are
// either spans into a caller's buffer or bytes the table owns, ids for well-known
// names, case-insensitive lookup without allocation, Node.js's rules for merging
// duplicates, validation of outgoing names and values, and serialization.
//
// A span-backed field is a view: it is valid only while the buffer it points into
// is unchanged (for a parsed request, until the handler returns). Owned fields are
// valid until the table is reset.
//
// The package imports only the standard library; it knows nothing of sockets.
package headers

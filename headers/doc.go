// Package headers holds HTTP header fields: a reusable table of fields that are
// either spans into a caller's buffer or bytes the table owns, ids for well-known
// names, case-insensitive lookup without allocation, Node.js's rules for merging
// duplicates, validation of outgoing names and values, and serialization.
//
// A span-backed field is a view: it is valid only while the buffer it points into
// is unchanged (for a parsed request, until the handler returns). Owned fields are
// valid until the table is reset or released. Every []byte that a Table method
// returns is such a view; copy it to keep it longer.
//
// The life of a header field:
//
//  1. The parser finds a line "Name: value", calls LookupID on the name and
//     Table.AddSpan with the two spans and the id. Nothing is copied.
//  2. The engine reads fields by id (GetID, Count), which costs one byte
//     compare per field; handlers read them by name (Get, Next, Each).
//  3. The compat layer builds Node's message.headers with Merge and
//     headersDistinct with Distinct (these allocate), or one merged value
//     at a time with AppendMerged (this does not).
//  4. Outgoing fields are checked with ValidateName and ValidateValue, set
//     with Set or AddString (copied into the table) and written, in order,
//     with AppendTo.
//
// Every field's ID must be LookupID of its name: lookups trust it. Add,
// AddString and Set compute it; AddSpan takes it from the caller.
//
// Tables come from Acquire and go back with Release, or live inside a pooled
// struct and are reused with Reset. A Table is not safe for concurrent use.
//
// The package imports only the standard library; it knows nothing of sockets.
package headers

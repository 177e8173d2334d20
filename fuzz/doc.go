// Package fuzz holds coverage-guided fuzz targets for every parser entry point:
// request heads, response heads, chunked bodies, split feeding (the same input
// in random pieces must give the same result), the AVX2 path against the
// portable one, and a differential target against net/http's request parser.
//
// Run one with `go test -fuzz FuzzRequestHead ./fuzz/`, or all with `make fuzz`.
// Seeds come from testdata/fuzz/<target>/ and the f.Add calls.
package fuzz

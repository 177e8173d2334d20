// Package fuzz holds coverage-guided fuzz targets for every parser entry point:
// request heads, response heads, chunked bodies, split feeding (the same input
// in random pieces must give the same result), the AVX2 path against the
// portable one, and differential targets against net/http's parsers; and
// FuzzEngineConn, which feeds arbitrary bytes in arbitrary writes to one
// connection of an in-process engine server and checks that nothing panics,
// the output is bounded and is whole responses (an error reply last) in
// request order, every complete bodiless request gets exactly one, the
// server closes the connection once the input ends, and (under the
// invariants tag, as make fuzz runs it) the connection never holds more than
// its small limits allow.
//
// Run one with `go test -tags invariants -fuzz FuzzRequestHead
// -fuzzminimizetime 5s ./fuzz/`, or all with `make fuzz`; the invariants tag
// adds the parser's and the engine's own checks.
//
// # Seeds
//
// Every request target is seeded with corpus/req-*.http and every response
// target with corpus/resp-*.http, besides the parser's golden inputs
// (parse/testdata/golden) and the f.Add calls. A .http file is one or more
// raw messages exactly as sent, CRLFs included (printf 'GET / HTTP/1.1\r\n...'
// writes one; an editor may drop the CRs, which TestCorpusIsRaw catches).
// To add a seed, save it as corpus/req-<what>.http or corpus/resp-<what>.http.
//
// Crashers go to testdata/fuzz/<Target>/<id> in Go's own encoding and are
// rerun by `go test ./fuzz/`. To keep one as a readable seed:
//
//	ZEROHTTP_CRASHER=testdata/fuzz/FuzzEngineConn/<id> ZEROHTTP_HTTP=corpus/req-<what>.http \
//		go test -run TestCrasherToHTTP ./fuzz/
//
// (paths relative to this directory).
//
// # Fuzzing your own server or parser
//
// FuzzEngineConn fuzzes a server of yours, in any language, listening on
// loopback:
//
//	ZEROHTTP_FUZZ_ADDR=127.0.0.1:3000 go test -run '^$' -fuzz FuzzEngineConn -fuzztime 60s ./fuzz/
//
// Its replies must be whole responses and it must close the connection when
// the client half-closes. The server runs outside the fuzzer, so the search
// is not guided by its coverage; a Go handler is best fuzzed in process, as
// FuzzEngineConn does with engine.NewServer(handler, ...).
//
// A parser of your own can take the same seeds in its own fuzz target:
// read corpus/*.http (and parse/testdata/golden/*.http) with os.ReadFile and
// f.Add each; inside the repository, internal/seeds.Messages does that for
// this package and for the benchmarks module. The differentials against
// fasthttp's parser and Node's llhttp live in the benchmarks module, so
// fasthttp never enters this module's go.mod.
package fuzz

// Package benchmarks measures zerohttp against net/http, fasthttp, Node.js and a
// raw-gnet ceiling. It is its own module so that peers never become dependencies
// of the library. README.md says how to run each comparison and read its table.
//
// The package itself holds only tests and benchmarks, among them:
//
//   - parse_bench_test.go: BenchmarkParse/<corpus>/<impl>, one request head
//     parsed into usable form by each implementation, and a test that they
//     all agree on what they parsed.
//   - server_test.go: each server in cmd/server answers one GET.
//
// The server comparison is a set of commands:
//
//   - cmd/server: a hello-world server for one implementation, until killed.
//   - cmd/load: a load generator for 127.0.0.1 (keep-alive or pipelined).
//   - cmd/serverbench: runs each server and the load generator on their own
//     CPUs and prints throughput, latency, CPU and memory side by side.
//   - cmd/table: turns `go test -bench` output into markdown tables of medians
//     (and, with -svg, a bar chart).
//
// `make bench` in the repository root runs the parser and server comparisons.
package benchmarks

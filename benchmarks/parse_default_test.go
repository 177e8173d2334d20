//go:build !purego

package benchmarks

// zeroName names the zerohttp parser in benchmark results. Built with
// -tags purego, the parse package uses its portable classifier, and the
// benchmark reports it as zerohttp-portable (parse_purego_test.go); the parse
// package exports no switch for it, so `make bench` runs the benchmark twice.
const zeroName = "zerohttp"

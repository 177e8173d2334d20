//go:build purego

package benchmarks

// zeroName: with -tags purego the parse package has no assembly, so this is
// the portable (SWAR) path. See parse_default_test.go.
const zeroName = "zerohttp-portable"

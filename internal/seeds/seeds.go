// Package seeds loads the raw messages that seed the repository's fuzz
// targets, in this module and in the benchmarks module: fuzz/corpus/*.http
// and the parser's golden inputs, parse/testdata/golden/*.http. A .http file
// is one or more messages exactly as sent, CRLFs included.
package seeds

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// dirs are the seed directories, relative to the repository root.
var dirs = []string{"fuzz/corpus", "parse/testdata/golden"}

// Messages returns the contents of every seed file whose name starts with
// prefix ("req-" for request targets, "resp-" for response targets). The
// files are found from this source file's location, so a test in any
// package of either module gets the same set; it fails if there are none.
func Messages(prefix string) ([][]byte, error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(self) {
		return nil, errors.New("seeds: source location unknown (built with -trimpath?)")
	}
	root := filepath.Join(filepath.Dir(self), "..", "..")
	var out [][]byte
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(root, dir, prefix+"*.http"))
		if err != nil {
			return nil, err
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("seeds: no %s*.http files in %v", prefix, dirs)
	}
	return out, nil
}

package parse_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/parse"
	"github.com/zerohttp/zerohttp/parse/parsetest"
)

var update = flag.Bool("update", false, "rewrite the golden traces in testdata/golden")

// TestGolden parses each testdata/golden/*.http file and compares its event
// trace with the .golden file beside it. Each input is also fed at every split
// point and one byte at a time, which must give the same trace.
// The file name picks the mode: "req-" or "resp-" ("resp-head-" answers a HEAD
// request), and "lenient" anywhere selects Config.Lenient.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/golden/*.http")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, path := range inputs {
		name := strings.TrimSuffix(filepath.Base(path), ".http")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			mode, req := parse.Request, parse.MethodGET
			if strings.HasPrefix(name, "resp-") {
				mode = parse.Response
			}
			if strings.HasPrefix(name, "resp-head-") {
				req = parse.MethodHEAD
			}
			var cfg *parse.Config
			if strings.Contains(name, "lenient") {
				cfg = &parse.Config{Lenient: true}
			}
			got := parsetest.Trace(mode, cfg, req, in, nil)
			golden := strings.TrimSuffix(path, ".http") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Fatalf("trace of %s:\n%s\nwant:\n%s", path, got, want)
			}
			for cut := 1; cut < len(in); cut++ {
				if split := parsetest.Trace(mode, cfg, req, in, []int{cut}); split != got {
					t.Fatalf("split at %d:\n%s\nwant:\n%s", cut, split, got)
				}
			}
			if bytewise := parsetest.Trace(mode, cfg, req, in, parsetest.Every(len(in), len(in))); bytewise != got {
				t.Fatalf("byte by byte:\n%s\nwant:\n%s", bytewise, got)
			}
		})
	}
}

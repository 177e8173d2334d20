package compat

import (
	"os/exec"
	"strings"
	"testing"
)

// allowed lists, for each library package, the module packages and external
// modules it may depend on (directly or not). Import direction is one way:
// headers ← parse ← engine ← agentpool ← compat, and agentpool ← nethttp
// (STYLE.md §1).
var allowed = map[string][]string{
	"headers":   {},
	"parse":     {"headers", "github.com/klauspost/cpuid/v2", "golang.org/x/sys"}, // x/sys comes with cpuid
	"engine":    {"headers", "parse", "github.com/klauspost/cpuid/v2", "github.com/panjf2000/gnet/v2", "github.com/valyala/bytebufferpool", "github.com/panjf2000/ants/v2", "go.uber.org/", "golang.org/x/sys", "golang.org/x/sync", "gopkg.in/natefinch/lumberjack.v2"},
	"agentpool": {"headers", "parse", "engine", "github.com/klauspost/cpuid/v2", "github.com/panjf2000/gnet/v2", "github.com/valyala/bytebufferpool", "github.com/panjf2000/ants/v2", "go.uber.org/", "golang.org/x/sys", "golang.org/x/sync", "gopkg.in/natefinch/lumberjack.v2"},
	"compat":    {"headers", "parse", "engine", "agentpool", "github.com/klauspost/cpuid/v2", "github.com/panjf2000/gnet/v2", "github.com/valyala/bytebufferpool", "github.com/panjf2000/ants/v2", "go.uber.org/", "golang.org/x/sys", "golang.org/x/sync", "gopkg.in/natefinch/lumberjack.v2"},
	"nethttp":   {"headers", "parse", "engine", "agentpool", "github.com/klauspost/cpuid/v2", "github.com/panjf2000/gnet/v2", "github.com/valyala/bytebufferpool", "github.com/panjf2000/ants/v2", "go.uber.org/", "golang.org/x/sys", "golang.org/x/sync", "gopkg.in/natefinch/lumberjack.v2"}, // net/http is stdlib
}

const module = "github.com/zerohttp/zerohttp/"

func TestForbiddenImports(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	for pkg, allow := range allowed {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", module+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == module+pkg {
				continue
			}
			if !allowedDep(dep, allow) {
				t.Errorf("%s depends on %s, which it may not", pkg, dep)
			}
		}
	}
}

func allowedDep(dep string, allow []string) bool {
	for _, a := range allow {
		if strings.HasPrefix(a, "github.com/") || strings.Contains(a, ".") {
			if strings.HasPrefix(dep, a) {
				return true
			}
			continue
		}
		if dep == module+a {
			return true
		}
	}
	return false
}

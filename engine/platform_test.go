package engine

import (
	"runtime"
	"testing"
)

// requireLinux skips a test of a Linux-only feature on the development
// platforms (macOS, the BSDs), where platform_other.go documents how the
// feature degrades. Linux, the production target and CI's, runs every test.
func requireLinux(t *testing.T, feature string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skipf("%s is Linux-only (see platform_other.go)", feature)
	}
}

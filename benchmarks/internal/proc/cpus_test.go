package proc

import (
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseCPUs(t *testing.T) {
	last := runtime.NumCPU() - 1
	for _, tt := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"", nil, true},
		{"-1", nil, true},
		{"0", []int{0}, true},
		{"0-" + itoa(last), seq(last), true},
		{"0,0", []int{0}, true},
		{itoa(last + 1), nil, false},
		{"1-0", nil, false},
		{"a", nil, false},
		{"0,", nil, false},
	} {
		got, err := ParseCPUs(tt.in)
		if (err == nil) != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("ParseCPUs(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestStartPinnedSet checks that a child started on a CPU list is allowed
// on exactly those CPUs.
func TestStartPinnedSet(t *testing.T) {
	cpus := seq(min(runtime.NumCPU(), 2) - 1)
	out := new(strings.Builder)
	cmd := exec.Command("grep", "Cpus_allowed_list", "/proc/self/status")
	cmd.Stdout = out
	if err := StartPinned(cmd, cpus); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	want := "0"
	if len(cpus) == 2 {
		want = "0-1"
	}
	if got := strings.TrimSpace(strings.TrimPrefix(out.String(), "Cpus_allowed_list:")); got != want {
		t.Fatalf("child allowed on %q; want %q", got, want)
	}
}

func seq(last int) []int {
	var s []int
	for c := 0; c <= last; c++ {
		s = append(s, c)
	}
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }

// Package proc holds the process plumbing the benchmark commands share:
// starting a child pinned to a CPU, stopping it, waiting for it to listen,
// and reading its CPU time and memory from /proc. It acts only on processes
// the caller started, by PID, and only on loopback addresses.
package proc

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat. It is
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// StartPinned starts cmd with its CPU affinity set to cpus (none: unpinned).
// The child inherits the affinity of the thread that forks it, so this pins
// the calling thread for the duration of Start and then restores it; no
// external tool is needed. A Go child's GOMAXPROCS follows: len(cpus).
func StartPinned(cmd *exec.Cmd, cpus []int) error {
	if len(cpus) == 0 {
		return cmd.Start()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return err
	}
	for _, c := range cpus {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return err
	}
	defer unix.SchedSetaffinity(0, &old)
	return cmd.Start()
}

// ParseCPUs reads a CPU list as taskset and cpuset write it ("0", "0-3,6");
// "" or "-1" means unpinned (nil). Each CPU must exist on this machine.
func ParseCPUs(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-1" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a {
			return nil, fmt.Errorf("CPU list %q: bad entry %q", s, part)
		}
		for c := a; c <= b; c++ {
			if c >= runtime.NumCPU() {
				return nil, fmt.Errorf("CPU list %q: CPU %d: this machine has %d", s, c, runtime.NumCPU())
			}
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// FormatCPUs prints a CPU list as ParseCPUs reads it.
func FormatCPUs(cpus []int) string {
	if len(cpus) == 0 {
		return "any (unpinned)"
	}
	parts := make([]string, len(cpus))
	for i, c := range cpus {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ",")
}

// StopProcess sends SIGTERM to a process this program started and waits until
// exited is closed, then sends SIGKILL if it has not exited in time. It
// signals only that PID, and nothing once the process has been reaped.
func StopProcess(cmd *exec.Cmd, exited <-chan struct{}) {
	select {
	case <-exited:
		return
	default:
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
}

// WaitListening dials addr until it accepts or the timeout passes, failing
// early if the server exits (exited may be nil).
func WaitListening(addr string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited: // a nil channel never fires
			return errors.New("server exited before listening")
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("server not listening on %s after %v", addr, timeout)
}

// Serving returns the PIDs whose usage is charged to a server: the process
// itself, or, when it has started children (the node wrapper), only its
// Descendants, so that the idle Go wrapper does not count against Node.
func Serving(pid int) []int {
	desc := Descendants(pid)
	if len(desc) > 0 {
		return desc
	}
	return []int{pid}
}

// Descendants lists every process below pid, from /proc/PID/task/TID/children.
func Descendants(pid int) []int {
	var out []int
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
				out = append(out, Descendants(c)...)
			}
		}
	}
	return out
}

// CPUSeconds returns utime+stime of pids, in seconds.
func CPUSeconds(pids ...int) float64 {
	var ticks int64
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// The command name (field 2) may hold spaces; fields after its ')' are fixed.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		// f[0] is field 3 (state); utime and stime are fields 14 and 15.
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + s
	}
	return float64(ticks) / clockTicks
}

// MemKB returns the sum of a /proc/PID/status field (VmRSS, VmHWM) over pids, in KiB.
func MemKB(field string, pids ...int) int64 {
	var total int64
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(b)) {
			if rest, ok := strings.CutPrefix(line, field+":"); ok {
				f := strings.Fields(rest)
				if len(f) > 0 {
					n, _ := strconv.ParseInt(f[0], 10, 64)
					total += n
				}
			}
		}
	}
	return total
}

// FreeAddr returns a TCP address on 127.0.0.1 whose port was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// LoadAverage returns the 1-minute load average, or 0 if it cannot be read.
func LoadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

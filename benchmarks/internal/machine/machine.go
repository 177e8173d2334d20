// Package machine describes what a benchmark ran on: the CPU, the kernel,
// Go, and the versions of the peers it compared.
package machine

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// Machine describes what the figures were measured on.
type Machine struct {
	CPUModel string            `json:"cpu_model"`
	Cores    int               `json:"cores"`
	Kernel   string            `json:"kernel"`
	Go       string            `json:"go"`
	Peers    map[string]string `json:"peers"` // module or program: version
}

// Describe reads the CPU model and kernel from /proc, the peers' versions
// from the module lists of the given Go binaries, and node's version.
func Describe(bins ...string) Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), Peers: map[string]string{}}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	for _, bin := range bins {
		bi, err := buildinfo.ReadFile(bin)
		if err != nil {
			continue
		}
		for _, d := range bi.Deps {
			v := d.Version
			if d.Replace != nil {
				v = d.Replace.Version // "" for a local directory
			}
			if v == "" {
				v = "(local)"
			}
			m.Peers[d.Path] = v
		}
	}
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		m.Peers["node"] = strings.TrimSpace(string(out))
	}
	return m
}

// Line describes the machine in one sentence for a Markdown report.
func (m Machine) Line() string {
	s := fmt.Sprintf("Machine: %s, %d cores, Linux %s, %s", m.CPUModel, m.Cores, m.Kernel, m.Go)
	for _, p := range [][2]string{{"github.com/valyala/fasthttp", "fasthttp"}, {"github.com/lesismal/nbio", "nbio"},
		{"github.com/panjf2000/gnet/v2", "gnet"}, {"node", "node"}} {
		if v, ok := m.Peers[p[0]]; ok {
			s += fmt.Sprintf("; %s %s", p[1], v)
		}
	}
	return s + "."
}

package target

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Target is one server under test: a built-in implementation of cmd/server,
// a user's command that listens where it is told, or a user's server already
// listening on a loopback address.
type Target struct {
	Name string
	Impl string // built-in: the -impl of cmd/server
	Cmd  string // command: a shell command with {addr}, {host}, {port} and {cores} placeholders
	Addr string // address: a loopback host:port, resolved, already listening
}

// Parse reads a -target flag: "name=ADDR" for a server already listening on
// loopback (localhost, 127.0.0.0/8 or [::1]), or "name=CMD" for a command
// that serves on the address its {addr} (or {host} and {port}) placeholders
// are replaced with.
func Parse(s string) (Target, error) {
	name, spec, ok := strings.Cut(s, "=")
	name, spec = strings.TrimSpace(name), strings.TrimSpace(spec)
	if !ok || name == "" || spec == "" || strings.ContainsAny(name, ", \t") {
		return Target{}, fmt.Errorf("-target wants name=CMD or name=ADDR, got %q", s)
	}
	if strings.ContainsAny(spec, "{ \t") {
		if !strings.Contains(spec, "{addr}") && !strings.Contains(spec, "{port}") {
			return Target{}, fmt.Errorf("-target %s: the command must say where to listen with {addr} or {port}: %q", name, spec)
		}
		return Target{Name: name, Cmd: spec}, nil
	}
	addr, err := Loopback(spec)
	if err != nil {
		return Target{}, fmt.Errorf("-target %s: %v", name, err)
	}
	return Target{Name: name, Addr: addr}, nil
}

// Builtin returns the target for a cmd/server implementation.
func Builtin(impl string) Target { return Target{Name: impl, Impl: impl} }

// Kind names how the target is run: builtin, command or address.
func (t Target) Kind() string {
	switch {
	case t.Cmd != "":
		return "command"
	case t.Addr != "":
		return "address"
	}
	return "builtin"
}

// Command returns the shell command that runs t on addr with cores loops or
// threads, in its own process group so that it and its children can be
// stopped together by its PID. GOMAXPROCS is set to cores as well.
func (t Target) Command(addr string, cores int) *exec.Cmd {
	host, port, _ := net.SplitHostPort(addr)
	r := strings.NewReplacer("{addr}", addr, "{host}", host, "{port}", port, "{cores}", strconv.Itoa(cores))
	cmd := exec.Command("/bin/sh", "-c", r.Replace(t.Cmd))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(cores))
	return cmd
}

// Loopback checks that addr ("host:port") is on this machine's loopback
// interface and returns it with the host as an IP literal. It accepts
// localhost (when it resolves only to loopback), 127.0.0.0/8 and [::1], and
// refuses anything else: these tools must never send load elsewhere.
func Loopback(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return "", fmt.Errorf("bad port in %q", addr)
	}
	if host == "localhost" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil || len(ips) == 0 {
			return "", fmt.Errorf("localhost does not resolve: %v", err)
		}
		chosen := netip.Addr{}
		for _, ip := range ips {
			ip = ip.Unmap()
			if !ip.IsLoopback() {
				return "", fmt.Errorf("localhost resolves to %v, which is not loopback", ip)
			}
			if !chosen.IsValid() || (ip.Is4() && !chosen.Is4()) {
				chosen = ip // prefer IPv4, as most servers listen there first
			}
		}
		return net.JoinHostPort(chosen.String(), port), nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" || !ip.Unmap().IsLoopback() {
		return "", fmt.Errorf("host must be localhost, 127.0.0.0/8 or [::1], not %q", host)
	}
	return net.JoinHostPort(ip.Unmap().String(), port), nil
}

// FlagVar registers the repeatable -target flag on fs, appending each
// target to *ts and refusing a name given twice.
func FlagVar(fs *flag.FlagSet, ts *[]Target) {
	fs.Func("target", "a server of your own, name=ADDR (already listening on loopback) or name=CMD (a shell command with {addr} or {host} and {port}, and {cores}); repeatable", func(s string) error {
		t, err := Parse(s)
		if err != nil {
			return err
		}
		for _, x := range *ts {
			if x.Name == t.Name {
				return fmt.Errorf("-target %s given twice", t.Name)
			}
		}
		*ts = append(*ts, t)
		return nil
	})
}

package proc

import (
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseProcAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0100007F:1F90":                         "127.0.0.1:8080",
		"00000000:0050":                         "0.0.0.0:80",
		"00000000000000000000000001000000:0050": "[::1]:80",
	} {
		got, err := parseProcAddr(in)
		if err != nil || got != netip.MustParseAddrPort(want) {
			t.Errorf("parseProcAddr(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	if _, err := parseProcAddr("0100007F"); err == nil {
		t.Error("parseProcAddr accepted an address without a port")
	}
}

// TestListenerPID finds this process behind its own listening sockets, v4 and v6.
func TestListenerPID(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6"} {
		host := "127.0.0.1"
		if network == "tcp6" {
			host = "[::1]"
		}
		ln, err := net.Listen(network, host+":0")
		if err != nil {
			t.Logf("%s: %v", network, err)
			continue
		}
		defer ln.Close()
		pid, err := ListenerPID(ln.Addr().String())
		if err != nil || pid != os.Getpid() {
			t.Errorf("ListenerPID(%s) = %d, %v; want %d", ln.Addr(), pid, err, os.Getpid())
		}
	}
	free, _ := FreeAddr()
	if pid, err := ListenerPID(free); err == nil {
		t.Errorf("ListenerPID(%s) = %d with nothing listening; want an error", free, pid)
	}
}

// TestStopGroup stops a shell and the child it started in the background,
// which signalling the shell's PID alone would leave running.
func TestStopGroup(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "sleep 30 & echo $!; wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var line [32]byte
	n, _ := out.Read(line[:])
	child, err := strconv.Atoi(strings.TrimSpace(string(line[:n])))
	if err != nil {
		t.Fatalf("child pid %q: %v", line[:n], err)
	}
	go func() { cmd.Wait(); close(exited) }()
	StopGroup(cmd, exited)
	// The child was reparented when the shell died; wait for it to go.
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(child, 0) == nil {
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(child) + "/stat"); strings.Contains(string(b), ") Z ") {
			break // a zombie: dead, awaiting its new parent's wait
		}
		if time.Now().After(deadline) {
			syscall.Kill(child, syscall.SIGKILL)
			t.Fatalf("child %d of the stopped group still runs", child)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

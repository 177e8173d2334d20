package proc

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// StopGroup stops a process this program started in its own process group
// (Setpgid) together with the children it started: SIGTERM to the group,
// SIGKILL after 5 seconds. The group's ID is the started process's PID.
func StopGroup(cmd *exec.Cmd, exited <-chan struct{}) {
	select {
	case <-exited:
		// The leader is gone; children it left in the group may not be.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		return
	default:
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
}

// ListenerPID returns the process listening on the TCP address addr (an IP
// literal and port), found from /proc/net/tcp{,6} and the socket descriptors
// under /proc/PID/fd that this user may read, so that a server the caller did
// not start can have its CPU time and memory read.
func ListenerPID(addr string) (int, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return 0, err
	}
	inode := ""
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if inode, err = listeningInode(table, ap); err == nil && inode != "" {
			break
		}
	}
	if inode == "" {
		return 0, fmt.Errorf("no listening socket for %s in /proc/net", addr)
	}
	want := "socket:[" + inode + "]"
	dirs, _ := filepath.Glob("/proc/[0-9]*/fd")
	for _, d := range dirs {
		fds, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if l, err := os.Readlink(filepath.Join(d, fd.Name())); err == nil && l == want {
				return strconv.Atoi(filepath.Base(filepath.Dir(d)))
			}
		}
	}
	return 0, errors.New("the listening process is not readable by this user")
}

// listeningInode finds the inode of the socket in state LISTEN (0A) bound to
// ap, or to the wildcard address of ap's family on ap's port.
func listeningInode(table string, ap netip.AddrPort) (string, error) {
	f, err := os.Open(table)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		fl := strings.Fields(sc.Text())
		if len(fl) < 10 || fl[3] != "0A" {
			continue
		}
		local, err := parseProcAddr(fl[1])
		if err != nil || local.Port() != ap.Port() {
			continue
		}
		if l := local.Addr().Unmap(); l == ap.Addr() || l.IsUnspecified() {
			return fl[9], nil
		}
	}
	return "", sc.Err()
}

// parseProcAddr reads /proc/net/tcp's "0100007F:1F90": the address as 32-bit
// words in host (little-endian) order, then the port in hex.
func parseProcAddr(s string) (netip.AddrPort, error) {
	h, p, ok := strings.Cut(s, ":")
	port, err := strconv.ParseUint(p, 16, 16)
	if !ok || err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	b, err := hex.DecodeString(h)
	if err != nil || (len(b) != 4 && len(b) != 16) {
		return netip.AddrPort{}, fmt.Errorf("bad address %q", s)
	}
	for i := 0; i < len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.AddrPortFrom(a, uint16(port)), nil
}

package compat

import (
	"net"
	"testing"
)

// TestIPString checks the interned text against net.IP.String, for both
// forms of IPv4 addresses and for more addresses than the table holds.
func TestIPString(t *testing.T) {
	ips := []net.IP{
		net.IPv4(127, 0, 0, 1), net.IPv4(127, 0, 0, 1).To4(), net.IPv6loopback,
		net.ParseIP("2001:db8::1"), net.ParseIP("::ffff:10.0.0.1"), net.IPv4zero, net.IPv6zero, {1, 2, 3},
	}
	for i := 0; i < 200; i++ {
		ips = append(ips, net.IPv4(10, 0, byte(i/256), byte(i)), net.ParseIP("fe80::").To16())
		ips[len(ips)-1][15] = byte(i)
	}
	for round := 0; round < 2; round++ {
		for _, ip := range ips {
			if got, want := ipString(ip), ip.String(); got != want {
				t.Fatalf("ipString(%v) = %q; want %q", []byte(ip), got, want)
			}
		}
	}
}

package main

import (
	"strings"
	"testing"
)

func TestBucketRoundTrip(t *testing.T) {
	for _, v := range []uint64{0, 1, 31, 63, 64, 65, 100, 1000, 12345, 1e6, 3e9, 1 << 62} {
		mid := bucketMid(bucket(v))
		if d := float64(mid) - float64(v); d*d > (0.04*float64(v))*(0.04*float64(v))+1 {
			t.Errorf("bucketMid(bucket(%d)) = %d; want within 4%%", v, mid)
		}
	}
	for v := uint64(1); v < 1<<20; v = v*3/2 + 1 {
		if bucket(v) < bucket(v-1) {
			t.Fatalf("bucket(%d) = %d < bucket(%d) = %d", v, bucket(v), v-1, bucket(v-1))
		}
	}
}

func TestQuantile(t *testing.T) {
	var h histogram
	for i := 1; i <= 100; i++ {
		h.record(int64(i) * 1000)
	}
	if p50 := h.quantile(0.5); p50 < 48000 || p50 > 52000 {
		t.Errorf("p50 = %d; want about 50000", p50)
	}
	if p99 := h.quantile(0.99); p99 < 96000 || p99 > 102000 {
		t.Errorf("p99 = %d; want about 99000", p99)
	}
}

const resp = "HTTP/1.1 200 OK\r\nDate: x\r\ncontent-length: 13\r\n\r\nHello, World!"

// TestRespCounter feeds three responses at every split point.
func TestRespCounter(t *testing.T) {
	stream := strings.Repeat(resp, 3)
	for cut := range len(stream) {
		rc := newRespCounter(1024)
		total := 0
		for _, part := range []string{stream[:cut], stream[cut:]} {
			buf, err := rc.space()
			if err != nil {
				t.Fatal(err)
			}
			n, err := rc.add(copy(buf, part))
			if err != nil {
				t.Fatalf("cut %d: %v", cut, err)
			}
			total += n
		}
		if total != 3 {
			t.Errorf("cut %d: counted %d responses; want 3", cut, total)
		}
	}
}

func TestRespCounterNoLength(t *testing.T) {
	rc := newRespCounter(1024)
	buf, _ := rc.space()
	if _, err := rc.add(copy(buf, "HTTP/1.1 200 OK\r\n\r\n")); err != errNoLength {
		t.Errorf("err = %v; want errNoLength", err)
	}
}

func TestCheckAddr(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:80": true, "10.0.0.1:80": false, "example.com:80": false, "localhost:80": false} {
		if err := checkAddr(addr); (err == nil) != ok {
			t.Errorf("checkAddr(%q) = %v; want ok %v", addr, err, ok)
		}
	}
}

// TestRespCounterShapes mixes responses of other lengths and heads, so that
// the shortcut for a response shaped like the last one must step aside.
func TestRespCounterShapes(t *testing.T) {
	other := "HTTP/1.1 200 OK\r\nDate: xy\r\ncontent-length: 12\r\n\r\nHello, World"
	long := "HTTP/1.1 200 OK\r\nDate: x\r\ncontent-length: 20\r\n\r\nHello, World!1234567"
	stream := resp + resp + other + resp + long + long + resp
	for cut := range len(stream) {
		rc := newRespCounter(1024)
		total := 0
		for _, part := range []string{stream[:cut], stream[cut:]} {
			buf, _ := rc.space()
			n, err := rc.add(copy(buf, part))
			if err != nil {
				t.Fatalf("cut %d: %v", cut, err)
			}
			total += n
		}
		if total != 7 || rc.r != rc.w {
			t.Errorf("cut %d: counted %d responses, %d bytes left; want 7, 0", cut, total, rc.w-rc.r)
		}
	}
}

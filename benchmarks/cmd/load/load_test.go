package main

import (
	"strings"
	"testing"
)

var want200 = expectation{status: 200}

const resp = "HTTP/1.1 200 OK\r\nDate: x\r\ncontent-length: 13\r\n\r\nHello, World!"

// TestRespCounter feeds three responses at every split point.
func TestRespCounter(t *testing.T) {
	stream := strings.Repeat(resp, 3)
	for cut := range len(stream) {
		rc := newRespCounter(1024, want200)
		total := 0
		for _, part := range []string{stream[:cut], stream[cut:]} {
			buf, err := rc.space()
			if err != nil {
				t.Fatal(err)
			}
			n, bad, err := rc.add(copy(buf, part))
			if err != nil || bad != 0 {
				t.Fatalf("cut %d: %v, %d bad", cut, err, bad)
			}
			total += n
		}
		if total != 3 {
			t.Errorf("cut %d: counted %d responses; want 3", cut, total)
		}
	}
}

func TestRespCounterNoLength(t *testing.T) {
	rc := newRespCounter(1024, want200)
	buf, _ := rc.space()
	if _, _, err := rc.add(copy(buf, "HTTP/1.1 200 OK\r\n\r\n")); err != errNoLength {
		t.Errorf("err = %v; want errNoLength", err)
	}
}

// TestRespCounterShapes mixes responses of other lengths and heads, so that
// the shortcut for a response shaped like the last one must step aside.
func TestRespCounterShapes(t *testing.T) {
	other := "HTTP/1.1 200 OK\r\nDate: xy\r\ncontent-length: 12\r\n\r\nHello, World"
	long := "HTTP/1.1 200 OK\r\nDate: x\r\ncontent-length: 20\r\n\r\nHello, World!1234567"
	stream := resp + resp + other + resp + long + long + resp
	for cut := range len(stream) {
		rc := newRespCounter(1024, want200)
		total := 0
		for _, part := range []string{stream[:cut], stream[cut:]} {
			buf, _ := rc.space()
			n, bad, err := rc.add(copy(buf, part))
			if err != nil || bad != 0 {
				t.Fatalf("cut %d: %v, %d bad", cut, err, bad)
			}
			total += n
		}
		if total != 7 || rc.r != rc.w {
			t.Errorf("cut %d: counted %d responses, %d bytes left; want 7, 0", cut, total, rc.w-rc.r)
		}
	}
}

// TestRespCounterExpect mixes expected replies with other statuses, a wrong
// body, chunked bodies and an interim 100, at every split point: each reply
// is counted once, as expected or bad, and the first bad one is kept.
func TestRespCounterExpect(t *testing.T) {
	notFound := "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"
	wrongBody := "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, Wrold!"
	chunked := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n8;x=y\r\n, World!\r\n0\r\nT: 1\r\n\r\n"
	interim := "HTTP/1.1 100 Continue\r\n\r\n"
	stream := resp + notFound + interim + resp + wrongBody + chunked + chunked + notFound + resp
	want := expectation{status: 200, body: []byte("Hello, World!"), checkBody: true}
	for cut := range len(stream) {
		rc := newRespCounter(1024, want)
		ok, bad := 0, 0
		for _, part := range []string{stream[:cut], stream[cut:]} {
			buf, _ := rc.space()
			n, b, err := rc.add(copy(buf, part))
			if err != nil {
				t.Fatalf("cut %d: %v", cut, err)
			}
			ok, bad = ok+n, bad+b
		}
		if ok != 5 || bad != 3 || rc.r != rc.w {
			t.Fatalf("cut %d: %d ok, %d bad, %d bytes left; want 5, 3, 0", cut, ok, bad, rc.w-rc.r)
		}
		if rc.badStatus[404] != 2 || rc.badStatus[200] != 1 {
			t.Fatalf("cut %d: bad by status 404: %d, 200: %d; want 2, 1", cut, rc.badStatus[404], rc.badStatus[200])
		}
		if got := string(rc.badFirst[:rc.badLen]); got != notFound {
			t.Fatalf("cut %d: first bad reply %q; want %q", cut, got, notFound)
		}
	}
}

// TestRespCounterHead counts replies to HEAD by their heads alone.
func TestRespCounterHead(t *testing.T) {
	rc := newRespCounter(1024, expectation{status: 200, noBody: true})
	buf, _ := rc.space()
	one := "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n"
	ok, bad, err := rc.add(copy(buf, one+one+one))
	if err != nil || ok != 3 || bad != 0 {
		t.Fatalf("add = %d, %d, %v; want 3, 0, nil", ok, bad, err)
	}
}

package main

import "testing"

func TestMedianRun(t *testing.T) {
	rs := []result{
		{Impl: "a", Reqs: 300, CPU: 1}, // 300 per CPU-s
		{Impl: "b", Reqs: 100, CPU: 1}, // 100
		{Impl: "c", Reqs: 400, CPU: 2}, // 200
	}
	if got := medianRun(rs); got.Impl != "c" {
		t.Fatalf("medianRun picked %q; want the 200 req/CPU-s run %q", got.Impl, "c")
	}
	if got := medianRun(rs[:1]); got.Impl != "a" {
		t.Fatalf("one run: got %q", got.Impl)
	}
	if rs[0].Impl != "a" || rs[1].Impl != "b" {
		t.Fatal("medianRun reordered its input")
	}
}

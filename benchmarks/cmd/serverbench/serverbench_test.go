package main

import (
	"os"
	"testing"

	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
)

func TestParseWrk(t *testing.T) {
	out := `Running 3s test @ http://127.0.0.1:8080/hello
  1 threads and 64 connections
  Latency Distribution
     50%  245.00us
     75%  400.00us
     90%  800.00us
     99%    1.03ms
  300000 requests in 3.00s, 40.00MB read
Requests/sec: 100000.50
Transfer/sec:     13.33MB
`
	res, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if res.RPS != 100000.50 || res.P50us != 245 || res.P99us != 1030 {
		t.Errorf("parseWrk = %+v; want rps 100000.5, p50 245, p99 1030", res)
	}
	if _, err := parseWrk("  Non-2xx or 3xx responses: 12\nRequests/sec: 5.0\n"); err == nil {
		t.Error("parseWrk accepted non-2xx responses")
	}
}

// TestProcSelf reads this process's own CPU time and memory from /proc.
func TestProcSelf(t *testing.T) {
	pids := []int{os.Getpid()}
	if kb := proc.MemKB("VmRSS", pids...); kb <= 0 {
		t.Errorf("memKB(self, VmRSS) = %d; want > 0", kb)
	}
	if kb := proc.MemKB("VmHWM", pids...); kb <= 0 {
		t.Errorf("memKB(self, VmHWM) = %d; want > 0", kb)
	}
	if s := proc.CPUSeconds(pids...); s < 0 {
		t.Errorf("proc.CPUSeconds(self...) = %v; want >= 0", s)
	}
	if got := proc.Serving(os.Getpid()); len(got) != 1 || got[0] != os.Getpid() {
		t.Errorf("proc.Serving(self) = %v; want just self", got)
	}
}

func TestMedianRun(t *testing.T) {
	rounds := []run{{rps: 10, perCPU: 1}, {skip: "boom"}, {rps: 30, perCPU: 3}, {rps: 20, perCPU: 2}}
	r := medianRun(rounds, run{impl: "x"})
	if r.skip != "" || r.rps != 20 || r.perCPU != 2 || r.rounds != 3 {
		t.Errorf("medianRun = %+v; want rps 20, perCPU 2, 3 rounds, no skip", r)
	}
	if r := medianRun([]run{{skip: "boom"}}, run{}); r.skip != "boom" {
		t.Errorf("medianRun(all failed).skip = %q; want boom", r.skip)
	}
}

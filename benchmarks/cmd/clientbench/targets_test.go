package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zerohttp/zerohttp/benchmarks/internal/target/targettest"
)

// TestHelperServer is the user's server of TestUserTargets' command target.
func TestHelperServer(t *testing.T) { targettest.ServeIfAsked(http.HandlerFunc(answer)) }

// answer is a user's service: 201 with "made" for POST /api with the header
// X-Test: yes and the body {}, 404 otherwise, so that a client sending
// anything but the user's request fails the expectation.
func answer(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	if r.Method == "POST" && r.URL.Path == "/api" && r.Header.Get("X-Test") == "yes" && string(b) == "{}" {
		w.WriteHeader(201)
		w.Write([]byte("made"))
		return
	}
	http.NotFound(w, r)
}

// TestUserTargets runs clientbench as a user would, every client against a
// user's command and a user's address with the user's request: each client
// must be measured in every round against both (with the servers' CPU
// time), and the results must be in the tables and in the JSON, CSV and SVG
// exports. A wrong expectation must fail the rounds, show the bad reply and
// exit 1; an address off loopback is refused.
func TestUserTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs clientbench")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "clientbench")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building clientbench: %v\n%s", err, out)
	}
	srvAddr := targettest.Listen(t, http.HandlerFunc(answer))
	impls := []string{"zerohttp", "zerohttp-send", "zerohttp-agent", "zerohttp-pipelined", "compat", "fasthttp", "nethttp", "bridge"}
	if _, err := exec.LookPath("node"); err == nil {
		impls = append(impls, "node")
	}
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, append([]string{"-duration", "150ms", "-warmup", "50ms", "-conns", "2", "-depth", "2",
			"-server-cpus", "-1", "-client-cpus", "-1", "-method", "POST", "-path", "/api", "-header", "X-Test: yes", "-body", "{}"}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		t.Logf("clientbench %s:\n%s\n%s", strings.Join(args, " "), out, stderr.String())
		return string(out), cmd.ProcessState.ExitCode()
	}

	jsonPath, csvPath, svgPath := filepath.Join(dir, "c.json"), filepath.Join(dir, "c.csv"), filepath.Join(dir, "c.svg")
	md, code := run("-target", targettest.Command(t, "cmd", "TestHelperServer"), "-target", "addr="+srvAddr,
		"-impls", strings.Join(impls, ","), "-expect-status", "201", "-expect-body", "made", "-rounds", "2",
		"-json", jsonPath, "-csv", csvPath, "-svg", svgPath)
	if code != 0 {
		t.Fatalf("exit status %d; want 0", code)
	}
	for _, want := range []string{"### server cmd: your command", "### server addr: your address", "request POST /api, X-Test: yes, 2-byte body; expecting 201 with body \"made\""} {
		if !strings.Contains(md, want) {
			t.Errorf("tables lack %q", want)
		}
	}
	for _, impl := range impls {
		if n := strings.Count(md, "| "+impl+" | 2 | "); n != 2 {
			t.Errorf("%s has %d rows with 2 rounds; want one per target", impl, n)
		}
	}
	var rep report
	b, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != 2*len(impls) || rep.Machine.Cores == 0 || rep.Machine.Peers["github.com/valyala/fasthttp"] == "" {
		t.Errorf("JSON: %d runs, machine %+v; want %d runs and the machine with fasthttp's version", len(rep.Runs), rep.Machine, 2*len(impls))
	}
	for _, s := range rep.Runs {
		if len(s.Rounds) != 2 || s.PerCPU.N != 2 || s.ServerCPU.Median <= 0 {
			t.Errorf("JSON: %s → %s: %+v; want 2 rounds measured with the server's CPU", s.Client, s.Target, s)
		}
		for _, r := range s.Rounds {
			if r.Skip != "" || r.Reqs <= 0 || r.Errs != 0 {
				t.Errorf("JSON: %s → %s round %d: %+v", s.Client, s.Target, r.Round, r)
			}
			if r.P50us <= 0 || r.P90us < r.P50us || r.P99us < r.P90us || r.MaxUs < r.P99us || r.Lat != nil {
				t.Errorf("JSON: %s → %s round %d: latency µs %v / %v / %v / %v (histogram %v); want 0 < p50 <= p90 <= p99 <= max and no histogram",
					s.Client, s.Target, r.Round, r.P50us, r.P90us, r.P99us, r.MaxUs, r.Lat)
			}
		}
		if s.P50.N != 2 || s.Max.N != 2 {
			t.Errorf("JSON: %s → %s: latency spreads over %d and %d rounds; want 2", s.Client, s.Target, s.P50.N, s.Max.N)
		}
	}
	if b, _ := os.ReadFile(csvPath); strings.Count(string(b), "\n") != 1+2*2*len(impls) || !strings.Contains(string(b), ",p50_us,p90_us,p99_us,max_us,") {
		t.Errorf("CSV has %d lines; want a header with the latency columns and %d rounds:\n%s", strings.Count(string(b), "\n"), 2*2*len(impls), b)
	}
	if strings.Contains(md, "| – |\n") || !strings.Contains(md, "latency µs p50 / p90 / p99 / max |") {
		t.Errorf("a client's latency cell is empty, or the column is missing")
	}
	svg, _ := os.ReadFile(svgPath)
	for _, want := range []string{"server cmd: requests per client CPU-second", "server addr: requests per second", ">zerohttp-pipelined<", `fill="#1b9e77"`, "<path",
		"server addr: latency p50 and p99 in µs", ">zerohttp p50<", ">" + impls[len(impls)-1] + " p99<"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("plot lacks %q", want)
		}
	}

	// A wrong expectation: every round fails, showing the reply.
	md, code = run("-target", "addr="+srvAddr, "-impls", "zerohttp,"+impls[len(impls)-1], "-expect-status", "200", "-rounds", "1")
	if code != 1 || !strings.Contains(md, "Failed rounds:") || strings.Count(md, "first bad reply: status 201") != 2 {
		t.Errorf("expecting 200 from a 201 service: exit status %d; want 1 and both rounds failed with the reply shown", code)
	}
	// Only loopback.
	if _, code := run("-target", "far=192.0.2.1:80"); code != 2 {
		t.Errorf("an address off loopback: exit status %d; want 2 (refused)", code)
	}
}

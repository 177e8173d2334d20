package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zerohttp/zerohttp/benchmarks/internal/machine"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target"
	"github.com/zerohttp/zerohttp/benchmarks/internal/target/targettest"
)

// TestHelperServer is the user's server of TestUserTargets' command target.
func TestHelperServer(t *testing.T) { targettest.ServeIfAsked(http.HandlerFunc(answer)) }

// answer is a user's service: 201 with "made" at POST /api, 404 elsewhere.
func answer(w http.ResponseWriter, r *http.Request) {
	if r.Method == "POST" && r.URL.Path == "/api" {
		w.WriteHeader(201)
		w.Write([]byte("made"))
		return
	}
	http.NotFound(w, r)
}

// TestUserTargets runs serverbench's rounds against a user's command and a
// user's address, with the user's request: both must be measured in every
// round, with the server's CPU time found (the address by its listening
// socket), the command stopped afterwards, and the results in the tables and
// the JSON and CSV exports. A wrong expectation must fail every round.
func TestUserTargets(t *testing.T) {
	dir := t.TempDir()
	b := exec.Command("go", "build", "-o", filepath.Join(dir, "load"), "../load")
	if out, err := b.CombinedOutput(); err != nil {
		t.Fatalf("building cmd/load: %v\n%s", err, out)
	}
	srvAddr := targettest.Listen(t, http.HandlerFunc(answer))

	cmdT, err := target.Parse(targettest.Command(t, "cmd", "TestHelperServer"))
	if err != nil {
		t.Fatal(err)
	}
	addrT, err := target.Parse("addr=" + srvAddr)
	if err != nil {
		t.Fatal(err)
	}
	req := target.Request{Method: "POST", Path: "/api", Body: "{}", Status: 201, ExpectBody: "made", CheckBody: true}
	o := options{dir: dir, req: req, duration: 200 * time.Millisecond, warmup: 50 * time.Millisecond, rounds: 2, loader: "builtin", cpus: [2][]int{}}
	saved := modes
	defer func() { modes = saved }()
	modes = []mode{{"keepalive", 4, 1}, {"pipeline", 4, 4}}

	results := benchAll(o, []target.Target{cmdT, addrT})
	if len(results) != 4 {
		t.Fatalf("%d results; want 4", len(results))
	}
	for _, r := range results {
		if r.median.skip != "" || len(r.rounds) != 2 || r.median.rps <= 0 {
			t.Errorf("%s %s: %+v; want 2 rounds measured", r.target.Name, r.mode, r)
		}
		if r.median.perCPU <= 0 {
			t.Errorf("%s %s: no server CPU time", r.target.Name, r.mode)
		}
	}
	var md bytes.Buffer
	writeRuns(&md, results, "pipeline", []string{"addr"})
	for _, want := range []string{"| cmd | 2 |", "| addr | 2 |", "÷ addr (min–max)", "1.00 (1.00–1.00)"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, md.String())
		}
	}
	var svg bytes.Buffer
	writeSVG(&svg, results, "cmd")
	for _, want := range []string{"pipeline: requests per server CPU-second", ">cmd p99<", ">addr<", `fill="#1b9e77"`, "<path"} {
		if !strings.Contains(svg.String(), want) {
			t.Errorf("plot lacks %q:\n%s", want, svg.String())
		}
	}
	rep := report{Machine: machine.Machine{CPUModel: "x", Cores: 2}}
	rep.fill(results, nil)
	var js, cs bytes.Buffer
	rep.writeJSON(&js)
	rep.writeCSV(&cs)
	var back report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Runs) != 4 || len(back.Runs[0].Rounds) != 2 || back.Runs[3].Kind != "address" {
		t.Errorf("JSON export does not read back with 4 runs of 2 rounds: %v\n%s", err, js.String())
	}
	if lines := strings.Count(cs.String(), "\n"); lines != 1+4*2 {
		t.Errorf("CSV has %d lines; want a header and 8 rounds:\n%s", lines, cs.String())
	}

	// Scaling: the cmd target once per core count, on 1..2 of CPUs 0-1
	// (1 on a 1-CPU machine), with a req per CPU-s figure for each.
	so := o
	so.rounds = 1
	so.cpus[0] = []int{0, 1}[:min(2, runtime.NumCPU())]
	runs := benchScaling(so, []target.Target{cmdT})
	if len(runs) != len(so.cpus[0]) {
		t.Fatalf("%d scaling runs; want %d", len(runs), len(so.cpus[0]))
	}
	md.Reset()
	writeScaling(&md, runs, "keepalive")
	for k, r := range runs {
		if r.cores != k+1 || len(r.results) != 2 || r.results[0].median.perCPU <= 0 {
			t.Errorf("scaling run %d: %d cores, %+v; want %d cores and a req per CPU-s figure", k, r.cores, r.results, k+1)
		}
	}
	if rows := strings.Split(strings.TrimSpace(md.String()), "\n"); len(rows) != 3 || !strings.HasPrefix(rows[2], "| cmd | ") ||
		strings.Count(rows[2], "%") != len(runs) || !strings.Contains(rows[0], "1 core:") {
		t.Errorf("scaling table:\n%s", md.String())
	}

	// A wrong expectation: every round fails, with the reason shown.
	o.req.Status, o.rounds = 200, 1
	for _, r := range benchAll(o, []target.Target{addrT}) {
		if r.median.skip == "" || !strings.Contains(r.median.skip, "201") {
			t.Errorf("%s expecting 200 from a 201 service: skip %q; want the bad reply shown", r.mode, r.median.skip)
		}
	}
}

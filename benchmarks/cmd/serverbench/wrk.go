package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/zerohttp/zerohttp/benchmarks/internal/proc"
)

// wrkPipeline makes wrk send depth requests per write (its pipelining idiom);
// wrk then counts each response, as cmd/load does.
const wrkPipeline = `
init = function(args)
  local depth = tonumber(args[1])
  local r = {}
  for i = 1, depth do r[i] = wrk.format(nil) end
  req = table.concat(r)
end
request = function() return req end
`

// runWrk runs wrk pinned to the load CPU: a warm-up run, then the measured
// run between onStart and onEnd. wrk takes whole seconds.
func runWrk(o options, addr string, m mode, onStart, onEnd func()) (loadResult, error) {
	var res loadResult
	args := []string{"-t1", "-c", strconv.Itoa(m.conns), "--latency"}
	if m.depth > 1 {
		script := filepath.Join(o.dir, "pipeline.lua")
		if err := os.WriteFile(script, []byte(wrkPipeline), 0o644); err != nil {
			return res, err
		}
		args = append(args, "-s", script)
	}
	url := "http://" + addr + "/hello"
	tail := []string{url}
	if m.depth > 1 {
		tail = append(tail, "--", strconv.Itoa(m.depth))
	}
	secs := func(d float64) string { return strconv.Itoa(max(1, int(math.Round(d)))) + "s" }
	if o.warmup > 0 {
		if _, _, err := wrkRun(o, append(append(args[:len(args):len(args)], "-d", secs(o.warmup.Seconds())), tail...)); err != nil {
			return res, err
		}
	}
	onStart()
	out, cpu, err := wrkRun(o, append(append(args[:len(args):len(args)], "-d", secs(o.duration.Seconds())), tail...))
	onEnd()
	if err != nil {
		return res, err
	}
	res, err = parseWrk(out)
	res.loadCPU = cpu
	return res, err
}

// wrkRun runs wrk and returns its output and the CPU-seconds it used.
func wrkRun(o options, args []string) (string, float64, error) {
	cmd := exec.Command("wrk", args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := proc.StartPinned(cmd, o.cpus[1]); err != nil {
		return "", 0, err
	}
	if err := cmd.Wait(); err != nil {
		return "", 0, fmt.Errorf("wrk: %v: %s", err, out.String())
	}
	ps := cmd.ProcessState
	return out.String(), (ps.UserTime() + ps.SystemTime()).Seconds(), nil
}

// parseWrk reads Requests/sec and the 50% and 99% latency lines of wrk --latency.
func parseWrk(out string) (loadResult, error) {
	var res loadResult
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			res.RPS, _ = strconv.ParseFloat(f[1], 64)
		case len(f) == 2 && f[0] == "50%":
			res.P50us = wrkMicros(f[1])
		case len(f) == 2 && f[0] == "99%":
			res.P99us = wrkMicros(f[1])
		case len(f) >= 4 && f[0] == "Non-2xx":
			return res, errors.New("wrk: " + strings.TrimSpace(line))
		}
	}
	if res.RPS == 0 {
		return res, fmt.Errorf("wrk: no Requests/sec in output: %s", out)
	}
	res.Requests = 1
	return res, nil
}

// wrkMicros converts wrk's "245.00us", "1.03ms" or "1.20s" to microseconds.
func wrkMicros(s string) float64 {
	for _, u := range []struct {
		suffix string
		scale  float64
	}{{"us", 1}, {"ms", 1e3}, {"s", 1e6}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f * u.scale
		}
	}
	return 0
}

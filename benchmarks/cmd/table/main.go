// Command table reads `go test -bench` output on stdin and prints one markdown
// table per benchmark group, with the median of each metric over -count runs
// and each implementation's time as a multiple of the base implementation's.
//
// A benchmark named BenchmarkParse/browser/nethttp-8 is implementation
// "nethttp" in group "Parse/browser": the last path element names the
// implementation, and the -GOMAXPROCS suffix is dropped.
//
// Usage:
//
//	go test -bench . -count 5 | go run ./cmd/table [-base zerohttp] [-svg plot.svg]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

func main() {
	base := flag.String("base", "zerohttp", "implementation the ratios compare against")
	svg := flag.String("svg", "", "also write a bar chart of ns/op to this file")
	flag.Parse()
	groups, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
	if len(groups) == 0 {
		fmt.Fprintln(os.Stderr, "table: no benchmark lines on stdin")
		os.Exit(1)
	}
	for i, g := range groups {
		if i > 0 {
			fmt.Println()
		}
		write(os.Stdout, g, *base)
	}
	if *svg != "" {
		f, err := os.Create(*svg)
		if err == nil {
			writeSVG(f, groups, *base)
			err = f.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "table:", err)
			os.Exit(1)
		}
	}
}

// group is one benchmark group: its implementations in order of first
// appearance, each with every sample of every metric.
type group struct {
	name  string
	units []string // metric units in order of first appearance
	impls []*impl
}

type impl struct {
	name    string
	samples map[string][]float64 // unit -> one value per run
}

// read parses benchmark result lines, ignoring everything else (goos, PASS, logs).
func read(r io.Reader) ([]*group, error) {
	var groups []*group
	byName := map[string]*group{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// Name, iterations, then value-unit pairs.
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue
		}
		gname, iname := split(f[0])
		g := byName[gname]
		if g == nil {
			g = &group{name: gname}
			byName[gname] = g
			groups = append(groups, g)
		}
		im := g.find(iname)
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			unit := f[i+1]
			if !slices.Contains(g.units, unit) {
				g.units = append(g.units, unit)
			}
			im.samples[unit] = append(im.samples[unit], v)
		}
	}
	return groups, sc.Err()
}

// split turns "BenchmarkParse/browser/nethttp-8" into ("Parse/browser", "nethttp").
// A benchmark without sub-benchmarks is its own group and implementation.
func split(name string) (grp, impl string) {
	name = strings.TrimPrefix(name, "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return name, name
	}
	return name[:i], name[i+1:]
}

func (g *group) find(name string) *impl {
	for _, im := range g.impls {
		if im.name == name {
			return im
		}
	}
	im := &impl{name: name, samples: map[string][]float64{}}
	g.impls = append(g.impls, im)
	return im
}

// median returns the median of v, or 0 for no samples.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// write prints g as a markdown table. The ratio column is impl ns/op over the
// base's ns/op: 3.0x means three times as slow as the base.
func write(w io.Writer, g *group, base string) {
	// The base first, then its variants (zerohttp-portable), then the rest in
	// the order they ran.
	rank := func(im *impl) int {
		switch {
		case im.name == base:
			return 0
		case strings.HasPrefix(im.name, base+"-"):
			return 1
		}
		return 2
	}
	slices.SortStableFunc(g.impls, func(x, y *impl) int { return rank(x) - rank(y) })
	var b *impl
	for _, im := range g.impls {
		if im.name == base {
			b = im
		}
	}
	ratio := b != nil && len(b.samples["ns/op"]) > 0
	fmt.Fprintf(w, "### %s\n\n| impl |", g.name)
	for _, u := range g.units {
		fmt.Fprintf(w, " %s |", u)
	}
	if ratio {
		fmt.Fprintf(w, " time vs %s |", base)
	}
	fmt.Fprint(w, " runs |\n|---|")
	for range g.units {
		fmt.Fprint(w, "---:|")
	}
	if ratio {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprint(w, "---:|\n")
	for _, im := range g.impls {
		fmt.Fprintf(w, "| %s |", im.name)
		runs := 0
		for _, u := range g.units {
			s := im.samples[u]
			runs = max(runs, len(s))
			if len(s) == 0 {
				fmt.Fprint(w, " – |")
				continue
			}
			fmt.Fprintf(w, " %s |", format(median(s)))
		}
		if ratio {
			if s := im.samples["ns/op"]; len(s) > 0 {
				fmt.Fprintf(w, " %.2fx |", median(s)/median(b.samples["ns/op"]))
			} else {
				fmt.Fprint(w, " – |")
			}
		}
		fmt.Fprintf(w, " %d |\n", runs)
	}
}

// format prints v with three significant digits, or as an integer when larger.
func format(v float64) string {
	if v >= 100 || v == float64(int64(v)) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

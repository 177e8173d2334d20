package main

import (
	"fmt"
	"io"

	"github.com/zerohttp/zerohttp/benchmarks/internal/plot"
)

// writeSVG draws one horizontal bar chart of median ns/op per group, bars
// scaled to the slowest implementation in the group, each labelled with its
// time and its multiple of the base's. It is the plot beside the tables: a
// glance shows the shape that the ratios say.
func writeSVG(w io.Writer, groups []*group, base string) {
	var out []plot.Group
	for _, g := range groups {
		var baseNs float64
		for _, im := range g.impls {
			if im.name == base {
				baseNs = median(im.samples["ns/op"])
			}
		}
		pg := plot.Group{Title: g.name + " (ns/op, shorter is faster)"}
		for _, im := range g.impls {
			ns := median(im.samples["ns/op"])
			label := format(ns)
			if baseNs > 0 {
				label += fmt.Sprintf(" (%.2fx)", ns/baseNs)
			}
			pg.Bars = append(pg.Bars, plot.Bar{Name: im.name, Value: ns, Label: label, Base: im.name == base})
		}
		out = append(out, pg)
	}
	plot.Bars(w, out)
}

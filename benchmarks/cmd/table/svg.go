package main

import (
	"fmt"
	"html"
	"io"
)

// writeSVG draws one horizontal bar chart of median ns/op per group, bars
// scaled to the slowest implementation in the group, each labelled with its
// time and its multiple of the base's. It is the plot beside the tables: a
// glance shows the shape that the ratios say.
func writeSVG(w io.Writer, groups []*group, base string) {
	const (
		width, labelW, barW = 760, 170, 420
		rowH, headH, gap    = 22, 26, 14
	)
	height := gap
	for _, g := range groups {
		height += headH + rowH*len(g.impls) + gap
	}
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="13">`+"\n", width, height)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	y := gap
	for _, g := range groups {
		fmt.Fprintf(w, `<text x="8" y="%d" font-weight="bold">%s (ns/op, shorter is faster)</text>`+"\n", y+16, html.EscapeString(g.name))
		y += headH
		var slowest, baseNs float64
		for _, im := range g.impls {
			ns := median(im.samples["ns/op"])
			slowest = max(slowest, ns)
			if im.name == base {
				baseNs = ns
			}
		}
		for _, im := range g.impls {
			ns := median(im.samples["ns/op"])
			bw := 0.0
			if slowest > 0 {
				bw = barW * ns / slowest
			}
			fill := "#8da0cb"
			if im.name == base {
				fill = "#1b9e77"
			}
			label := format(ns)
			if baseNs > 0 {
				label += fmt.Sprintf(" (%.2fx)", ns/baseNs)
			}
			fmt.Fprintf(w, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelW-6, y+15, html.EscapeString(im.name))
			fmt.Fprintf(w, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", labelW, y+3, bw, rowH-6, fill)
			fmt.Fprintf(w, `<text x="%.1f" y="%d">%s</text>`+"\n", float64(labelW)+bw+6, y+15, label)
			y += rowH
		}
		y += gap
	}
	fmt.Fprintln(w, "</svg>")
}

// Package plot draws the benchmark commands' SVG charts: groups of
// horizontal bars, each with an optional min–max whisker across rounds.
package plot

import (
	"fmt"
	"html"
	"io"
)

// Bar is one bar: its value (a median), the rounds' range when Max > Min,
// and the text printed after it.
type Bar struct {
	Name     string
	Value    float64
	Min, Max float64
	Label    string
	Base     bool // drawn in the reference colour
}

// Group is a titled set of bars drawn to one scale (the largest value or
// whisker in the group).
type Group struct {
	Title string
	Bars  []Bar
}

// Bars writes groups as one SVG image.
func Bars(w io.Writer, groups []Group) {
	const (
		width, labelW, barW = 760, 170, 420
		rowH, headH, gap    = 22, 26, 14
	)
	height := gap
	for _, g := range groups {
		height += headH + rowH*len(g.Bars) + gap
	}
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="13">`+"\n", width, height)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	y := gap
	for _, g := range groups {
		fmt.Fprintf(w, `<text x="8" y="%d" font-weight="bold">%s</text>`+"\n", y+16, html.EscapeString(g.Title))
		y += headH
		var top float64
		for _, b := range g.Bars {
			top = max(top, b.Value, b.Max)
		}
		x := func(v float64) float64 {
			if top <= 0 {
				return labelW
			}
			return labelW + barW*v/top
		}
		for _, b := range g.Bars {
			fill := "#8da0cb"
			if b.Base {
				fill = "#1b9e77"
			}
			fmt.Fprintf(w, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelW-6, y+15, html.EscapeString(b.Name))
			fmt.Fprintf(w, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", labelW, y+3, x(b.Value)-labelW, rowH-6, fill)
			end := x(b.Value)
			if b.Max > b.Min {
				mid := y + rowH/2
				fmt.Fprintf(w, `<path d="M%.1f %dH%.1fM%.1f %dV%dM%.1f %dV%d" stroke="black" fill="none"/>`+"\n",
					x(b.Min), mid, x(b.Max), x(b.Min), mid-5, mid+5, x(b.Max), mid-5, mid+5)
				end = max(end, x(b.Max))
			}
			fmt.Fprintf(w, `<text x="%.1f" y="%d">%s</text>`+"\n", end+6, y+15, html.EscapeString(b.Label))
			y += rowH
		}
		y += gap
	}
	fmt.Fprintln(w, "</svg>")
}

package plot

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestBars(t *testing.T) {
	var b strings.Builder
	Bars(&b, []Group{{Title: "req per CPU-s <keepalive>", Bars: []Bar{
		{Name: "zerohttp", Value: 100, Min: 90, Max: 110, Label: "100", Base: true},
		{Name: "other", Value: 50, Label: "50"},
	}}})
	out := b.String()
	if err := xml.Unmarshal([]byte(out), new(struct{})); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, out)
	}
	for _, want := range []string{"&lt;keepalive&gt;", ">zerohttp<", `width="381.8"`, "M513.6 51H590.0", ">50<"} {
		if !strings.Contains(out, want) {
			t.Errorf("SVG lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "<path"); n != 1 {
		t.Errorf("%d whiskers; want 1 (only the bar with a range)", n)
	}
}

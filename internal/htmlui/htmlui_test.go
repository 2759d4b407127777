package htmlui

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/internal/golden"
)

const demoBody = `{{define "body"}}
<section id="bars"><h2>Bars</h2>{{template "bars" .Verdicts.SVG}}{{template "bars" .Grouped.SVG}}</section>
<section id="intervals"><h2>Intervals</h2>{{template "intervals" .Delta.SVG}}</section>
<section id="lines"><h2>Lines</h2>{{template "lines" .Load.SVG}}</section>
<section id="table"><h2>Table</h2><div id="tbl"></div></section>
{{end}}`

func demoCharts() (Bars, Bars, Intervals, Lines) {
	verdicts := Bars{ID: "verdicts", Title: "Samples by verdict", Desc: "How many samples got each verdict.", Rows: []BarRow{
		{Label: "AC", Values: []float64{70}, Texts: []string{"70 (70.0%)"}, Patterns: []Pattern{VerdictPattern("AC")}},
		{Label: "WA", Values: []float64{25}, Patterns: []Pattern{VerdictPattern("WA")}},
		{Label: "TLE", Values: []float64{5}, Patterns: []Pattern{VerdictPattern("TLE")}},
	}}
	grouped := Bars{ID: "by-difficulty", Title: "pass@1 by difficulty", Percent: true,
		Series: []Series{{Name: "base", Pattern: Horizontal}, {Name: "new", Pattern: Solid}},
		Rows: []BarRow{
			{Label: "easy", Values: []float64{0.8, 0.85}},
			{Label: "a very long difficulty label that is cut <b>short</b>", Values: []float64{0.2, math.NaN()}, Texts: []string{"", "n/a"}},
		}}
	delta := Intervals{ID: "delta", Title: "Paired pass@1, new − base", Scale: 100, Unit: " pp",
		Rows: []IntervalRow{{Label: "pass@1", Low: -0.0854, Estimate: -0.0488, High: -0.0183, Text: "−4.88 pp, 95% CI [−8.54, −1.83]"}}}
	load := Lines{ID: "load", Title: "Tests per second", YLabel: "tests/s",
		XTicks: []XTick{{0, "−60 s"}, {30, "−30 s"}, {60, "now"}},
		Series: []LineSeries{{Name: "node a", Points: []Point{{0, 10}, {30, 42}, {60, 37}}}, {Name: "node b", Points: []Point{{0, 5}, {60, 12.5}}}}}
	return verdicts, grouped, delta, load
}

func TestRenderDemoPage(t *testing.T) {
	tmpl, err := New("demo", demoBody)
	if err != nil {
		t.Fatal(err)
	}
	v, g, d, l := demoCharts()
	var buf bytes.Buffer
	err = Render(&buf, tmpl, &Page{
		Title: "Demo <page>", Subtitle: "charts & a table", Footer: "made by a test",
		Nav:    []Link{{"bars", "Bars"}, {"intervals", "Intervals"}, {"lines", "Lines"}, {"table", "Table"}},
		Data:   map[string]any{"rows": []map[string]any{{"id": "a</script><script>alert(1)</script>", "n": 3}, {"id": "b\u2028", "n": 1}}},
		Script: `SB.table(document.getElementById("tbl"), {rows: SB.data("sb-data").rows, columns: [{label: "id", value: function (r) { return r.id; }, cell: function (r) { return r.id; }}, {label: "n", num: true, value: function (r) { return r.n; }, cell: function (r) { return r.n; }}]});`,
		Body: struct {
			Verdicts, Grouped Bars
			Delta             Intervals
			Load              Lines
		}{v, g, d, l},
	})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// Data cannot end its script element early, and labels are escaped.
	for _, bad := range []string{"</script><script>alert", "<b>short", "\u2028"} {
		if strings.Contains(out, bad) {
			t.Errorf("page contains %q unescaped", bad)
		}
	}
	for _, want := range []string{`\u003c/script\u003e`, `&lt;b&gt;`, `<title>Demo &lt;page&gt;</title>`, `fill="url(#sb-p1)"`, `data-chart="intervals"`} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	golden.Check(t, buf.Bytes(), ".html")
}

func TestWriteChart(t *testing.T) {
	_, _, _, l := demoCharts()
	var buf bytes.Buffer
	if err := WriteChart(&buf, l); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `<figure class="sb-chart" id="load">`) || strings.Count(buf.String(), "<polyline") != 2 {
		t.Errorf("chart:\n%s", buf.String())
	}
	golden.Check(t, buf.Bytes())
}

func TestNewNeedsBody(t *testing.T) {
	if _, err := New("x", `{{define "other"}}{{end}}`); err == nil {
		t.Error("a template set without body: no error")
	}
}

func TestFormats(t *testing.T) {
	got := []string{Percent(0.42071), Percent(math.NaN()), PercentagePoints(0.0125), PercentagePoints(-0.005), PercentagePoints(-0.00001),
		Bytes(512), Bytes(1536), Bytes(256 << 20), Bytes(1 << 30)}
	want := []string{"42.07%", "n/a", "+1.25 pp", "−0.50 pp", "0.00 pp", "512 B", "1.5 KiB", "256 MiB", "1 GiB"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		max  float64
		want []float64
	}{
		{1, []float64{0, 0.25, 0.5, 0.75, 1}},
		{70, []float64{0, 20, 40, 60, 80}},
		{3, []float64{0, 1, 2, 3}},
		{10000, []float64{0, 2500, 5000, 7500, 10000}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, niceTicks(tt.max)); diff != "" {
			t.Errorf("niceTicks(%v) (-want +got):\n%s", tt.max, diff)
		}
	}
}

// TestBarsScale: a bar's length is its share of the scale, and a value
// above zero is never invisible.
func TestBarsScale(t *testing.T) {
	b := Bars{Rows: []BarRow{{Label: "a", Values: []float64{100}}, {Label: "b", Values: []float64{50}}, {Label: "c", Values: []float64{0.001}}, {Label: "d", Values: []float64{0}}}}
	svg := b.SVG().(barsSVG)
	w := func(i int) float64 { return svg.Rows[i].Bars[0].W }
	if math.Abs(w(1)-w(0)/2) > 1e-9 || w(2) != 1 || w(3) != 0 {
		t.Errorf("widths %v %v %v %v", w(0), w(1), w(2), w(3))
	}
	if last := svg.Ticks[len(svg.Ticks)-1]; last.Label != "100" {
		t.Errorf("last tick %q, want 100", last.Label)
	}
}

// TestNewAfterWriteChart: drawing a chart alone does not stop pages from
// being made (an executed html/template set cannot be cloned).
func TestNewAfterWriteChart(t *testing.T) {
	v, _, _, _ := demoCharts()
	for range 2 {
		if err := WriteChart(&bytes.Buffer{}, v); err != nil {
			t.Fatal(err)
		}
		tmpl, err := New("p", `{{define "body"}}{{template "bars" .SVG}}{{end}}`)
		if err != nil {
			t.Fatal(err)
		}
		if err := Render(&bytes.Buffer{}, tmpl, &Page{Title: "t", Body: v}); err != nil {
			t.Fatal(err)
		}
	}
}

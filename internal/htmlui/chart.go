package htmlui

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Pattern is a fill of bars: a colour and a texture, so that series differ
// in greyscale and in print. The layout defines them once per page.
type Pattern int

// The patterns.
const (
	Solid      Pattern = iota // dark green, solid
	Diagonal                  // red, diagonal stripes
	Dots                      // amber, dots
	Cross                     // purple, crossed lines
	Horizontal                // blue, horizontal stripes
	Vertical                  // magenta, vertical stripes
	Checker                   // grey, checkerboard
	Backslash                 // light grey, stripes the other way
	patterns
)

// VerdictPattern is the fill of a verdict's bars: AC solid, each failure a
// texture of its own.
func VerdictPattern(v string) Pattern {
	switch v {
	case "AC":
		return Solid
	case "WA":
		return Diagonal
	case "TLE":
		return Dots
	case "MLE":
		return Cross
	case "OLE":
		return Horizontal
	case "RE":
		return Vertical
	case "CE":
		return Checker
	}
	return Backslash
}

// Chart is a chart that can be drawn alone by WriteChart: a Bars,
// Intervals or Lines.
type Chart interface {
	svgTemplate() (name string, layout any)
}

// Chart geometry, in the SVG's user units (about CSS pixels at the
// chart's natural width).
const (
	chartWidth = 480.0
	fontPx     = 13.0 // the chart font's size (base.css: svg text)
	maxLabel   = 26   // label characters shown; the full label is a tooltip
)

// textWidth estimates the width of s in the chart font, from the widths
// of DejaVu Sans's glyphs (the widest common fallback) by class: narrow
// punctuation and i, l; f, t, r and brackets; m and w; capitals; digits;
// the rest.
func textWidth(s string) float64 {
	em := 0.0
	for _, r := range s {
		switch {
		case strings.ContainsRune("il.,:;!'|", r):
			em += 0.3
		case strings.ContainsRune("ftrjI()[] ", r):
			em += 0.42
		case strings.ContainsRune("mwMW@%", r):
			em += 0.98
		case r >= 'A' && r <= 'Z':
			em += 0.74
		case r >= '0' && r <= '9':
			em += 0.64
		case r < 128:
			em += 0.62
		default:
			em += 0.8 // letters of other scripts, symbols: wider on average
		}
	}
	return em * fontPx
}

// shorten cuts s to n characters with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Series is one set of values of a chart, named in its legend.
type Series struct {
	Name    string
	Pattern Pattern
}

// Bars is a horizontal bar chart: a row per category with a bar for each
// series, each bar followed by its number as text.
type Bars struct {
	// ID is the figure's id attribute, unique in the page.
	ID    string
	Title string
	// Desc says what the bars measure, for screen readers.
	Desc string
	// Series are the bars of each row, in order; the legend lists them
	// when there are several.
	Series []Series
	Rows   []BarRow
	// Max is the end of the scale; 0 takes the largest value.
	Max float64
	// Percent draws values as fractions on a 0–100% axis.
	Percent bool
}

// BarRow is a category of a Bars chart.
type BarRow struct {
	Label string
	// Values are the row's value for each series; Texts the text after
	// each bar (empty: the value, formatted).
	Values []float64
	Texts  []string
	// Patterns, when set, override the series' patterns for this row
	// (a chart of verdicts fills each row with its verdict's pattern).
	Patterns []Pattern
}

type legendItem struct {
	X, Y, X2, TextX, TextY float64
	Name                   string
	Pattern                Pattern
	Color, Dash            string
}

type tick struct {
	X, Y, TextY float64
	Label       string
}

type barSVG struct {
	X, Y, W, H, TextX, TextY float64
	Pattern                  Pattern
	Text                     string
}

type barRowSVG struct {
	Label, Full    string
	LabelX, LabelY float64
	Bars           []barSVG
}

type barsSVG struct {
	ID, Title, Desc            string
	W, H, X0                   float64
	PlotTop, PlotBottom, TickY float64
	Legend                     []legendItem
	Ticks                      []tick
	Rows                       []barRowSVG
}

func (b Bars) svgTemplate() (string, any) { return "bars", b.SVG() }

// SVG lays the chart out for the "bars" template.
func (b Bars) SVG() any {
	const barH, barGap, rowGap, top = 16.0, 3.0, 10.0, 6.0
	series := b.Series
	if len(series) == 0 {
		series = []Series{{}}
	}
	texts := make([][]string, len(b.Rows))
	labelW, textW, maxV := 40.0, 30.0, b.Max
	for i, r := range b.Rows {
		labelW = max(labelW, textWidth(shorten(r.Label, maxLabel))+10)
		texts[i] = make([]string, len(series))
		for k := range series {
			v := value(r.Values, k)
			t := ""
			if k < len(r.Texts) {
				t = r.Texts[k]
			}
			if t == "" {
				t = b.format(v)
			}
			texts[i][k] = t
			textW = max(textW, textWidth(t)+8)
			if b.Max == 0 {
				maxV = max(maxV, v)
			}
		}
	}
	if b.Percent && b.Max == 0 {
		maxV = 1
	}
	if maxV <= 0 {
		maxV = 1
	}
	ticks := niceTicks(maxV)
	if !b.Percent && integral(b.Rows) && ticks[1] < 1 {
		ticks = integerTicks(maxV)
	}
	maxV = max(maxV, ticks[len(ticks)-1])
	out := barsSVG{ID: idOr(b.ID), Title: b.Title, Desc: b.Desc, W: chartWidth, X0: labelW}
	y := top
	if len(series) > 1 {
		x := labelW
		for _, s := range series {
			out.Legend = append(out.Legend, legendItem{X: x, Y: y, TextX: x + 18, TextY: y + 11, Name: s.Name, Pattern: s.Pattern})
			x += 18 + textWidth(s.Name) + 16
		}
		y += 22
	}
	plotW := chartWidth - labelW - min(textW, 150)
	scale := plotW / maxV
	out.PlotTop = y
	for i, r := range b.Rows {
		row := barRowSVG{Label: shorten(r.Label, maxLabel), Full: r.Label, LabelX: labelW - 6}
		h := float64(len(series))*(barH+barGap) - barGap
		row.LabelY = y + h/2 + 4.5
		var full []string
		for k, s := range series {
			v := value(r.Values, k)
			p := s.Pattern
			if k < len(r.Patterns) {
				p = r.Patterns[k]
			}
			w := max(0, min(v, maxV)) * scale
			if v > 0 && w < 1 {
				w = 1 // a value above zero is visible
			}
			by := y + float64(k)*(barH+barGap)
			row.Bars = append(row.Bars, barSVG{X: labelW, Y: by, W: w, H: barH, TextX: labelW + w + 4, TextY: by + barH - 4, Pattern: p, Text: texts[i][k]})
			if s.Name != "" {
				full = append(full, s.Name+": "+texts[i][k])
			} else {
				full = append(full, texts[i][k])
			}
		}
		row.Full = r.Label + ": " + strings.Join(full, "; ")
		out.Rows = append(out.Rows, row)
		y += h + rowGap
	}
	out.PlotBottom = y - rowGap + 4
	out.TickY = out.PlotBottom + 14
	for _, t := range ticks {
		out.Ticks = append(out.Ticks, tick{X: labelW + t*scale, Label: b.format(t)})
	}
	out.H = out.TickY + 6
	return out
}

func (b Bars) format(v float64) string {
	if b.Percent {
		s := strconv.FormatFloat(100*v, 'f', 1, 64)
		return strings.TrimSuffix(s, ".0") + "%"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func value(vs []float64, k int) float64 {
	if k < len(vs) && !math.IsNaN(vs[k]) {
		return vs[k]
	}
	return 0
}

func idOr(id string) string {
	if id == "" {
		return "chart"
	}
	return id
}

// integral reports whether every value of rows is a whole number.
func integral(rows []BarRow) bool {
	for _, r := range rows {
		for _, v := range r.Values {
			if v != math.Trunc(v) {
				return false
			}
		}
	}
	return true
}

// integerTicks counts from 0 to at least max in steps of 1.
func integerTicks(max float64) []float64 {
	var out []float64
	for v := 0.0; ; v++ {
		out = append(out, v)
		if v >= max {
			return out
		}
	}
}

// niceTicks returns 0 and about four round steps up to at least max.
func niceTicks(max float64) []float64 {
	step := niceStep(max / 4)
	var out []float64
	for i := 0; ; i++ {
		v := float64(i) * step
		out = append(out, v)
		if v >= max-1e-9 || i > 20 {
			return out
		}
	}
}

// niceStep rounds x up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= x-1e-12 {
			return m * p
		}
	}
	return 10 * p
}

// Intervals draws estimates with their confidence intervals on one axis
// with a dashed line at zero: a diamond at each estimate, a whisker from
// Low to High, and the numbers as text.
type Intervals struct {
	ID, Title, Desc string
	// Scale multiplies values for the axis labels (100 for fractions
	// shown in percentage points); Unit follows them ("pp").
	Scale float64
	Unit  string
	Rows  []IntervalRow
}

// IntervalRow is one estimate and its interval.
type IntervalRow struct {
	Label               string
	Low, Estimate, High float64
	// Text is written under the whisker ("−4.88 pp, 95% CI [−8.54, −1.83]").
	Text string
}

type intervalSVG struct {
	Full, Text                            string
	Y, CapTop, CapBottom                  float64
	Low, High, Est, MarkTop, TextX, TextY float64
}

type intervalsSVG struct {
	ID, Title, Desc                  string
	W, H, PlotTop, PlotBottom, TickY float64
	Zero, ZeroY                      float64
	Ticks                            []tick
	Rows                             []intervalSVG
}

func (iv Intervals) svgTemplate() (string, any) { return "intervals", iv.SVG() }

// SVG lays the chart out for the "intervals" template: each row's label
// and text above its whisker, on an axis symmetric about zero.
func (iv Intervals) SVG() any {
	scale := iv.Scale
	if scale == 0 {
		scale = 1
	}
	lo, hi := 0.0, 0.0
	for _, r := range iv.Rows {
		for _, v := range []float64{r.Low, r.Estimate, r.High} {
			if !math.IsNaN(v) {
				lo, hi = min(lo, v*scale), max(hi, v*scale)
			}
		}
	}
	// Symmetric about zero, so that the side of zero reads at a glance.
	m := max(-lo, hi)
	if m == 0 {
		m = 1
	}
	step := niceStep(m / 2)
	m = math.Ceil(m/step-1e-9) * step
	lo, hi = -m, m
	out := intervalsSVG{ID: idOr(iv.ID), Title: iv.Title, Desc: iv.Desc, W: chartWidth}
	left, right := 24.0, chartWidth-24
	x := func(v float64) float64 { return left + (v*scale-lo)/(hi-lo)*(right-left) }
	y := 20.0
	out.PlotTop, out.ZeroY = y, 13
	for _, r := range iv.Rows {
		text := r.Label
		if r.Text != "" {
			text += ": " + r.Text
		}
		rs := intervalSVG{Full: text, Text: text, TextX: left, TextY: y + 14}
		rs.Y = y + 30
		rs.CapTop, rs.CapBottom = rs.Y-6, rs.Y+6
		rs.Low, rs.High, rs.Est = x(nanTo(r.Low, 0)), x(nanTo(r.High, 0)), x(nanTo(r.Estimate, 0))
		rs.MarkTop = rs.Y - 6
		out.Rows = append(out.Rows, rs)
		y += 46
	}
	out.PlotBottom = y
	out.TickY = y + 14
	for v := lo; v <= hi+1e-9; v += step {
		out.Ticks = append(out.Ticks, tick{X: left + (v-lo)/(hi-lo)*(right-left), Label: signed(v) + iv.Unit})
	}
	out.Zero = x(0)
	out.H = out.TickY + 6
	return out
}

func nanTo(v, d float64) float64 {
	if math.IsNaN(v) {
		return d
	}
	return v
}

// signed formats a tick value with its sign and a true minus.
func signed(v float64) string {
	v = math.Round(v*1000) / 1000
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	switch {
	case v > 0:
		return "+" + s
	case v < 0:
		return "−" + s
	}
	return "0"
}

// Lines is a line chart of series over a shared x axis (time, say). Each
// series has a colour and a dash style of its own and is named in the
// legend. A point whose Y is NaN is a gap: the line stops before it and
// starts again after it (a node that did not answer), and a point alone
// between gaps is drawn as a dot.
type Lines struct {
	ID, Title, Desc string
	Series          []LineSeries
	// XTicks are the labelled x positions (the caller knows its units).
	XTicks []XTick
	// YLabel names the y axis's unit; YMax, when above the data, fixes
	// the top of the axis (which starts at 0).
	YLabel string
	YMax   float64
}

// LineSeries is one line.
type LineSeries struct {
	Name   string
	Points []Point
}

// Point is a point of a line.
type Point struct{ X, Y float64 }

// XTick is a labelled position on the x axis.
type XTick struct {
	X     float64
	Label string
}

var lineStyles = []struct{ color, dash string }{
	{"#0b5cad", ""}, {"#b42318", "6 3"}, {"#1a7f37", "2 3"}, {"#6e40c9", "8 3 2 3"}, {"#9a6700", "12 4"}, {"#57606a", "1 2"},
}

type lineSVG struct {
	Color, Dash, Full string
	// Segments are the runs of points between gaps, as polyline points;
	// Dots the points alone between gaps.
	Segments []string
	Dots     []Point
}

type linesSVG struct {
	ID, Title, Desc, YLabel                 string
	W, H                                    float64
	PlotLeft, PlotRight, PlotBottom, YTickX float64
	XTickY, YLabelY                         float64
	Legend                                  []legendItem
	XTicks, YTicks                          []tick
	Series                                  []lineSVG
}

func (l Lines) svgTemplate() (string, any) { return "lines", l.SVG() }

// SVG lays the chart out for the "lines" template.
func (l Lines) SVG() any {
	out := linesSVG{ID: idOr(l.ID), Title: l.Title, Desc: l.Desc, YLabel: l.YLabel, W: chartWidth}
	y := 6.0
	x := 48.0
	for i, s := range l.Series {
		st := lineStyles[i%len(lineStyles)]
		w := 26 + textWidth(s.Name) + 16
		if x > 48 && x+w-16 > chartWidth-4 {
			x, y = 48, y+18 // the legend wraps
		}
		out.Legend = append(out.Legend, legendItem{X: x, X2: x + 22, Y: y + 6, TextX: x + 26, TextY: y + 10, Name: s.Name, Color: st.color, Dash: st.dash})
		x += w
	}
	if len(l.Series) > 0 {
		y += 20
	}
	if l.YLabel != "" {
		out.YLabelY = y + 10
		y += 16
	}
	xmin, xmax, ymax := math.Inf(1), math.Inf(-1), l.YMax
	for _, s := range l.Series {
		for _, p := range s.Points {
			xmin, xmax = min(xmin, p.X), max(xmax, p.X)
			if !math.IsNaN(p.Y) {
				ymax = max(ymax, p.Y)
			}
		}
	}
	for _, t := range l.XTicks {
		xmin, xmax = min(xmin, t.X), max(xmax, t.X)
	}
	if math.IsInf(xmin, 0) || xmax == xmin {
		xmin, xmax = 0, 1
	}
	if ymax <= 0 || math.IsNaN(ymax) || math.IsInf(ymax, 0) {
		ymax = 1
	}
	yt := niceTicks(ymax)
	ymax = yt[len(yt)-1]
	top, bottom := y+4, y+4+160
	out.PlotLeft, out.PlotRight, out.PlotBottom, out.YTickX = 48, chartWidth-12, bottom, 42
	px := func(v float64) float64 { return out.PlotLeft + (v-xmin)/(xmax-xmin)*(out.PlotRight-out.PlotLeft) }
	py := func(v float64) float64 { return bottom - v/ymax*(bottom-top) }
	for _, v := range yt {
		out.YTicks = append(out.YTicks, tick{Y: py(v), TextY: py(v) + 4, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	for _, t := range l.XTicks {
		out.XTicks = append(out.XTicks, tick{X: px(t.X), Label: t.Label})
	}
	out.XTickY = bottom + 15
	for i, s := range l.Series {
		st := lineStyles[i%len(lineStyles)]
		ls := lineSVG{Color: st.color, Dash: st.dash, Full: s.Name}
		var run []Point
		flush := func() {
			switch len(run) {
			case 0:
			case 1:
				ls.Dots = append(ls.Dots, Point{px(run[0].X), py(run[0].Y)})
			default:
				pts := make([]string, len(run))
				for k, p := range run {
					pts[k] = num(px(p.X)) + "," + num(py(p.Y))
				}
				ls.Segments = append(ls.Segments, strings.Join(pts, " "))
			}
			run = run[:0]
		}
		var last *Point
		for k, p := range s.Points {
			if math.IsNaN(p.Y) || math.IsInf(p.Y, 0) {
				flush()
				continue
			}
			run = append(run, p)
			last = &s.Points[k]
		}
		flush()
		if last != nil {
			ls.Full += ": last " + strconv.FormatFloat(roundSignificant(last.Y, 3), 'f', -1, 64)
		}
		out.Series = append(out.Series, ls)
	}
	out.H = out.XTickY + 8
	return out
}

// roundSignificant rounds v to digits significant digits.
func roundSignificant(v float64, digits int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, float64(digits-1)-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

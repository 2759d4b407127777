// Package htmlui makes scalebox's self-contained HTML pages: one layout
// (CSS and a small script inlined, nothing fetched from outside, so a page
// works offline and from a file), charts drawn as inline SVG by Go
// templates, and a paged, sortable, searchable table in the page script
// for data too large to render up front.
//
// A page is a template set made by New, which holds the layout ("page"),
// the charts ("bars", "intervals", "lines") and the caller's templates,
// one of which must be "body". Render executes it with a Page. Charts are
// values (Bars, Intervals, Lines) whose SVG method lays them out; a page
// includes one with {{template "bars" .Chart.SVG}}, and a live page can
// serve a chart alone with WriteChart.
//
// Pages are readable without colour: each chart series has a fill pattern
// as well as a colour, and bars and marks carry their numbers as text. The
// stylesheet narrows to phone width and has print rules.
//
// Output is deterministic: the same input gives the same bytes.
package htmlui

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
)

//go:embed assets/base.css assets/sb.js assets/layout.tmpl
var assets embed.FS

func asset(name string) string {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	return string(b)
}

var (
	css       = template.CSS(asset("base.css"))
	script    = template.JS(asset("sb.js"))
	layoutSrc = asset("layout.tmpl")
	// charts is the set WriteChart executes. An html/template set cannot
	// be cloned once executed, so New parses a fresh one for each page.
	charts = layout()
)

// layout parses the layout and the charts.
func layout() *template.Template {
	return template.Must(template.New("htmlui").Funcs(Funcs).Parse(layoutSrc))
}

// Funcs are the template functions a page's templates may use.
var Funcs = template.FuncMap{
	// n formats a coordinate: at most one decimal, no trailing zeros.
	"n": num,
	// pct formats a fraction as a percentage with two decimals; pctg
	// with as many as it needs (0.95: "95%").
	"pct":  Percent,
	"pctg": func(f float64) string { return strconv.FormatFloat(100*f, 'f', -1, 64) + "%" },
	// pp formats a difference of fractions in signed percentage points.
	"pp": PercentagePoints,
	// ms formats milliseconds with one decimal.
	"ms": func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
	// bytes formats a byte count with a binary unit; kib a count of KiB.
	"bytes": Bytes,
	"kib":   func(k int64) string { return Bytes(k << 10) },
	// join joins strings.
	"join": strings.Join,
	// add adds integers; sub1 is 1 − x.
	"add":  func(a, b int) int { return a + b },
	"sub1": func(x float64) float64 { return 1 - x },
}

// Percent formats a fraction as a percentage with two decimals ("42.07%"),
// or "n/a" for NaN.
func Percent(f float64) string {
	if math.IsNaN(f) {
		return "n/a"
	}
	return strconv.FormatFloat(100*f, 'f', 2, 64) + "%"
}

// PercentagePoints formats a difference of fractions in signed percentage
// points ("+1.25 pp", "−0.50 pp" with a true minus sign).
func PercentagePoints(f float64) string {
	if math.IsNaN(f) {
		return "n/a"
	}
	s := strconv.FormatFloat(100*f, 'f', 2, 64)
	switch {
	case strings.HasPrefix(s, "-"):
		if strings.Trim(s, "-0.") == "" {
			s = "0.00" // −0.00 rounds to zero
		} else {
			s = "−" + s[1:]
		}
	default:
		s = "+" + s
	}
	return s + " pp"
}

// Bytes formats a byte count with a binary unit ("512 B", "1.5 KiB",
// "256 MiB").
func Bytes(b int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v, i := float64(b), 0
	for math.Abs(v) >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatInt(b, 10) + " B"
	}
	return strings.TrimSuffix(strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), "0"), ".") + " " + units[i]
}

func num(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// KV is a row of a two-column table of facts (the "kv" template takes a
// []KV).
type KV struct {
	Key, Value string
	// Code sets the value in a monospace font (paths, hashes, versions).
	Code bool
}

// Link is an entry of a page's section navigation.
type Link struct {
	ID    string // the section's id attribute
	Label string
}

// Page is what the layout needs besides the body.
type Page struct {
	// Title is the document title and the page's heading.
	Title    string
	Subtitle string
	// Nav links to the page's sections, in order.
	Nav []Link
	// Footer is the footer's text.
	Footer string
	// Data, when not nil, is embedded as JSON in
	// <script type="application/json" id="sb-data">, where the page's
	// script reads it with SB.data("sb-data").
	Data any
	// Script is the page's own script; it runs after the htmlui script,
	// whose functions are on the SB object.
	Script template.JS
	// Style is the page's own stylesheet, after the htmlui one.
	Style template.CSS
	// Body is the value the "body" template is executed with.
	Body any
}

// New returns a template set with the layout, the charts and Funcs, with
// the templates of text parsed into it; text must define "body".
func New(name, text string) (*template.Template, error) {
	t, err := layout().New(name).Parse(text)
	if err != nil {
		return nil, err
	}
	if t.Lookup("body") == nil {
		return nil, fmt.Errorf("htmlui: template %s defines no \"body\"", name)
	}
	return t, nil
}

// Render writes the page: the layout around t's "body", executed with
// p.Body.
func Render(w io.Writer, t *template.Template, p *Page) error {
	v := struct {
		*Page
		CSS  template.CSS
		JS   template.JS
		Data template.JS
	}{Page: p, CSS: css, JS: script}
	if p.Data != nil {
		data, err := EncodeData(p.Data)
		if err != nil {
			return err
		}
		v.Data = data
	}
	return t.ExecuteTemplate(w, "page", v)
}

// EncodeData encodes v as JSON that is safe inside a <script> element:
// encoding/json escapes <, > and &, and U+2028 and U+2029.
func EncodeData(v any) (template.JS, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("htmlui: encode page data: %w", err)
	}
	return template.JS(b), nil
}

// WriteChart writes one chart's SVG figure alone (for a page that fetches
// charts to refresh them). c is a Bars, Intervals or Lines. It is safe for
// concurrent use.
func WriteChart(w io.Writer, c Chart) error {
	name, v := c.svgTemplate()
	return charts.ExecuteTemplate(w, name, v)
}

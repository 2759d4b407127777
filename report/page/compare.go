package page

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"

	"github.com/scalebox-dev/scalebox/internal/htmlui"
	"github.com/scalebox-dev/scalebox/report"
)

// compareView is what compare.tmpl shows.
type compareView struct {
	C               *report.Comparison
	VerdictClass    string
	Metrics         []metricRow
	PassAtK         *htmlui.Bars
	Delta           htmlui.Intervals
	McNemarUsed     bool
	Breakdowns      []*htmlui.Bars
	Sides           []sideRow
	Lists           []idList
	ConfigsDiffer   bool
	BaseCfg, NewCfg string
	Environments    []sideRow
}

type metricRow struct {
	Name, Base, New, Difference string
}

// sideRow is a fact of the two reports.
type sideRow struct {
	Key, Base, New string
	Code, Differs  bool
}

// compareData is the JSON the comparison page's script reads.
type compareData struct {
	BaseName string     `json:"base_name"`
	NewName  string     `json:"new_name"`
	MetaKeys []string   `json:"meta_keys"`
	Flips    []pageFlip `json:"flips"`
}

type pageFlip struct {
	ID   string  `json:"id"`
	Kind string  `json:"kind"` // fixed or broken
	Base float64 `json:"base"`
	New  float64 `json:"new"`
	// BP and NP are the problem in each report.
	BP *pageProblem `json:"bp"`
	NP *pageProblem `json:"np"`
}

// WriteComparison writes the page of c, the comparison of base against
// next (the reports report.Compare compared, for the flipped problems'
// samples and the runs' facts): all of it, or nothing when the page cannot
// be made. It is safe for concurrent use.
func WriteComparison(w io.Writer, c *report.Comparison, base, next *report.Report) error {
	v, data := comparePage(c, base, next)
	title := fmt.Sprintf("scalebox compare: %s %s", c.New.Benchmark, c.New.Version)
	sub := fmt.Sprintf("base %s → new %s", c.Base.Path, c.New.Path)
	nav := []htmlui.Link{{ID: "verdict", Label: "Verdict"}, {ID: "scores", Label: "pass@k"}, {ID: "significance", Label: "Significance"}}
	if len(v.Breakdowns) > 0 {
		nav = append(nav, htmlui.Link{ID: "breakdowns", Label: "Breakdowns"})
	}
	nav = append(nav, htmlui.Link{ID: "flips", Label: "Flipped problems"}, htmlui.Link{ID: "runs", Label: "Runs"})
	return render(w, cmpTmpl, &htmlui.Page{
		Title: title, Subtitle: sub, Nav: nav, Body: v, Data: data,
		Footer: "Made by scalebox compare --html. The page is self-contained: it fetches nothing and works offline.",
		Script: template.JS(problemsJS + "\nSBReport.compare(SB.data(\"sb-data\"));\n"),
	})
}

func comparePage(c *report.Comparison, base, next *report.Report) (*compareView, *compareData) {
	v := &compareView{C: c, VerdictClass: map[string]string{report.VerdictRegression: "sb-bad", report.VerdictImprovement: "sb-good"}[c.Verdict]}
	v.McNemarUsed = c.McNemar.Rule == report.McNemarSingleSample
	chart := &htmlui.Bars{ID: "pass-at-k", Title: "pass@k, base and new", Percent: true,
		Desc:   "pass@k of each report for each k both have; the text after each bar gives the value.",
		Series: []htmlui.Series{{Name: "base", Pattern: htmlui.Horizontal}, {Name: "new", Pattern: htmlui.Solid}}}
	for _, m := range c.PassAtK {
		v.Metrics = append(v.Metrics, metricRow{"pass@" + strconv.Itoa(m.K), htmlui.Percent(m.Base), htmlui.Percent(m.New), htmlui.PercentagePoints(m.Difference)})
		chart.Rows = append(chart.Rows, htmlui.BarRow{Label: "pass@" + strconv.Itoa(m.K), Values: []float64{m.Base, m.New},
			Texts: []string{htmlui.Percent(m.Base), htmlui.Percent(m.New)}})
	}
	for _, m := range c.BasePassAtK {
		name := "pass@" + strconv.Itoa(m.K) + " (base tests)"
		v.Metrics = append(v.Metrics, metricRow{name, htmlui.Percent(m.Base), htmlui.Percent(m.New), htmlui.PercentagePoints(m.Difference)})
		chart.Rows = append(chart.Rows, htmlui.BarRow{Label: name, Values: []float64{m.Base, m.New},
			Texts: []string{htmlui.Percent(m.Base), htmlui.Percent(m.New)}})
	}
	m := c.PassAt1
	v.Metrics = append(v.Metrics, metricRow{fmt.Sprintf("paired pass@1 (%d problems)", c.Paired), htmlui.Percent(m.Base), htmlui.Percent(m.New), htmlui.PercentagePoints(m.Difference)})
	if len(chart.Rows) > 0 {
		v.PassAtK = chart
	}
	conf := strconv.FormatFloat(100*m.Confidence, 'f', -1, 64) + "%"
	v.Delta = htmlui.Intervals{ID: "delta", Title: "Paired pass@1 difference, new − base, with its " + conf + " bootstrap interval",
		Desc:  "The diamond is the mean per-problem difference; the whisker its bootstrap confidence interval; the dashed line is no change. An interval wholly left of it is a significant drop.",
		Scale: 100, Unit: " pp",
		Rows: []htmlui.IntervalRow{{Label: "paired pass@1", Low: m.CI.Low, Estimate: m.Difference, High: m.CI.High,
			Text: fmt.Sprintf("%s, %s CI [%s, %s]", htmlui.PercentagePoints(m.Difference), conf, ppShort(m.CI.Low), ppShort(m.CI.High))}}}

	v.Breakdowns = compareBreakdowns(base, next)

	v.Sides = []sideRow{
		{Key: "report", Base: c.Base.Path, New: c.New.Path, Code: true},
		{Key: "benchmark", Base: c.Base.Benchmark + " " + c.Base.Version, New: c.New.Benchmark + " " + c.New.Version},
		{Key: "data sha256", Base: c.Base.SHA256, New: c.New.SHA256, Code: true},
		{Key: "samples sha256", Base: c.Base.SamplesSHA256, New: c.New.SamplesSHA256, Code: true},
		{Key: "samples file", Base: base.Run.SamplesPath, New: next.Run.SamplesPath, Code: true},
		{Key: "scalebox", Base: c.Base.Tool, New: c.New.Tool},
		{Key: "problems", Base: strconv.Itoa(c.Base.Problems), New: strconv.Itoa(c.New.Problems)},
		{Key: "samples", Base: strconv.Itoa(c.Base.Samples), New: strconv.Itoa(c.New.Samples)},
		{Key: "early stop", Base: base.Run.EarlyStop, New: next.Run.EarlyStop},
	}
	v.Environments = []sideRow{
		{Key: "sandbox", Base: base.Sandbox.Backend + " " + base.Sandbox.Version, New: next.Sandbox.Backend + " " + next.Sandbox.Version},
		{Key: "CPU time limit", Base: strconv.FormatInt(base.Sandbox.Limits.CPUTimeMS, 10) + " ms", New: strconv.FormatInt(next.Sandbox.Limits.CPUTimeMS, 10) + " ms"},
		{Key: "memory limit", Base: htmlui.Bytes(base.Sandbox.Limits.MemoryBytes), New: htmlui.Bytes(next.Sandbox.Limits.MemoryBytes)},
		{Key: "system", Base: base.Environment.OS + "/" + base.Environment.Arch + ", " + strconv.Itoa(base.Environment.CPUs) + " CPUs",
			New: next.Environment.OS + "/" + next.Environment.Arch + ", " + strconv.Itoa(next.Environment.CPUs) + " CPUs"},
		{Key: "kernel", Base: base.Environment.Kernel, New: next.Environment.Kernel},
	}
	for _, l := range toolchainLangs(base, next) {
		v.Environments = append(v.Environments, sideRow{Key: l, Base: base.Environment.Toolchains[l], New: next.Environment.Toolchains[l], Code: true})
	}
	for i := range v.Sides {
		v.Sides[i].Differs = v.Sides[i].Base != v.Sides[i].New
	}
	for i := range v.Environments {
		v.Environments[i].Differs = v.Environments[i].Base != v.Environments[i].New
	}
	v.BaseCfg, v.NewCfg = prettyJSON(base.Config), prettyJSON(next.Config)
	v.ConfigsDiffer = v.BaseCfg != v.NewCfg

	v.Lists = []idList{
		newIDList("Only in base", c.OnlyInBase),
		newIDList("Only in new", c.OnlyInNew),
		newIDList("Without a scored sample in one report", c.Unscored),
	}

	data := &compareData{BaseName: c.Base.Path, NewName: c.New.Path, MetaKeys: unionKeys(metaKeys(base), metaKeys(next)), Flips: []pageFlip{}}
	bp, np := problemsByID(base, data.MetaKeys), problemsByID(next, data.MetaKeys)
	for _, f := range c.Fixed {
		data.Flips = append(data.Flips, pageFlip{ID: f.TaskID, Kind: "fixed", Base: f.Base, New: f.New, BP: bp(f.TaskID), NP: np(f.TaskID)})
	}
	for _, f := range c.Broken {
		data.Flips = append(data.Flips, pageFlip{ID: f.TaskID, Kind: "broken", Base: f.Base, New: f.New, BP: bp(f.TaskID), NP: np(f.TaskID)})
	}
	return v, data
}

// ppShort formats a difference in percentage points without the unit.
func ppShort(f float64) string {
	s := htmlui.PercentagePoints(f)
	return s[:len(s)-len(" pp")]
}

func toolchainLangs(a, b *report.Report) []string {
	set := map[string]bool{}
	for l := range a.Environment.Toolchains {
		set[l] = true
	}
	for l := range b.Environment.Toolchains {
		set[l] = true
	}
	return sortedSet(set)
}

func unionKeys(a, b []string) []string {
	set := map[string]bool{}
	for _, k := range append(append([]string{}, a...), b...) {
		set[k] = true
	}
	return sortedSet(set)
}

// problemsByID returns a lookup of r's problems as the page shows them,
// made on demand (only flipped problems are looked up).
func problemsByID(r *report.Report, keys []string) func(string) *pageProblem {
	idx := make(map[string]int, len(r.Problems))
	for i, p := range r.Problems {
		if _, dup := idx[p.TaskID]; !dup {
			idx[p.TaskID] = i
		}
	}
	return func(id string) *pageProblem {
		i, ok := idx[id]
		if !ok {
			return nil
		}
		pp := newPageProblem(r.Problems[i], keys)
		return &pp
	}
}

// compareBreakdowns charts pass@1 by each metadata key of both reports,
// as report show computes it for each (not paired).
func compareBreakdowns(base, next *report.Report) []*htmlui.Bars {
	bo, no := report.NewOverview(base, 0), report.NewOverview(next, 0)
	nb := map[string]report.Breakdown{}
	for _, bd := range no.Breakdowns {
		nb[bd.Key] = bd
	}
	var out []*htmlui.Bars
	for _, bd := range bo.Breakdowns {
		other, ok := nb[bd.Key]
		if !ok {
			continue
		}
		groups := map[string][2]*report.Group{}
		var values []string
		for i, side := range [][]report.Group{bd.Groups, other.Groups} {
			for j := range side {
				g := &side[j]
				e, seen := groups[g.Value]
				if !seen {
					values = append(values, g.Value)
				}
				e[i] = g
				groups[g.Value] = e
			}
		}
		if len(values) > maxChartRows {
			continue
		}
		values = sortedValues(values)
		b := &htmlui.Bars{ID: "cmp-by-" + slug(bd.Key), Title: "pass@1 by " + bd.Key + ", base and new", Percent: true,
			Desc:   "pass@1 of each report for each value of " + bd.Key + " (each report's own problems, not paired).",
			Series: []htmlui.Series{{Name: "base", Pattern: htmlui.Horizontal}, {Name: "new", Pattern: htmlui.Solid}}}
		for _, val := range values {
			e := groups[val]
			row := htmlui.BarRow{Label: val}
			for _, g := range e {
				p, text := math.NaN(), "n/a"
				if g != nil && g.PassAt1 != nil {
					p = *g.PassAt1
					text = fmt.Sprintf("%s of %d", htmlui.Percent(p), g.Scored)
				}
				row.Values, row.Texts = append(row.Values, p), append(row.Texts, text)
			}
			b.Rows = append(b.Rows, row)
		}
		out = append(out, b)
	}
	return out
}

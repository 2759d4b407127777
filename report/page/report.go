package page

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/scalebox-dev/scalebox/internal/htmlui"
	"github.com/scalebox-dev/scalebox/report"
)

// reportView is what report.tmpl shows.
type reportView struct {
	R           *report.Report
	Source      string
	PassAtK     []card
	BasePassAtK []card
	Counts      []card
	Languages   []string

	Verdicts, TestVerdicts htmlui.Bars
	Spread                 *htmlui.Bars
	Breakdowns             []breakdownView
	Slowest                []report.SlowTest
	SlowestAsked           bool

	Run, Benchmark, Sandbox, Limits, Environment []kv
	Toolchains                                   []kv
	Config                                       string
	Timing                                       []kv
	Unknown                                      []report.SampleRef
	UnknownMore                                  int
}

// card is a number of the summary.
type card struct {
	Label, Value, Note string
}

// breakdownView is pass@1 by one metadata key (or by language).
type breakdownView struct {
	Key string
	// Unit is what the counts count: problems, or samples (by language).
	Unit   string
	Chart  *htmlui.Bars // nil when there are too many values to chart
	Groups []groupRow
}

type groupRow struct {
	Value            string
	Problems, Scored int
	PassAt1          string
}

// WriteReport writes r's page to w: all of it, or nothing when the page
// cannot be made. It is safe for concurrent use.
func WriteReport(w io.Writer, r *report.Report, opts Options) error {
	v, data := reportPage(r, opts)
	title := fmt.Sprintf("scalebox report: %s %s", r.Benchmark.Name, r.Benchmark.Version)
	sub := fmt.Sprintf("%d samples of %d tasks", r.Summary.Samples, r.Summary.Tasks)
	if r.Run.SamplesPath != "" {
		sub += " from " + r.Run.SamplesPath
	}
	nav := []htmlui.Link{{ID: "summary", Label: "Summary"}, {ID: "verdicts", Label: "Verdicts"}}
	if len(v.Breakdowns) > 0 {
		nav = append(nav, htmlui.Link{ID: "breakdowns", Label: "Breakdowns"})
	}
	nav = append(nav, htmlui.Link{ID: "problems", Label: "Problems"})
	if v.SlowestAsked {
		nav = append(nav, htmlui.Link{ID: "slowest", Label: "Slowest tests"})
	}
	nav = append(nav, htmlui.Link{ID: "reproduce", Label: "Reproducibility"})
	footer := "Made by scalebox report html"
	if opts.Source != "" {
		footer += " from " + opts.Source
	}
	footer += ". The page is self-contained: it fetches nothing and works offline."
	return render(w, reportTmpl, &htmlui.Page{
		Title: title, Subtitle: sub, Nav: nav, Footer: footer, Body: v, Data: data,
		Script: template.JS(problemsJS + "\nSBReport.report(SB.data(\"sb-data\"));\n"),
	})
}

// reportData is the JSON the report page's script reads.
type reportData struct {
	MetaKeys []string      `json:"meta_keys"`
	Problems []pageProblem `json:"problems"`
	// Base says whether samples have base_passed (HumanEval+, MBPP+).
	Base bool `json:"base"`
}

func reportPage(r *report.Report, opts Options) (*reportView, *reportData) {
	s := r.Summary
	v := &reportView{R: r, Source: opts.Source}
	for _, k := range sortedK(s.PassAtK) {
		v.PassAtK = append(v.PassAtK, card{Label: "pass@" + k, Value: htmlui.Percent(s.PassAtK[k])})
	}
	for _, k := range sortedK(s.BasePassAtK) {
		v.BasePassAtK = append(v.BasePassAtK, card{Label: "pass@" + k + " (base tests)", Value: htmlui.Percent(s.BasePassAtK[k])})
	}
	v.Counts = []card{
		{Label: "tasks scored", Value: strconv.Itoa(s.ScoredTasks), Note: "of " + strconv.Itoa(s.Tasks)},
		{Label: "samples", Value: strconv.Itoa(s.Samples)},
		{Label: "passed", Value: strconv.Itoa(s.Verdicts["AC"]), Note: htmlui.Percent(share(s.Verdicts["AC"], s.Samples)) + " of samples"},
		{Label: "system errors", Value: strconv.Itoa(s.SystemErrors), Note: "not scored"},
	}
	if s.TasksWithoutSamples > 0 {
		v.Counts = append(v.Counts, card{Label: "tasks without samples", Value: strconv.Itoa(s.TasksWithoutSamples)})
	}
	if s.UnknownSamples > 0 {
		v.Counts = append(v.Counts, card{Label: "unknown samples", Value: strconv.Itoa(s.UnknownSamples), Note: "tasks not in the benchmark"})
	}

	v.Verdicts = verdictBars("verdicts-samples", "Samples by verdict", "Each sample's verdict: that of its first failing test.", s.Verdicts, s.Samples)
	v.TestVerdicts = verdictBars("verdicts-tests", "Tests run, by verdict", "Tests that ran, by verdict (with early stop, a sample's tests after its first failure do not run).", s.TestVerdicts, total(s.TestVerdicts))

	keys := metaKeys(r)
	data := &reportData{MetaKeys: keys, Problems: make([]pageProblem, 0, len(r.Problems))}
	langs := map[string]*langAcc{}
	spread, multi := make([]int, 5), false
	for _, p := range r.Problems {
		pp := newPageProblem(p, keys)
		data.Problems = append(data.Problems, pp)
		for _, smp := range p.Samples {
			if smp.BasePassed != nil {
				data.Base = true
			}
			a := langs[smp.Language]
			if a == nil {
				a = &langAcc{}
				langs[smp.Language] = a
			}
			a.samples++
			if smp.Verdict != "SE" {
				a.scored++
				if smp.Passed {
					a.passed++
				}
			}
		}
		if pp.N > 1 {
			multi = true
		}
		if pp.N > 0 {
			spread[spreadBucket(pp.C, pp.N)]++
		}
	}
	for l := range langs {
		v.Languages = append(v.Languages, l)
	}
	sort.Strings(v.Languages)
	if multi {
		v.Spread = spreadBars(spread)
	}

	slowest := opts.Slowest
	if slowest == 0 {
		slowest = DefaultSlowest
	}
	ov := report.NewOverview(r, max(0, slowest))
	for _, bd := range ov.Breakdowns {
		v.Breakdowns = append(v.Breakdowns, breakdown(bd.Key, bd.Groups, "problems"))
	}
	if len(langs) > 1 {
		v.Breakdowns = append(v.Breakdowns, languageBreakdown(langs))
	}
	v.Slowest, v.SlowestAsked = ov.SlowestTests, slowest > 0

	v.reproducibility(r)
	return v, data
}

type langAcc struct{ samples, scored, passed int }

func share(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func total(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

func verdictBars(id, title, desc string, counts map[string]int, all int) htmlui.Bars {
	b := htmlui.Bars{ID: id, Title: title, Desc: desc}
	for _, vd := range sortedVerdicts(counts) {
		n := counts[vd]
		b.Rows = append(b.Rows, htmlui.BarRow{Label: vd, Values: []float64{float64(n)},
			Texts:    []string{fmt.Sprintf("%d (%s)", n, htmlui.Percent(share(n, all)))},
			Patterns: []htmlui.Pattern{htmlui.VerdictPattern(vd)}})
	}
	return b
}

// spreadBucket puts a problem's share of passing samples in one of five
// buckets: none, up to a quarter, up to a half, up to three quarters (all
// below 1), all.
func spreadBucket(c, n int) int {
	switch {
	case c == 0:
		return 0
	case c == n:
		return 4
	case 4*c <= n:
		return 1
	case 2*c <= n:
		return 2
	}
	return 3
}

func spreadBars(counts []int) *htmlui.Bars {
	labels := []string{"none pass", "≤ 25% pass", "≤ 50% pass", "< 100% pass", "all pass"}
	pats := []htmlui.Pattern{htmlui.Diagonal, htmlui.Dots, htmlui.Horizontal, htmlui.Vertical, htmlui.Solid}
	n := 0
	for _, c := range counts {
		n += c
	}
	b := &htmlui.Bars{ID: "spread", Title: "Problems by share of passing samples", Desc: "How many scored problems have none, some or all of their scored samples passing."}
	for i, c := range counts {
		b.Rows = append(b.Rows, htmlui.BarRow{Label: labels[i], Values: []float64{float64(c)},
			Texts: []string{fmt.Sprintf("%d (%s)", c, htmlui.Percent(share(c, n)))}, Patterns: []htmlui.Pattern{pats[i]}})
	}
	return b
}

func breakdown(key string, groups []report.Group, unit string) breakdownView {
	bv := breakdownView{Key: key, Unit: unit}
	bars := &htmlui.Bars{ID: "by-" + slug(key), Title: "pass@1 by " + key, Percent: true,
		Desc: "pass@1 (mean over scored " + unit + " of the share of passing samples) for each value of " + key + "; the text after each bar gives the number of scored " + unit + "."}
	for _, g := range groups {
		row := groupRow{Value: g.Value, Problems: g.Problems, Scored: g.Scored, PassAt1: "n/a"}
		val, text := math.NaN(), "n/a (none scored)"
		if g.PassAt1 != nil {
			val = *g.PassAt1
			row.PassAt1 = htmlui.Percent(val)
			text = fmt.Sprintf("%s of %d", row.PassAt1, g.Scored)
		}
		bv.Groups = append(bv.Groups, row)
		bars.Rows = append(bars.Rows, htmlui.BarRow{Label: g.Value, Values: []float64{val}, Texts: []string{text}})
	}
	if len(groups) <= maxChartRows {
		bv.Chart = bars
	}
	return bv
}

// languageBreakdown is the share of scored samples that passed, per
// language (a problem's samples may be in several).
func languageBreakdown(langs map[string]*langAcc) breakdownView {
	var names []string
	for l := range langs {
		names = append(names, l)
	}
	sort.Strings(names)
	var groups []report.Group
	for _, l := range names {
		a := langs[l]
		g := report.Group{Value: l, Problems: a.samples, Scored: a.scored}
		if a.scored > 0 {
			p := float64(a.passed) / float64(a.scored)
			g.PassAt1 = &p
		}
		groups = append(groups, g)
	}
	bv := breakdown("language", groups, "samples")
	bv.Chart.Title = "Passing samples by language"
	bv.Chart.Desc = "The share of scored samples that passed, per language; the text after each bar gives the number of scored samples."
	return bv
}

// slug makes an id attribute from a key.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

func (v *reportView) reproducibility(r *report.Report) {
	t := r.Tool
	tool := t.Name + " " + t.Version
	if t.Commit != "" {
		tool += " (commit " + t.Commit + ")"
	}
	b := r.Benchmark
	v.Benchmark = []kv{
		{Key: "tool", Value: tool},
		{Key: "benchmark", Value: b.Name + " " + b.Version},
		{Key: "data sha256", Value: b.SHA256, Code: true},
		{Key: "data path", Value: b.DataPath, Code: true},
		{Key: "origin", Value: b.Origin, Code: true},
		{Key: "problems in the benchmark", Value: strconv.Itoa(b.Problems)},
	}
	v.Run = []kv{
		{Key: "samples file", Value: r.Run.SamplesPath, Code: true},
		{Key: "samples sha256", Value: r.Run.SamplesSHA256, Code: true},
		{Key: "early stop", Value: r.Run.EarlyStop},
		{Key: "retries after a system error", Value: strconv.Itoa(r.Run.Retries)},
	}
	sb := r.Sandbox
	backend := sb.Backend
	if sb.Version != "" {
		backend += " " + sb.Version
	}
	v.Sandbox = []kv{
		{Key: "backend", Value: backend},
		{Key: "cgroup", Value: sb.Cgroup},
		{Key: "host uid", Value: strconv.Itoa(sb.HostUID)},
		{Key: "isolation", Value: strings.Join(sb.Isolation, ", ")},
	}
	for _, w := range sb.Warnings {
		v.Sandbox = append(v.Sandbox, kv{Key: "warning", Value: w})
	}
	l := sb.Limits
	ms := func(n int64) string { return strconv.FormatInt(n, 10) + " ms" }
	v.Limits = []kv{
		{Key: "CPU time", Value: ms(l.CPUTimeMS)},
		{Key: "wall time", Value: ms(l.WallTimeMS)},
		{Key: "memory", Value: htmlui.Bytes(l.MemoryBytes)},
		{Key: "output", Value: htmlui.Bytes(l.OutputBytes)},
		{Key: "file size", Value: htmlui.Bytes(l.FileSizeBytes)},
		{Key: "processes", Value: strconv.Itoa(l.Processes)},
		{Key: "tmpfs", Value: htmlui.Bytes(l.TmpfsBytes)},
		{Key: "compile CPU time", Value: ms(l.CompileCPUMS)},
		{Key: "compile memory", Value: htmlui.Bytes(l.CompileMemBytes)},
	}
	e := r.Environment
	v.Environment = []kv{
		{Key: "system", Value: e.OS + "/" + e.Arch},
		{Key: "kernel", Value: e.Kernel},
		{Key: "CPUs", Value: strconv.Itoa(e.CPUs)},
	}
	var langs []string
	for l := range e.Toolchains {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		v.Toolchains = append(v.Toolchains, kv{Key: l, Value: e.Toolchains[l], Code: true})
	}
	if r.Config != nil {
		v.Config = prettyJSON(r.Config)
	}
	if tm := r.Timing; tm != nil {
		v.Timing = []kv{
			{Key: "started", Value: tm.Started},
			{Key: "finished", Value: tm.Finished},
			{Key: "wall time", Value: strconv.FormatFloat(tm.WallSeconds, 'f', -1, 64) + " s"},
			{Key: "jobs", Value: strconv.Itoa(tm.Jobs)},
			{Key: "tests run", Value: strconv.Itoa(tm.TestsRun)},
			{Key: "tests per second", Value: strconv.FormatFloat(tm.TestsPerSecond, 'f', -1, 64)},
			{Key: "builds", Value: strconv.FormatInt(tm.Compiles, 10)},
		}
	}
	v.Unknown = r.UnknownSamples
	if len(v.Unknown) > maxListedIDs {
		v.UnknownMore = len(v.Unknown) - maxListedIDs
		v.Unknown = v.Unknown[:maxListedIDs]
	}
}

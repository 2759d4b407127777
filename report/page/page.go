// Package page renders scalebox reports and comparisons as self-contained
// HTML pages (scalebox report html, scalebox compare --html): the summary
// and charts drawn as SVG when the page is made, the per-problem table and
// each failing sample's deciding test rendered in the browser, a page at a
// time, from JSON embedded in the page, so that a report of tens of
// thousands of samples opens quickly. Nothing is fetched from outside.
//
// The numbers are the report package's: the summary as eval wrote it,
// breakdowns and slowest tests from report.NewOverview, comparisons from
// report.Compare. The output is deterministic: the same report gives the
// same bytes.
package page

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scalebox-dev/scalebox/internal/htmlui"
	"github.com/scalebox-dev/scalebox/report"
)

//go:embed assets
var assets embed.FS

func asset(name string) string {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	return string(b)
}

var (
	problemsJS = asset("problems.js")
	reportTmpl = template.Must(htmlui.New("report", asset("report.tmpl")))
	cmpTmpl    = template.Must(htmlui.New("compare", asset("compare.tmpl")))
)

// Bounds on what the page copies from a report, so that pages of large
// reports stay quick to open: a sample's message (a compiler's output can
// be long), the lists of task ids, the chart rows of one breakdown.
const (
	messageBytes = 2 << 10
	maxListedIDs = 1000
	maxChartRows = 40
)

// DefaultSlowest is how many of the slowest tests a report page lists
// unless Options say otherwise.
const DefaultSlowest = 20

// Options tune a page.
type Options struct {
	// Source names the report file in the page ("" leaves it out).
	Source string
	// Slowest is how many of the slowest tests to list; 0 lists
	// DefaultSlowest, a negative number none.
	Slowest int
}

// verdictOrder is the order verdicts are listed in.
var verdictOrder = []string{"AC", "WA", "TLE", "MLE", "OLE", "RE", "CE", "SE"}

// sortedVerdicts lists the verdicts of counts in verdictOrder, unknown
// ones after, sorted.
func sortedVerdicts(counts map[string]int) []string {
	var out, other []string
	for _, v := range verdictOrder {
		if counts[v] > 0 {
			out = append(out, v)
		}
	}
	for v, n := range counts {
		if n > 0 && !slices.Contains(verdictOrder, v) {
			other = append(other, v)
		}
	}
	sort.Strings(other)
	return append(out, other...)
}

// sortedK sorts pass@k keys by k.
func sortedK(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, _ := strconv.Atoi(keys[i])
		b, _ := strconv.Atoi(keys[j])
		if a != b {
			return a < b
		}
		return keys[i] < keys[j]
	})
	return keys
}

// cut shortens s to n bytes at a rune boundary, saying so.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + fmt.Sprintf("\n… (cut: %d bytes in all; the report has the rest)", len(s))
}

// pageProblem is a report's problem as the page's script shows it.
type pageProblem struct {
	ID string `json:"id"`
	// Meta holds the problem's value for each key of pageData.MetaKeys,
	// "" where it has none.
	Meta    []string `json:"meta,omitempty"`
	Checker string   `json:"checker,omitempty"`
	// N counts the scored (non-SE) samples, C the passing ones.
	N       int          `json:"n"`
	C       int          `json:"c"`
	Samples []pageSample `json:"s"`
}

type pageSample struct {
	Index       int    `json:"i"`
	Line        int    `json:"line,omitempty"`
	Language    string `json:"lang,omitempty"`
	Verdict     string `json:"v"`
	BasePassed  *bool  `json:"base,omitempty"`
	TestsPassed int    `json:"tp"`
	TestsTotal  int    `json:"tt"`
	// Inputs is set for function problems (HumanEval+, MBPP+), whose
	// tests_total counts inputs while their tests are runs of many inputs
	// each: the page then speaks of inputs.
	Inputs  bool   `json:"inputs,omitempty"`
	Message string `json:"msg,omitempty"`
	// Compile is the build's message when it failed and differs from
	// Message.
	Compile string `json:"compile,omitempty"`
	// Test is the deciding test: the first listed test with the sample's
	// verdict.
	Test *pageTest `json:"test,omitempty"`
}

type pageTest struct {
	Index      int          `json:"i"`
	Verdict    string       `json:"v"`
	Message    string       `json:"msg,omitempty"`
	Stderr     string       `json:"stderr,omitempty"`
	ExitCode   *int         `json:"exit,omitempty"`
	Signal     int          `json:"signal,omitempty"`
	Group      string       `json:"group,omitempty"`
	Inputs     int          `json:"inputs,omitempty"`
	CPUTimeMS  *float64     `json:"cpu_ms,omitempty"`
	WallTimeMS *float64     `json:"wall_ms,omitempty"`
	MemoryKiB  int64        `json:"mem_kib,omitempty"`
	StoppedBy  string       `json:"stopped_by,omitempty"`
	Case       *report.Case `json:"case,omitempty"`
}

// metaKeys are the keys of the problems' meta, sorted.
func metaKeys(r *report.Report) []string {
	set := map[string]bool{}
	for _, p := range r.Problems {
		for k := range p.Meta {
			set[k] = true
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func newPageProblem(p report.Problem, keys []string) pageProblem {
	tc := report.ProblemCount(p)
	pp := pageProblem{ID: p.TaskID, N: tc.N, C: tc.C, Samples: make([]pageSample, 0, len(p.Samples))}
	if len(keys) > 0 {
		pp.Meta = make([]string, len(keys))
		for i, k := range keys {
			pp.Meta[i] = p.Meta[k]
		}
	}
	if c := p.Checker; c != nil {
		pp.Checker = c.Name + " (" + c.Protocol + ", from " + c.Origin + ")"
	}
	for _, s := range p.Samples {
		pp.Samples = append(pp.Samples, newPageSample(s))
	}
	return pp
}

func newPageSample(s report.Sample) pageSample {
	ps := pageSample{Index: s.Index, Line: s.Line, Language: s.Language, Verdict: s.Verdict, BasePassed: s.BasePassed,
		TestsPassed: s.TestsPassed, TestsTotal: s.TestsTotal, Message: cut(s.Message, messageBytes)}
	for _, t := range s.Tests {
		if t.Inputs > 0 {
			ps.Inputs = true
		}
	}
	if c := s.Compile; c != nil && !c.OK && c.Message != s.Message {
		ps.Compile = cut(c.Message, messageBytes)
	}
	if s.Verdict == "AC" {
		return ps
	}
	for _, t := range s.Tests {
		if t.Verdict != s.Verdict {
			continue
		}
		pt := &pageTest{Index: t.Index, Verdict: t.Verdict, Message: cut(t.Message, messageBytes), Stderr: t.Stderr,
			ExitCode: t.ExitCode, Signal: t.Signal, Group: t.Group, Inputs: t.Inputs, Case: t.Case}
		if u := t.Usage; u != nil {
			cpu, wall := u.CPUTimeMS, u.WallTimeMS
			pt.CPUTimeMS, pt.WallTimeMS, pt.MemoryKiB, pt.StoppedBy = &cpu, &wall, u.MemoryKiB, u.StoppedBy
		}
		ps.Test = pt
		break
	}
	return ps
}

// render executes a page into a buffer, so that a failure writes nothing.
func render(w io.Writer, t *template.Template, p *htmlui.Page) error {
	var buf bytes.Buffer
	if err := htmlui.Render(&buf, t, p); err != nil {
		return fmt.Errorf("render page: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type kv = htmlui.KV

// prettyJSON indents v as JSON for people.
func prettyJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// idList is a list of task ids, at most maxListedIDs of them shown.
type idList struct {
	Name  string
	IDs   []string
	Total int
}

func newIDList(name string, ids []string) idList {
	l := idList{Name: name, IDs: ids, Total: len(ids)}
	if len(ids) > maxListedIDs {
		l.IDs = ids[:maxListedIDs]
	}
	return l
}

// More counts the ids left out.
func (l idList) More() int { return l.Total - len(l.IDs) }

func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// unsetValue is report's group of problems without a metadata key.
const unsetValue = "(unset)"

// sortedValues sorts metadata values, "(unset)" last, as report does.
func sortedValues(vs []string) []string {
	out := append([]string(nil), vs...)
	sort.Slice(out, func(i, j int) bool {
		if (out[i] == unsetValue) != (out[j] == unsetValue) {
			return out[j] == unsetValue
		}
		return out[i] < out[j]
	})
	return out
}

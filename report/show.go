package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// Overview is what `scalebox report show` prints: the summary, pass@1 by
// each problem metadata key, and the slowest tests.
type Overview struct {
	Benchmark   Benchmark          `json:"benchmark"`
	Summary     Summary            `json:"summary"`
	BasePassAtK map[string]float64 `json:"base_pass_at_k,omitempty"`
	// Breakdowns has one entry per metadata key, sorted by key; absent
	// when the report carries no problem metadata.
	Breakdowns []Breakdown `json:"breakdowns,omitempty"`
	// SlowestTests are the tests with the most CPU time, most first;
	// absent when the report has no usage (for example after
	// strip-timings).
	SlowestTests []SlowTest `json:"slowest_tests,omitempty"`

	report *Report
}

// Breakdown is pass@1 per value of one metadata key.
type Breakdown struct {
	Key    string  `json:"key"`
	Groups []Group `json:"groups"`
}

// Group is the problems of the report with one value of a metadata key
// ("(unset)" for those without the key). PassAt1 is the mean over its
// scored problems of c/n, n counting non-SE samples; nil when none is
// scored.
type Group struct {
	Value    string   `json:"value"`
	Problems int      `json:"problems"`
	Scored   int      `json:"scored"`
	PassAt1  *float64 `json:"pass_at_1"`
}

// SlowTest is one test and what it used.
type SlowTest struct {
	TaskID     string  `json:"task_id"`
	Sample     int     `json:"sample"`
	Test       int     `json:"test"`
	Verdict    string  `json:"verdict"`
	CPUTimeMS  float64 `json:"cpu_time_ms"`
	WallTimeMS float64 `json:"wall_time_ms"`
	MemoryKiB  int64   `json:"memory_kib"`
}

// unsetValue is the group of problems that lack a metadata key.
const unsetValue = "(unset)"

// NewOverview summarizes r and lists its slowest tests, at most slowest of
// them, by usage.cpu_time_ms; ties keep report order.
func NewOverview(r *Report, slowest int) *Overview {
	o := &Overview{Benchmark: r.Benchmark, Summary: r.Summary, report: r}
	if len(r.Summary.BasePassAtK) > 0 {
		o.BasePassAtK = r.Summary.BasePassAtK
	}
	meta := map[string]map[string]string{}
	for _, p := range r.Problems {
		if len(p.Meta) > 0 {
			meta[p.TaskID] = p.Meta
		}
	}
	o.Breakdowns = breakdowns(r, meta)
	var tests []SlowTest
	for _, p := range r.Problems {
		for _, s := range p.Samples {
			for _, t := range s.Tests {
				if t.Usage == nil {
					continue
				}
				tests = append(tests, SlowTest{
					TaskID: p.TaskID, Sample: s.Index, Test: t.Index, Verdict: t.Verdict,
					CPUTimeMS: t.Usage.CPUTimeMS, WallTimeMS: t.Usage.WallTimeMS, MemoryKiB: t.Usage.MemoryKiB,
				})
			}
		}
	}
	sort.SliceStable(tests, func(i, j int) bool { return tests[i].CPUTimeMS > tests[j].CPUTimeMS })
	if len(tests) > slowest {
		tests = tests[:max(0, slowest)]
	}
	if len(tests) > 0 {
		o.SlowestTests = tests
	}
	return o
}

func breakdowns(r *Report, meta map[string]map[string]string) []Breakdown {
	if len(meta) == 0 {
		return nil
	}
	keys := map[string]bool{}
	for _, m := range meta {
		for k := range m {
			keys[k] = true
		}
	}
	var out []Breakdown
	for _, key := range sortedKeys(keys) {
		type acc struct {
			problems, scored int
			sum              float64
		}
		groups := map[string]*acc{}
		for _, p := range r.Problems {
			v, ok := meta[p.TaskID][key]
			if !ok {
				v = unsetValue
			}
			a := groups[v]
			if a == nil {
				a = &acc{}
				groups[v] = a
			}
			a.problems++
			if tc := ProblemCount(p); tc.N > 0 {
				a.scored++
				a.sum += float64(tc.C) / float64(tc.N)
			}
		}
		values := make(map[string]bool, len(groups))
		for v := range groups {
			values[v] = true
		}
		b := Breakdown{Key: key}
		for _, v := range sortedKeys(values) {
			a := groups[v]
			g := Group{Value: v, Problems: a.problems, Scored: a.scored}
			if a.scored > 0 {
				p := a.sum / float64(a.scored)
				g.PassAt1 = &p
			}
			b.Groups = append(b.Groups, g)
		}
		out = append(out, b)
	}
	return out
}

// sortedKeys sorts a set, with unsetValue last.
func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i] == unsetValue) != (out[j] == unsetValue) {
			return out[j] == unsetValue
		}
		return out[i] < out[j]
	})
	return out
}

// WriteText renders the overview for people: the report's summary table,
// then the base-test pass@k, the breakdowns and the slowest tests.
func (o *Overview) WriteText(w io.Writer) error {
	var b strings.Builder
	r := o.report
	if r == nil {
		r = &Report{Benchmark: o.Benchmark, Summary: o.Summary}
	}
	if err := r.WriteText(&b, false); err != nil {
		return err
	}
	if len(o.BasePassAtK) > 0 {
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		for _, k := range sortedK(o.BasePassAtK) {
			fmt.Fprintf(tw, "pass@%s (base tests)\t%.2f%%\n", k, 100*o.BasePassAtK[k])
		}
		tw.Flush()
	}
	for _, bd := range o.Breakdowns {
		fmt.Fprintf(&b, "\nby %s:\n", bd.Key)
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "%s\tproblems\tscored\tpass@1\n", bd.Key)
		for _, g := range bd.Groups {
			p := "n/a"
			if g.PassAt1 != nil {
				p = fmt.Sprintf("%.2f%%", 100**g.PassAt1)
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", g.Value, g.Problems, g.Scored, p)
		}
		tw.Flush()
	}
	if len(o.SlowestTests) > 0 {
		fmt.Fprintf(&b, "\nslowest tests by CPU time:\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "task\tsample\ttest\tverdict\tcpu ms\twall ms\tmemory KiB")
		for _, t := range o.SlowestTests {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.1f\t%.1f\t%d\n", t.TaskID, t.Sample, t.Test, t.Verdict, t.CPUTimeMS, t.WallTimeMS, t.MemoryKiB)
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

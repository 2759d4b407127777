package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// synth builds a summarized report of benchmark "b" version "1" from
// per-task sample verdicts ("AC" passes; "SE" is a system error).
func synth(verdicts map[string][]string, ks ...int) *Report {
	r := &Report{SchemaVersion: SchemaVersion, Benchmark: Benchmark{Name: "b", Version: "1", SHA256: "abc", Problems: len(verdicts)}}
	ids := make([]string, 0, len(verdicts))
	for id := range verdicts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := Problem{TaskID: id}
		for i, v := range verdicts[id] {
			p.Samples = append(p.Samples, Sample{Index: i, Verdict: v, Passed: v == "AC", Tests: []Test{{Verdict: v}}})
		}
		r.Problems = append(r.Problems, p)
	}
	if len(ks) == 0 {
		ks = []int{1}
	}
	r.Summarize(ks)
	return r
}

// singles is a single-sample report of tasks t00…t(n−1) where the tasks in
// pass pass.
func singles(n int, pass func(i int) bool) *Report {
	v := map[string][]string{}
	for i := range n {
		verdict := "WA"
		if pass(i) {
			verdict = "AC"
		}
		v[fmt.Sprintf("t%02d", i)] = []string{verdict}
	}
	return synth(v)
}

func in(path string, r *Report) Input { return Input{Path: path, Report: r} }

var approx = cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })

func TestCompareFlips(t *testing.T) {
	// Base solves t00–t07, new solves t00–t05 and t08.
	base := singles(10, func(i int) bool { return i < 8 })
	next := singles(10, func(i int) bool { return i < 6 || i == 8 })
	c, err := Compare(in("base.json", base), in("new.json", next), CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Flip{{"t08", 0, 1}}, c.Fixed); diff != "" {
		t.Errorf("fixed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Flip{{"t06", 1, 0}, {"t07", 1, 0}}, c.Broken); diff != "" {
		t.Errorf("broken (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(McNemar{Rule: McNemarSingleSample, BaseOnly: 2, NewOnly: 1, PValue: 1}, c.McNemar); diff != "" {
		t.Errorf("McNemar (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Metric{{K: 1, Base: 0.8, New: 0.7, Difference: -0.1}}, c.PassAtK, approx); diff != "" {
		t.Errorf("pass@k (-want +got):\n%s", diff)
	}
	m := c.PassAt1
	if c.Paired != 10 || math.Abs(m.Difference+0.1) > 1e-12 || !m.CI.Contains(m.Difference) || m.Resamples != DefaultResamples || m.Confidence != DefaultConfidence {
		t.Errorf("paired %d, pass@1 %+v", c.Paired, m)
	}
	if c.Verdict != VerdictNoSignificant {
		t.Errorf("verdict %q, want %q", c.Verdict, VerdictNoSignificant)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings %q", c.Warnings)
	}
}

func TestCompareSignificantRegressionAndGate(t *testing.T) {
	// 200 single-sample problems; new loses 40 that base solved: −20 pp,
	// McNemar b = 40, c = 0, p = 2·2^−40.
	base := singles(200, func(int) bool { return true })
	next := singles(200, func(i int) bool { return i >= 40 })
	c, err := Compare(in("b", base), in("n", next), CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict != VerdictRegression || c.PassAt1.CI.High >= 0 || math.Abs(c.McNemar.PValue-math.Ldexp(1, -39)) > 1e-20 {
		t.Fatalf("verdict %q, CI %v, McNemar %+v", c.Verdict, c.PassAt1.CI, c.McNemar)
	}
	for _, tt := range []struct {
		maxDropPP float64
		failed    bool
	}{{1, true}, {19.99, true}, {20, false}, {25, false}} {
		c.ApplyGate(tt.maxDropPP)
		if c.Gate.Failed != tt.failed {
			t.Errorf("gate %v pp: failed %v, want %v", tt.maxDropPP, c.Gate.Failed, tt.failed)
		}
	}
	// The reverse is an improvement and never fails a gate.
	c, _ = Compare(in("n", next), in("b", base), CompareOptions{Seed: 1})
	c.ApplyGate(0)
	if c.Verdict != VerdictImprovement || c.Gate.Failed {
		t.Errorf("reverse: verdict %q, gate %+v", c.Verdict, c.Gate)
	}
}

// TestCompareMcNemarGuardsSmallCounts: five problems lost out of 164 give a
// bootstrap interval below zero, but McNemar's p = 2/32 is not below 0.05,
// so single-sample reports do not count it as significant.
func TestCompareMcNemarGuardsSmallCounts(t *testing.T) {
	base := singles(164, func(i int) bool { return i%2 == 0 || i < 10 })
	next := singles(164, func(i int) bool { return (i%2 == 0 || i < 10) && !(i >= 1 && i <= 9 && i%2 == 1) })
	c, err := Compare(in("b", base), in("n", next), CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c.McNemar.BaseOnly != 5 || c.McNemar.NewOnly != 0 || c.McNemar.PValue != 0.0625 {
		t.Fatalf("McNemar %+v", c.McNemar)
	}
	if c.PassAt1.CI.High >= 0 {
		t.Fatalf("CI %v: the bootstrap alone should call this a drop", c.PassAt1.CI)
	}
	c.ApplyGate(0)
	if c.Verdict != VerdictNoSignificant || c.Gate.Failed {
		t.Errorf("verdict %q, gate %+v: want no significant difference", c.Verdict, c.Gate)
	}
}

// TestCompareMultiSample: with several samples per problem the rule is the
// bootstrap interval alone; McNemar pairs majority-solved problems and is
// only shown.
func TestCompareMultiSample(t *testing.T) {
	bv, nv := map[string][]string{}, map[string][]string{}
	for i := range 30 {
		id := fmt.Sprintf("t%02d", i)
		bv[id] = []string{"AC", "AC", "AC", "AC"}
		nv[id] = []string{"AC", "WA", "AC", "TLE"}
	}
	// 3/3: unchanged; its 3 scored samples leave pass@4 out of new's summary.
	nv["t00"] = []string{"AC", "SE", "AC", "AC"}
	c, err := Compare(in("b", synth(bv, 1, 4)), in("n", synth(nv, 1, 4)), CompareOptions{Seed: 1, Resamples: 500})
	if err != nil {
		t.Fatal(err)
	}
	if c.McNemar.Rule != McNemarMajority || c.McNemar.PValue != 1 {
		t.Errorf("McNemar %+v, want majority rule with p 1", c.McNemar)
	}
	if c.Verdict != VerdictRegression || len(c.Broken) != 29 || len(c.Fixed) != 0 {
		t.Errorf("verdict %q, %d broken, %d fixed", c.Verdict, len(c.Broken), len(c.Fixed))
	}
	if diff := cmp.Diff([]Metric{{K: 1, Base: 1, New: (1 + 29*0.5) / 30, Difference: (1+29*0.5)/30 - 1}}, c.PassAtK, approx); diff != "" {
		t.Errorf("pass@k (-want +got):\n%s", diff)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "1 samples are system errors") {
		t.Errorf("warnings %q", c.Warnings)
	}
}

func TestCompareRefusesOtherBenchmarks(t *testing.T) {
	base := singles(3, func(int) bool { return true })
	for _, tt := range []struct {
		name   string
		change func(*Benchmark)
		want   string
	}{
		{"name", func(b *Benchmark) { b.Name = "other" }, `benchmark differs: base "b", new "other"`},
		{"version", func(b *Benchmark) { b.Version = "2" }, `benchmark version differs: base "1", new "2"`},
		{"data", func(b *Benchmark) { b.SHA256 = "def" }, "benchmark data differs: base sha256 abc, new sha256 def"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			next := singles(3, func(int) bool { return true })
			tt.change(&next.Benchmark)
			_, err := Compare(in("b", base), in("n", next), CompareOptions{})
			var me *MismatchError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a mismatch naming %q", err, tt.want)
			}
			c, err := Compare(in("b", base), in("n", next), CompareOptions{Force: true})
			if err != nil {
				t.Fatalf("forced: %v", err)
			}
			if diff := cmp.Diff([]string{tt.want + " (compared anyway: forced)"}, c.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompareUnpaired(t *testing.T) {
	base := synth(map[string][]string{"a": {"AC"}, "b": {"AC"}, "c": {"WA"}})
	next := synth(map[string][]string{"b": {"WA"}, "c": {"SE"}, "d": {"AC"}})
	c, err := Compare(in("b", base), in("n", next), CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := [][]string{c.OnlyInBase, c.OnlyInNew, c.Unscored, flipIDs(c.Broken)}
	if diff := cmp.Diff([][]string{{"a"}, {"d"}, {"c"}, {"b"}}, got); diff != "" {
		t.Errorf("only in base, only in new, unscored, broken (-want +got):\n%s", diff)
	}
	if c.Paired != 1 || len(c.Warnings) != 2 || !strings.Contains(c.Warnings[1], "3 problems are not in both reports") {
		t.Errorf("paired %d, warnings %q", c.Paired, c.Warnings)
	}

	_, err = Compare(in("b.json", synth(map[string][]string{"a": {"AC"}})), in("n.json", synth(map[string][]string{"z": {"AC"}})), CompareOptions{})
	if err == nil || !strings.Contains(err.Error(), "b.json and n.json have no scored problem in common") {
		t.Errorf("nothing in common: err = %v", err)
	}
	dup := synth(map[string][]string{"a": {"AC"}})
	dup.Problems = append(dup.Problems, dup.Problems[0])
	if _, err := Compare(in("d.json", dup), in("n", synth(map[string][]string{"a": {"AC"}})), CompareOptions{}); err == nil || !strings.Contains(err.Error(), `d.json: task "a" appears twice`) {
		t.Errorf("duplicate task: err = %v", err)
	}
	for _, opts := range []CompareOptions{{Confidence: 1.5}, {Resamples: -1}} {
		if _, err := Compare(in("b", base), in("n", next), opts); err == nil {
			t.Errorf("options %+v accepted", opts)
		}
	}
}

func TestCompareBasePassAtK(t *testing.T) {
	base := synth(map[string][]string{"a": {"AC"}, "b": {"WA"}}, 1, 10)
	next := synth(map[string][]string{"a": {"AC"}, "b": {"AC"}}, 1)
	base.Summary.BasePassAtK = map[string]float64{"1": 0.75, "10": 0.9}
	next.Summary.BasePassAtK = map[string]float64{"1": 1}
	c, err := Compare(Input{"b", base}, Input{"n", next}, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Metric{{K: 1, Base: 0.75, New: 1, Difference: 0.25}}, c.BasePassAtK); diff != "" {
		t.Errorf("base pass@k (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Metric{{K: 1, Base: 0.5, New: 1, Difference: 0.5}}, c.PassAtK); diff != "" {
		t.Errorf("pass@k (-want +got):\n%s", diff)
	}
	next.Summary.BasePassAtK = nil
	c, _ = Compare(Input{"b", base}, Input{"n", next}, CompareOptions{})
	if c.BasePassAtK != nil {
		t.Errorf("only one side has base pass@k, got %v", c.BasePassAtK)
	}
}

func TestComparisonJSONFieldNames(t *testing.T) {
	base := singles(4, func(i int) bool { return i < 2 })
	next := singles(4, func(i int) bool { return i < 3 })
	c, err := Compare(in("b", base), in("n", next), CompareOptions{Seed: 1, Resamples: 100})
	if err != nil {
		t.Fatal(err)
	}
	c.ApplyGate(1)
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	json.Unmarshal(data, &top)
	var keys []string
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"base", "broken", "fixed", "gate", "mcnemar", "new", "only_in_base", "only_in_new", "paired_pass_at_1", "paired_problems", "pass_at_k", "unscored", "verdict", "warnings"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("top-level keys (-want +got):\n%s", diff)
	}
	for _, s := range []string{`"fixed":[{"task_id":"t02","base":0,"new":1}]`, `"broken":[]`, `"ci":{"low":`, `"base_only_solved":0,"new_only_solved":1,"p_value":1`, `"gate":{"max_drop_pp":1,"failed":false}`} {
		if !strings.Contains(string(data), s) {
			t.Errorf("JSON lacks %s:\n%s", s, data)
		}
	}
}

func TestComparisonMarkdownAndText(t *testing.T) {
	base := singles(4, func(i int) bool { return i < 3 })
	next := singles(4, func(i int) bool { return i == 0 || i == 3 })
	c, err := Compare(in("base.json", base), in("new.json", next), CompareOptions{Seed: 1, Resamples: 1000})
	if err != nil {
		t.Fatal(err)
	}
	c.ApplyGate(1)
	var md strings.Builder
	if err := c.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	ci := c.PassAt1.CI
	want := `### scalebox compare: b 1

| metric | base | new | difference |
|---|---:|---:|---:|
| pass@1 | 75.00% | 50.00% | -25.00 pp |
| paired pass@1 (4 problems) | 75.00% | 50.00% | -25.00 pp |
| 95% bootstrap CI of the difference | | | [` + fmt.Sprintf("%+.2f, %+.2f", 100*ci.Low, 100*ci.High) + `] pp |
| McNemar exact p (single-sample; 2 base-only, 1 new-only) | | | 1 |

⚪ **no significant difference: pass@1 75.00% → 50.00% (-25.00 pp, 95% CI [` + fmt.Sprintf("%+.2f, %+.2f", 100*ci.Low, 100*ci.High) + `] pp, McNemar p = 1) over 4 paired problems; 1 fixed, 2 broken; passes the gate (no significant drop of more than 1 pp)**

<details><summary>Fixed (1)</summary>

- ` + "`t03`" + `

</details>

<details><summary>Broken (2)</summary>

- ` + "`t01`" + `
- ` + "`t02`" + `

</details>
`
	if diff := cmp.Diff(want, md.String()); diff != "" {
		t.Errorf("markdown (-want +got):\n%s", diff)
	}
	var txt strings.Builder
	if err := c.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"base: base.json  (b 1, samples sha256 (none))", "pass@1         75.00%  50.00%  -25.00 pp\n",
		"paired problems: 4 (only in base: 0", "McNemar exact test (single-sample): solved by base only 2, by new only 1, p = 1",
		"fixed (1): t03\n", "broken (2): t01, t02\n", "95% bootstrap CI of the difference"} {
		if !strings.Contains(txt.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, txt.String())
		}
	}
}

func TestMdEscape(t *testing.T) {
	if got, want := mdEscape("a|b*c_d<e>`"), `a\|b\*c\_d&lt;e&gt;`+"\\`"; got != want {
		t.Errorf("mdEscape = %q, want %q", got, want)
	}
}

package report

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSummarizeBreakdowns: pass@1 per value of each metadata key, on a
// synthetic set. pass@1 of a group is the mean over its scored tasks of
// c/n; SE samples count in neither; a task without the key falls under
// (unset); a task with only SE samples counts in tasks, not scored_tasks.
func TestSummarizeBreakdowns(t *testing.T) {
	smp := func(verdicts ...string) []Sample {
		var out []Sample
		for i, v := range verdicts {
			out = append(out, Sample{Index: i, Verdict: v, Passed: v == "AC"})
		}
		return out
	}
	meta := func(d, p, m string) map[string]string {
		return map[string]string{"difficulty": d, "platform": p, "contest_month": m}
	}
	r := &Report{SchemaVersion: SchemaVersion, Benchmark: Benchmark{Name: "lcb", Problems: 6}}
	r.Problems = []Problem{
		{TaskID: "e1", Meta: meta("easy", "atcoder", "2024-01"), Samples: smp("AC", "AC", "WA", "AC")},     // 3/4
		{TaskID: "e2", Meta: meta("easy", "leetcode", "2024-01"), Samples: smp("WA", "SE", "AC")},          // 1/2
		{TaskID: "m1", Meta: meta("medium", "leetcode", "2024-02"), Samples: smp("TLE", "RE", "CE", "WA")}, // 0/4
		{TaskID: "h1", Meta: meta("hard", "codeforces", "2024-02"), Samples: smp("SE", "SE")},              // unscored
		{TaskID: "x1", Meta: map[string]string{"difficulty": "easy"}, Samples: smp("AC")},                  // 1/1
		{TaskID: "n1", Samples: smp("WA")}, // 0/1
	}
	r.Summarize([]int{1})
	f := func(x float64) *float64 { return &x }
	want := map[string]map[string]BreakdownGroup{
		"difficulty": {
			"easy":    {Tasks: 3, ScoredTasks: 3, PassAt1: f((0.75 + 0.5 + 1) / 3)},
			"medium":  {Tasks: 1, ScoredTasks: 1, PassAt1: f(0)},
			"hard":    {Tasks: 1, ScoredTasks: 0},
			"(unset)": {Tasks: 1, ScoredTasks: 1, PassAt1: f(0)},
		},
		"platform": {
			"atcoder":    {Tasks: 1, ScoredTasks: 1, PassAt1: f(0.75)},
			"leetcode":   {Tasks: 2, ScoredTasks: 2, PassAt1: f(0.25)},
			"codeforces": {Tasks: 1, ScoredTasks: 0},
			"(unset)":    {Tasks: 2, ScoredTasks: 2, PassAt1: f(0.5)},
		},
		"contest_month": {
			"2024-01": {Tasks: 2, ScoredTasks: 2, PassAt1: f(0.625)},
			"2024-02": {Tasks: 2, ScoredTasks: 1, PassAt1: f(0)},
			"(unset)": {Tasks: 2, ScoredTasks: 2, PassAt1: f(0.5)},
		},
	}
	if diff := cmp.Diff(want, r.Summary.Breakdowns); diff != "" {
		t.Errorf("breakdowns (-want +got):\n%s", diff)
	}
	// In the JSON report: summary.breakdowns.KEY.VALUE.{tasks, scored_tasks, pass_at_1}.
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary struct {
			Breakdowns map[string]map[string]map[string]any `json:"breakdowns"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Summary.Breakdowns["platform"]["leetcode"]; got["tasks"] != 2.0 || got["scored_tasks"] != 2.0 || got["pass_at_1"] != 0.25 {
		t.Errorf("JSON platform=leetcode: %v", got)
	}
	if _, ok := doc.Summary.Breakdowns["difficulty"]["hard"]["pass_at_1"]; ok {
		t.Errorf("JSON difficulty=hard has pass_at_1 without scored tasks")
	}
	// Without metadata there is no breakdowns field.
	r2 := &Report{Problems: []Problem{{TaskID: "a", Samples: smp("AC")}}}
	r2.Summarize([]int{1})
	if r2.Summary.Breakdowns != nil {
		t.Errorf("breakdowns without meta: %v", r2.Summary.Breakdowns)
	}
}

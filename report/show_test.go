package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// withExtras writes r to a file with summary.base_pass_at_k and
// problems[].meta added to its JSON, as a newer writer would.
func withExtras(t *testing.T, r *Report, basePassAtK map[string]float64, meta map[string]map[string]any) string {
	t.Helper()
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if basePassAtK != nil {
		doc["summary"].(map[string]any)["base_pass_at_k"] = basePassAtK
	}
	for _, p := range doc["problems"].([]any) {
		p := p.(map[string]any)
		if m, ok := meta[p["task_id"].(string)]; ok {
			p["meta"] = m
		}
	}
	out, _ := json.Marshal(doc)
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// squash collapses runs of spaces, so tests do not depend on column widths.
func squash(s string) string {
	return regexp.MustCompile(` +`).ReplaceAllString(s, " ")
}

func ptr(f float64) *float64 { return &f }

func TestOverviewBreakdownsAndExtras(t *testing.T) {
	r := synth(map[string][]string{
		"a": {"AC", "WA"}, "b": {"AC", "AC"}, "c": {"WA", "WA"}, "d": {"SE", "SE"}, "e": {"AC", "TLE"},
	})
	path := withExtras(t, r, map[string]float64{"1": 0.8}, map[string]map[string]any{
		"a": {"difficulty": "easy", "platform": "leetcode"},
		"b": {"difficulty": "easy", "contest_month": "2024-05"},
		"c": {"difficulty": "hard", "rating": "1800"},
		"d": {"difficulty": "hard"},
	})
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.Summary.PassAtK, got.Summary.PassAtK); diff != "" {
		t.Errorf("pass@k (-want +got):\n%s", diff)
	}
	o := NewOverview(got, 10)
	want := []Breakdown{
		{Key: "contest_month", Groups: []Group{{"2024-05", 1, 1, ptr(1)}, {unsetValue, 4, 3, ptr((0.5 + 0 + 0.5) / 3)}}},
		{Key: "difficulty", Groups: []Group{{"easy", 2, 2, ptr(0.75)}, {"hard", 2, 1, ptr(0)}, {unsetValue, 1, 1, ptr(0.5)}}},
		{Key: "platform", Groups: []Group{{"leetcode", 1, 1, ptr(0.5)}, {unsetValue, 4, 3, ptr((1 + 0 + 0.5) / 3)}}},
		{Key: "rating", Groups: []Group{{"1800", 1, 1, ptr(0)}, {unsetValue, 4, 3, ptr((0.5 + 1 + 0.5) / 3)}}},
	}
	if diff := cmp.Diff(want, o.Breakdowns, approx); diff != "" {
		t.Errorf("breakdowns (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]float64{"1": 0.8}, o.BasePassAtK); diff != "" {
		t.Errorf("base pass@k (-want +got):\n%s", diff)
	}
	var b strings.Builder
	if err := o.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"pass@1 (base tests) 80.00%", "by difficulty:", "easy 2 2 75.00%", "hard 2 1 0.00%", "(unset) 1 1 50.00%"} {
		if !strings.Contains(squash(b.String()), s) {
			t.Errorf("text lacks %q:\n%s", s, b.String())
		}
	}
}

func TestOverviewWithoutExtras(t *testing.T) {
	r := synth(map[string][]string{"a": {"AC"}})
	path := filepath.Join(t.TempDir(), "r.json")
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	o := NewOverview(got, 10)
	if o.Breakdowns != nil || o.BasePassAtK != nil || o.SlowestTests != nil {
		t.Errorf("overview of a plain report has extras: %+v", o)
	}
	data, _ := json.Marshal(o)
	for _, field := range []string{"breakdowns", "base_pass_at_k", "slowest_tests"} {
		if strings.Contains(string(data), field) {
			t.Errorf("JSON has %q: %s", field, data)
		}
	}
	var b strings.Builder
	o.WriteText(&b)
	for _, s := range []string{"by ", "slowest", "base tests"} {
		if strings.Contains(b.String(), s) {
			t.Errorf("text mentions %q:\n%s", s, b.String())
		}
	}
	if _, err := Read(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestOverviewSlowestTests(t *testing.T) {
	r := synth(map[string][]string{"a": {"AC", "WA"}, "b": {"AC"}})
	usage := func(cpu float64) *Usage { return &Usage{CPUTimeMS: cpu, WallTimeMS: cpu + 1, MemoryKiB: 100} }
	r.Problems[0].Samples[0].Tests = []Test{{Index: 0, Verdict: "AC", Usage: usage(5)}, {Index: 1, Verdict: "AC", Usage: usage(30)}}
	r.Problems[0].Samples[1].Tests = []Test{{Index: 0, Verdict: "AC", Usage: usage(30)}, {Index: 1, Verdict: "WA", Usage: usage(1)}}
	r.Problems[1].Samples[0].Tests = []Test{{Index: 0, Verdict: "AC", Usage: usage(12)}, {Index: 1, Verdict: "AC"}}
	o := NewOverview(r, 3)
	want := []SlowTest{
		{"a", 0, 1, "AC", 30, 31, 100},
		{"a", 1, 0, "AC", 30, 31, 100},
		{"b", 0, 0, "AC", 12, 13, 100},
	}
	if diff := cmp.Diff(want, o.SlowestTests); diff != "" {
		t.Errorf("slowest (-want +got):\n%s", diff)
	}
	var b strings.Builder
	o.WriteText(&b)
	if !strings.Contains(b.String(), "slowest tests by CPU time:") || !strings.Contains(squash(b.String()), "b 0 0 AC 12.0 13.0 100\n") {
		t.Errorf("text:\n%s", b.String())
	}
	if got := NewOverview(r, 100).SlowestTests; len(got) != 5 {
		t.Errorf("top 100 of 5 tests with usage: %d", len(got))
	}
}

func TestParseRejectsBadBasePassAtK(t *testing.T) {
	data := []byte(`{"schema_version": 1, "summary": {"base_pass_at_k": "high"}}`)
	if _, err := Parse(data); err == nil || !strings.Contains(err.Error(), "base_pass_at_k") {
		t.Errorf("a string base_pass_at_k: %v", err)
	}
}

package cmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/report"
)

// lcbLine is a code_generation_lite record with plain JSON test cases.
func lcbLine(t *testing.T, id, platform, date, funcName string, tests [][2]string) string {
	t.Helper()
	type tc struct {
		Input    string `json:"input"`
		Output   string `json:"output"`
		TestType string `json:"testtype"`
	}
	var cases []tc
	meta, typ := "{}", "stdin"
	if funcName != "" {
		meta, typ = `{"func_name": "`+funcName+`"}`, "functional"
	}
	for _, x := range tests {
		cases = append(cases, tc{x[0], x[1], typ})
	}
	pub, _ := json.Marshal(cases[:1])
	priv, _ := json.Marshal(cases[1:])
	b, _ := json.Marshal(map[string]string{
		"question_title": id, "question_content": "?", "platform": platform, "question_id": id, "contest_id": "c",
		"contest_date": date, "starter_code": "", "difficulty": "easy", "public_test_cases": string(pub),
		"private_test_cases": string(priv), "metadata": meta,
	})
	return string(b) + "\n"
}

// TestEvalLiveCodeBench runs `eval --bench livecodebench` end to end: a
// release folder, the contest window flags, samples in LiveCodeBench's
// output format, and the report's version, configuration and breakdowns.
func TestEvalLiveCodeBench(t *testing.T) {
	needSandbox(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "lite")
	os.MkdirAll(data, 0o755)
	os.WriteFile(filepath.Join(data, "test.jsonl"), []byte(lcbLine(t, "abc1_a", "atcoder", "2023-05-01T00:00:00", "", [][2]string{{"1 2\n", "3\n"}, {"5 5\n", "10\n"}})), 0o644)
	os.WriteFile(filepath.Join(data, "test2.jsonl"), []byte(
		lcbLine(t, "9001", "leetcode", "2023-06-03T00:00:00", "add", [][2]string{{"1\n2", "3"}, {"2.5\n1", "3.5"}})+
			lcbLine(t, "9002", "leetcode", "2023-09-01T00:00:00", "add", [][2]string{{"1\n2", "3"}})), 0o644)
	samples := filepath.Join(dir, "outputs.json")
	os.WriteFile(samples, []byte(`[
  {"question_id": "abc1_a", "code_list": ["a, b = map(int, input().split())\nprint(a + b)", "print(0)"]},
  {"question_id": "9001", "code_list": ["class Solution:\n    def add(self, a, b):\n        return a + b\n"]}
]`), 0o644)
	out := filepath.Join(dir, "r.json")
	_, stderr, code := run(t, context.Background(), "", "eval", "--bench", "livecodebench", "--data", data, "--release", "v2",
		"--start-date", "2023-05-01", "--end-date", "2023-08-31", "--samples", samples, "--out", out, "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(rep.Config)
	var cfg struct {
		LiveCodeBench map[string]string `json:"livecodebench"`
	}
	json.Unmarshal(raw, &cfg)
	wantSection := map[string]string{"release": "v2", "start_date": "2023-05-01", "end_date": "2023-08-31"}
	if diff := cmp.Diff(wantSection, cfg.LiveCodeBench); diff != "" {
		t.Errorf("config.livecodebench (-want +got):\n%s", diff)
	}
	if rep.Benchmark.Version != "release_v2" || rep.Benchmark.Problems != 2 {
		t.Errorf("benchmark %+v, want release_v2 with 2 problems", rep.Benchmark)
	}
	got := map[string]float64{}
	for key, groups := range rep.Summary.Breakdowns {
		for v, g := range groups {
			if g.PassAt1 != nil {
				got[key+"="+v] = *g.PassAt1
			}
		}
	}
	want := map[string]float64{"difficulty=easy": 0.75, "platform=atcoder": 0.5, "platform=leetcode": 1, "contest_month=2023-05": 0.5, "contest_month=2023-06": 1}
	if len(got) != len(want) {
		t.Errorf("breakdowns %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("breakdown %s = %v, want %v", k, got[k], v)
		}
	}

	// The flags are for LiveCodeBench only, and are checked.
	for _, tt := range []struct {
		args     []string
		contains string
	}{
		{[]string{"eval", "--bench", "demo", "--release", "v1"}, "not a LiveCodeBench benchmark"},
		{[]string{"eval", "--bench", "livecodebench", "--data", data, "--start-date", "2023-02-30"}, `start_date "2023-02-30" is not a date`},
		{[]string{"eval", "--bench", "livecodebench", "--data", data, "--release", "v9"}, ""},
	} {
		_, stderr, code := run(t, context.Background(), "", append(tt.args, "--samples", samples)...)
		switch {
		case tt.contains == "":
			if code != 1 || !strings.Contains(stderr, "needs test3.jsonl") {
				t.Errorf("%v: exit %d, stderr %q", tt.args, code, stderr)
			}
		case code != 2 || !strings.Contains(stderr, tt.contains):
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tt.args, code, stderr, tt.contains)
		}
	}
}

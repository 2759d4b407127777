package codecontests_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/codecontests"
)

// ScaleBox's shape, with labels and tests as JSON strings (as in
// code_eval_code_contests.jsonl) and as plain JSON.
const ccScaleBox = `{"id": 0, "content": "Add two numbers.", "labels": "{\"difficulty\":\"MEDIUM\", \"name\":\"a3\", \"source\":\"CODECHEF\"}", "test": "[{\"input\":{\"stdin\":\"1 2\\n\"},\"output\":{\"stdout\":\"3\\n\"}}]", "__internal_uuid__": "x"}
{"id": "b", "content": "", "labels": {"difficulty": "A", "rating": 800}, "test": [{"input": {"stdin": ""}, "output": {"stdout": "ok"}}], "canonical_solution": {"python": "print('ok')", "cpp": "int main(){}"}}
`

// DeepMind's shape, as deepmind/code_contests rows exported to JSON.
const ccDeepMind = `{"name": "76_B. Mice", "description": "Modern researches...", "public_tests": {"input": ["3 2\n"], "output": ["1\n"]}, "private_tests": {"input": ["1\n", "2\n"], "output": ["a\n", "b\n"]}, "generated_tests": {"input": ["9\n"], "output": ["z\n"]}, "source": 2, "difficulty": 8, "solutions": {"language": [2, 3], "solution": ["int main(){}", "print(1)"]}, "incorrect_solutions": {"language": [], "solution": []}, "cf_contest_id": 76, "cf_index": "B", "cf_points": 0.0, "cf_rating": 2100, "cf_tags": ["greedy", "two pointers"], "is_description_translated": false, "untranslated_description": "", "time_limit": {"seconds": 0, "nanos": 500000000}, "memory_limit_bytes": 256000000, "input_file": "", "output_file": ""}
{"name": "x", "description": "d", "public_tests": {"input": ["1"], "output": ["1"]}, "private_tests": {"input": [], "output": []}, "source": "AIZU", "difficulty": 0, "time_limit": null, "memory_limit_bytes": 0}
`

func TestLoadCodeContests(t *testing.T) {
	got, err := codecontests.Load(python, []byte(ccScaleBox+ccDeepMind), "cc.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := []*benchmarks.Problem{
		{
			TaskID: "0", Kind: benchmarks.KindStdio, Statement: "Add two numbers.",
			Tests: []benchmarks.Test{{Input: "1 2\n", Output: "3\n"}},
			Meta:  map[string]string{"difficulty": "MEDIUM", "name": "a3", "source": "CODECHEF"},
		},
		{
			TaskID: "b", Kind: benchmarks.KindStdio, CanonicalSolution: "print('ok')",
			Tests: []benchmarks.Test{{Input: "", Output: "ok"}},
			Meta:  map[string]string{"difficulty": "A", "rating": "800"},
		},
		{
			TaskID: "76_B. Mice", Kind: benchmarks.KindStdio, Statement: "Modern researches...", CanonicalSolution: "print(1)",
			CPUTimeLimitMS: 500, MemoryLimitBytes: 256000000,
			Tests: []benchmarks.Test{
				{Name: "public/0", Input: "3 2\n", Output: "1\n"},
				{Name: "private/0", Input: "1\n", Output: "a\n"},
				{Name: "private/1", Input: "2\n", Output: "b\n"},
				{Name: "generated/0", Input: "9\n", Output: "z\n"},
			},
			Meta: map[string]string{"name": "76_B. Mice", "source": "CODEFORCES", "difficulty": "B", "cf_rating": "2100", "cf_tags": "greedy,two pointers"},
		},
		{
			TaskID: "x", Kind: benchmarks.KindStdio, Statement: "d",
			Tests: []benchmarks.Test{{Name: "public/0", Input: "1", Output: "1"}},
			Meta:  map[string]string{"name": "x", "source": "AIZU", "difficulty": "UNKNOWN_DIFFICULTY"},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(benchmarks.Problem{})); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}

	cpp := &benchmarks.Config{Language: "cpp", Data: benchmarks.DataConfig{TestGroups: []string{"private", "public"}}}
	got, err = codecontests.Load(cpp, []byte(ccDeepMind), "cc.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tt := range got[0].Tests {
		names = append(names, tt.Name)
	}
	if diff := cmp.Diff([]string{"private/0", "private/1", "public/0"}, names); diff != "" {
		t.Errorf("test_groups [private, public] (-want +got):\n%s", diff)
	}
	if got[0].CanonicalSolution != "int main(){}" {
		t.Errorf("C++ canonical solution %q", got[0].CanonicalSolution)
	}
}

func TestLoadCodeContestsErrors(t *testing.T) {
	tests := []struct {
		cfg        *benchmarks.Config
		data, want string
	}{
		{python, "", "cc.jsonl: no problems"},
		{python, "[]", "cc.jsonl:1: json: cannot unmarshal array into Go value of type map[string]json.RawMessage"},
		{python, "null", "cc.jsonl:1: not a JSON object"},
		{python, `{"content": "x"}`, "cc.jsonl:1: a CodeContests row needs test (ScaleBox's shape) or name (DeepMind's)"},
		{python, `{"id": [1], "test": []}`, "cc.jsonl:1: id: want a number or a string"},
		{python, `{"id": 1, "test": []}`, "cc.jsonl:1: task 1: no tests"},
		{python, `{"id": 1, "test": "[{\"input\": {}}]"}`, "cc.jsonl:1: task 1: test 0: want {input: {stdin}, output: {stdout}}"},
		{python, `{"id": 1, "test": "not json"}`, "cc.jsonl:1: task 1: test: invalid character 'o' in literal null (expecting 'u')"},
		{python, `{"name": "n", "public_tests": {"input": ["1"], "output": []}}`, "cc.jsonl:1: task n: public_tests has 1 inputs and 0 outputs"},
		{python, `{"name": "n", "public_tests": {"input": ["1"], "output": ["1"]}, "source": 99}`, "cc.jsonl:1: task n: source: 99 is not a known value"},
		{python, `{"name": "n", "public_tests": {"input": ["1"], "output": ["1"]}, "time_limit": "2s"}`, "cc.jsonl:1: task n: time_limit: want {seconds, nanos} or seconds"},
		{&benchmarks.Config{Data: benchmarks.DataConfig{TestGroups: []string{"hidden"}}}, `{"name": "n"}`, `cc.jsonl:1: data.test_groups: "hidden" is not a CodeContests test group (public, private, generated)`},
	}
	for _, tt := range tests {
		_, err := codecontests.Load(tt.cfg, []byte(tt.data), "cc.jsonl")
		if diff := cmp.Diff(tt.want, errText(err)); diff != "" {
			t.Errorf("LoadCodeContests(%q) error mismatch (-want +got):\n%s", tt.data, diff)
		}
	}
}

// TestLoadCodeContestsSample loads the 20 problems of ../shared/data with
// the codecontests builtin, and the one with a canonical solution.
func TestLoadCodeContestsSample(t *testing.T) {
	dir := filepath.Join(sharedData, "codecontests")
	needData(t, filepath.Join(dir, "scalebox_code_eval_code_contests.jsonl"))
	cfg, err := (&benchmarks.Registry{}).Load("codecontests")
	if err != nil {
		t.Fatal(err)
	}
	b, err := benchmarks.Load(cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Problems) != 20 {
		t.Fatalf("%d problems, want 20", len(b.Problems))
	}
	tests := 0
	for i, p := range b.Problems {
		if want := []string{"0", "1"}; i < 2 && p.TaskID != want[i] {
			t.Errorf("problem %d has task id %q", i, p.TaskID)
		}
		if p.Statement == "" || p.Meta["source"] == "" || p.Meta["difficulty"] == "" || p.Meta["name"] == "" {
			t.Errorf("task %s: statement or meta missing: %v", p.TaskID, p.Meta)
		}
		tests += len(p.Tests)
		if c, err := b.TestComparator(p, 0); err != nil || c.Name() != "codecontests" {
			t.Errorf("task %s: comparator %v, %v", p.TaskID, c, err)
		}
	}
	if tests != 2233 {
		t.Errorf("%d tests, want 2233", tests)
	}
	one, err := benchmarks.Load(cfg, filepath.Join(dir, "scalebox_code_eval_code_contests_python.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Problems) != 1 || !strings.Contains(one.Problems[0].CanonicalSolution, "def solve") {
		t.Errorf("the python file: %d problems, canonical solution %.40q", len(one.Problems), one.Problems[0].CanonicalSolution)
	}
}

// FuzzLoadCodeContests: the loader never panics, its errors name the file,
// and every problem it accepts has a task id and tests.
func FuzzLoadCodeContests(f *testing.F) {
	for _, l := range strings.Split(ccScaleBox+ccDeepMind, "\n") {
		f.Add([]byte(l))
	}
	f.Add([]byte(`{"id": 1, "test": "[{\"input\": {\"stdin\": \"\"}, \"output\": {\"stdout\": \"\"}}]", "labels": "[]"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		problems, err := codecontests.Load(python, data, "f.jsonl")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.jsonl") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		for _, p := range problems {
			if p.TaskID == "" || len(p.Tests) == 0 || p.Kind != benchmarks.KindStdio || p.CPUTimeLimitMS < 0 || p.MemoryLimitBytes < 0 {
				t.Errorf("accepted an invalid problem: %+v", p)
			}
			if _, err := json.Marshal(p); err != nil {
				t.Errorf("problem does not marshal: %v", err)
			}
		}
	})
}

package leetcode_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/leetcode"
)

const leetcodeData = "../../../shared/data/leetcode_contest_deepseek/20240121-Jul.jsonl"

func loadLeetCode(t *testing.T, data string) (*benchmarks.Benchmark, error) {
	t.Helper()
	cfg, err := (&benchmarks.Registry{}).Load("leetcode")
	if err != nil {
		t.Fatal(err)
	}
	return benchmarks.Load(cfg, data)
}

// TestLoadLeetCodeContest loads DeepSeek-Coder's 180 problems.
func TestLoadLeetCodeContest(t *testing.T) {
	if _, err := os.Stat(leetcodeData); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing", leetcodeData)
		}
		t.Skipf("%s missing", leetcodeData)
	}
	b, err := loadLeetCode(t, leetcodeData)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Problems) != 180 || b.Config.Version != "20240121-Jul" {
		t.Fatalf("%d problems, version %s; want 180 of 20240121-Jul", len(b.Problems), b.Config.Version)
	}
	counts := map[string]int{}
	for _, p := range b.Problems {
		if p.Kind != benchmarks.KindLeetCode || p.NumTests() != 100 || p.EntryPoint == "" {
			t.Errorf("%s: kind %s, %d tests, entry point %q", p.TaskID, p.Kind, p.NumTests(), p.EntryPoint)
		}
		counts["difficulty="+p.Meta["difficulty"]]++
		counts["month="+p.Meta["contest_month"]]++
	}
	want := map[string]int{
		"difficulty=easy": 45, "difficulty=medium": 91, "difficulty=hard": 44,
		// As Python counts time.gmtime(start_time).
		"month=2023-07": 28, "month=2023-08": 24, "month=2023-09": 28, "month=2023-10": 28,
		"month=2023-11": 24, "month=2023-12": 28, "month=2024-01": 20,
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("meta counts (-want +got):\n%s", diff)
	}
	p, ok := b.Problem("weekly-contest-358-double-a-number-represented-as-a-linked-list")
	if !ok {
		t.Fatal("the linked-list problem is missing")
	}
	wantSetup := "my_solution = Solution()\n_f1 = lambda lst: ListNode(lst[0], _f1(lst[1:])) if lst else None\n_f2 = lambda node: [node.val] + _f2(node.next) if node else []"
	wantTest := benchmarks.Test{Input: "test_input = { \"head\": _f1([1,8,9]) }\n_f2(my_solution.doubleIt(**test_input))", Output: "[3,7,8]"}
	if p.TestCode != wantSetup || p.EntryPoint != "doubleIt" || !cmp.Equal(p.Tests[0], wantTest) {
		t.Errorf("linked list: setup %q, entry %q, test 0 %+v", p.TestCode, p.EntryPoint, p.Tests[0])
	}
}

func TestLoadLeetCode(t *testing.T) {
	record := func(test string) string {
		b, _ := json.Marshal(map[string]any{
			"task_id": "weekly-1-x", "prompt": "class Solution:\n    def f(self, a):\n", "prompt_sft": "Solve.", "test": test,
			"meta": map[string]any{"difficulty": "Hard"}, "start_time": 1705804200,
		})
		return string(b)
	}
	good := "\nmy_solution = Solution()\n\ntest_input = { \"a\": [1, 2] }\nassert my_solution.f(**test_input) == [2, 1]\n\ntest_input = { \"a\": \"x == y\" }\nassert my_solution.f(**test_input) == 'a == b'\n"
	dir := t.TempDir()
	b, err := loadLeetCode(t, writeFile(t, dir, "ok.jsonl", record(good)+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []*benchmarks.Problem{{
		TaskID: "weekly-1-x", Kind: benchmarks.KindLeetCode, Prompt: "class Solution:\n    def f(self, a):\n", Statement: "Solve.",
		EntryPoint: "f", TestCode: "my_solution = Solution()",
		Tests: []benchmarks.Test{
			{Input: "test_input = { \"a\": [1, 2] }\nmy_solution.f(**test_input)", Output: "[2, 1]"},
			{Input: "test_input = { \"a\": \"x == y\" }\nmy_solution.f(**test_input)", Output: "'a == b'"},
		},
		Meta: map[string]string{"difficulty": "hard", "contest_month": "2024-01"},
	}}
	if diff := cmp.Diff(want, b.Problems, cmpopts.IgnoreUnexported(benchmarks.Problem{})); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	tests := []struct {
		name, test, err string
	}{
		{"assert without input", "assert my_solution.f(**test_input) == 1", "test line 1: an assert without test_input"},
		{"two inputs", "test_input = {}\ntest_input = {}\nassert my_solution.f(**test_input) == 1", "test line 2: a second test_input"},
		{"input without assert", "test_input = {}\n", "the last test_input has no assert"},
		{"other assert", "test_input = {}\nassert f(1) == 1", "test line 2: not an assert of the form"},
		{"unbalanced wrapper", "test_input = {}\nassert g(my_solution.f(**test_input) == 1", "test line 2: not an assert of the form"},
		{"expected not a literal", "test_input = {}\nassert my_solution.f(**test_input) == x", `test 0: expected value: python literal: offset 0: "x" is not a literal`},
		{"assert message", "test_input = {}\nassert my_solution.f(**test_input) == 1, 'msg'", "test 0: expected value"},
		{"code between cases", "test_input = {}\nassert my_solution.f(**test_input) == 1\nx = 1", `test line 3: unexpected "x = 1"`},
		{"no cases", "my_solution = Solution()", "a leetcode problem needs tests"},
	}
	for _, tt := range tests {
		_, err := loadLeetCode(t, writeFile(t, dir, "bad.jsonl", record(tt.test)+"\n"))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.err)
		}
	}
}

func FuzzLoadLeetCode(f *testing.F) {
	f.Add(`{"task_id": "t", "test": "my_solution = Solution()\ntest_input = { \"a\": 1 }\nassert my_solution.f(**test_input) == [1, (2,)]\n", "start_time": 0}`)
	f.Add(`{"task_id": "t", "test": "_f1 = lambda x: x\ntest_input = { \"a\": _f1(1) }\nassert _f1(my_solution.f(**test_input)) == {1: 'a'}\n"}`)
	cfg, err := (&benchmarks.Registry{}).Load("leetcode")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		ps, err := leetcode.Load(cfg, []byte(line), "f.jsonl")
		if err != nil {
			return
		}
		for _, p := range ps {
			for _, tc := range p.Tests {
				if !strings.Contains(tc.Input, "\n") {
					t.Errorf("test input %q has no expression line", tc.Input)
				}
			}
		}
	})
}

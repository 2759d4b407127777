package server_test

import (
	"slices"
	"strings"
	"testing"
)

// sbBatch is a body as ScaleBox's verl integration sends it to
// /common_evaluate_batch.
func sbBatch(lang, completion string, cases map[string]any, runAll bool, judge *string) map[string]any {
	return map[string]any{
		"completion": completion,
		"config": map[string]any{
			"language": lang, "compile_timeout": 30, "run_timeout": 30, "memory_limit_mb": 1024,
			"provided_data": map[string]any{"test_cases": cases},
			"extra":         map[string]any{"run_all_cases": runAll, "total_timeout": 30, "special_judge_program": judge, "special_judge_language": nil},
		},
	}
}

type sbResult struct {
	ID            any    `json:"id"`
	Accepted      bool   `json:"accepted"`
	ExtractedCode string `json:"extracted_code"`
	Tests         []struct {
		Passed   bool `json:"passed"`
		ExecInfo struct {
			Status    string `json:"status"`
			Message   string `json:"message"`
			RunResult *struct {
				Status string `json:"status"`
				Stdout string `json:"stdout"`
			} `json:"run_result"`
			Scalebox struct {
				Verdict string `json:"verdict"`
				Message string `json:"message"`
				Skipped bool   `json:"skipped"`
			} `json:"scalebox"`
		} `json:"exec_info"`
		TestInfo any `json:"test_info"`
	} `json:"tests"`
	Scalebox struct {
		Verdict      string  `json:"verdict"`
		PassFraction float64 `json:"pass_fraction"`
	} `json:"scalebox"`
}

func (r *sbResult) passed() []bool {
	var out []bool
	for _, t := range r.Tests {
		out = append(out, t.Passed)
	}
	return out
}

func fenced(lang, code string) string {
	return "<reasoning removed>\nHere is my solution:\n```" + lang + "\n" + code + "\n```\nIt reads the input and prints the answer."
}

// TestScaleBoxBodies sends the bodies ScaleBox's verl integration sends:
// stdin_stdout (with and without run_all_cases, with and without a special
// judge), function_call (with and without json_input) and assert, and a
// /common_evaluate list of cases. Every test is accounted for, and an
// output that is a prefix of the answer fails (ScaleBox's zip lets it
// pass).
func TestScaleBoxBodies(t *testing.T) {
	needSandbox(t, "g++")
	s := sharedServer(t)
	stdio := map[string]any{"input": []string{"3", "7", "10"}, "output": []string{"2 1", "6 1", "9 1"}, "fn_name": nil, "type": "stdin_stdout"}
	right := "n = int(input())\nprint(n - 1, 1)"
	for _, tt := range []struct {
		name       string
		lang, code string
		cases      map[string]any
		runAll     bool
		judge      *string
		accepted   bool
		passed     []bool
		verdict    string
	}{
		{"stdio right", "python", right, stdio, true, nil, true, []bool{true, true, true}, "AC"},
		{"stdio right in C++", "cpp", "#include <cstdio>\nint main(){int n; scanf(\"%d\", &n); printf(\"%d 1\\n\", n - 1);}", stdio, true, nil, true, []bool{true, true, true}, "AC"},
		{"stdio case and spaces", "python", "n = int(input())\nprint(' %d 1 ' % (n - 1))\nprint()", stdio, false, nil, true, []bool{true, true, true}, "AC"},
		{"stdio wrong, all cases", "python", "n = int(input())\nprint(n - 1, 1 if n < 9 else 2)", stdio, true, nil, false, []bool{true, true, false}, "WA"},
		{"stdio wrong, stop at first failure", "python", "print(0)", stdio, false, nil, false, []bool{false, false, false}, "WA"},
		{"stdio prefix of the answer", "python", "n = int(input())\nprint(n - 1)", map[string]any{"input": []string{"3"}, "output": []string{"2\n1"}, "type": "stdin_stdout"}, true, nil, false, []bool{false}, "WA"},
		{"stdio floats to 1e-5", "python", "print(1/3)", map[string]any{"input": []string{""}, "output": []string{"0.333333"}, "type": "stdin_stdout"}, true, nil, true, []bool{true}, "AC"},
		{"special judge accepts any order", "python", "n = int(input())\nprint(1, n - 1)", stdio, true,
			ptr("a = open('answer.txt').read().split()\nb = open('stdout.txt').read().split()\nimport sys\nsys.exit(0 if sorted(a) == sorted(b) else 1)\n"), true, []bool{true, true, true}, "AC"},
		{"special judge rejects", "python", right, stdio, true, ptr("import sys\nsys.exit(1)\n"), false, []bool{false, false, false}, "WA"},
		{"function_call", "python", "def add(a, b):\n    return a + b", map[string]any{"type": "function_call", "fn_name": "add", "input": []any{[]int{1, 2}, []int{3, 4}}, "output": []any{[]int{3}, []int{7}}}, true, nil, true, []bool{true, true}, "AC"},
		{"function_call json_input", "python", "class Solution:\n    def add(self, a, b):\n        return a + b", map[string]any{"type": "function_call", "fn_name": "add", "json_input": true, "input": []string{"1\n2", "[1]\n[2]"}, "output": []string{"3", "[1, 2]"}}, true, nil, true, []bool{true, true}, "AC"},
		{"function_call wrong", "python", "def add(a, b):\n    return a - b", map[string]any{"type": "function_call", "fn_name": "add", "input": []any{[]int{1, 0}, []int{3, 4}}, "output": []any{[]int{1}, []int{7}}}, true, nil, false, []bool{true, false}, "WA"},
		{"function_call __eq__ hack", "python", "class Y:\n    def __eq__(self, o): return True\ndef add(a, b):\n    return Y()", map[string]any{"type": "function_call", "fn_name": "add", "input": []any{[]int{1, 2}}, "output": []any{[]int{3}}}, true, nil, false, []bool{false}, "WA"},
		{"assert", "python", "def add(a, b):\n    return a + b", map[string]any{"type": "assert", "test": "assert add(1, 2) == 3\nassert add(-1, 1) == 0\n"}, true, nil, true, []bool{true}, "AC"},
		{"assert sys.exit(0) hack", "python", "import sys\ndef add(a, b):\n    return 0\nsys.exit(0)", map[string]any{"type": "assert", "test": "assert add(1, 2) == 3\n"}, true, nil, false, []bool{false}, "WA"},
		{"assert check(candidate)", "python", "def add(a, b):\n    return a + b", map[string]any{"type": "assert", "test": "def check(candidate):\n    assert candidate(2, 2) == 4\n", "entry_point": "add"}, true, nil, true, []bool{true}, "AC"},
		{"assert in C++", "cpp", "#include <cassert>\nint add(int a, int b) { return a + b; }", map[string]any{"type": "assert", "test": "int main() { assert(add(1, 2) == 3); }"}, true, nil, true, []bool{true}, "AC"},
		{"assert in C++, exit before the tests", "cpp", "#include <cassert>\n#include <cstdlib>\nint add(int a, int b) { exit(0); }", map[string]any{"type": "assert", "test": "int main() { assert(add(1, 2) == 3); }"}, true, nil, false, []bool{false}, "WA"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r sbResult
			if code := s.post(t, "/common_evaluate_batch", sbBatch(tt.lang, fenced(tt.lang, tt.code), tt.cases, tt.runAll, tt.judge), &r); code != 200 {
				t.Fatalf("status %d", code)
			}
			if r.Accepted != tt.accepted || r.Scalebox.Verdict != tt.verdict || strings.TrimSpace(r.ExtractedCode) != strings.TrimSpace(tt.code) {
				t.Errorf("accepted %v verdict %s extracted %q, want %v %s", r.Accepted, r.Scalebox.Verdict, r.ExtractedCode, tt.accepted, tt.verdict)
			}
			if got := r.passed(); !slices.Equal(got, tt.passed) {
				t.Errorf("passed %v, want %v (every test accounted for)", got, tt.passed)
			}
			for i, x := range r.Tests {
				if x.ExecInfo.Status == "" {
					t.Errorf("test %d has no exec_info: %+v", i, x)
				}
			}
			if tt.name == "stdio wrong, stop at first failure" {
				if !r.Tests[1].ExecInfo.Scalebox.Skipped || !r.Tests[2].ExecInfo.Scalebox.Skipped || r.Tests[0].ExecInfo.Scalebox.Verdict != "WA" {
					t.Errorf("tests after the first failure must be reported as skipped: %+v", r.Tests)
				}
			}
		})
	}

	// /common_evaluate takes a list of cases.
	var r sbResult
	body := map[string]any{"id": "q-17", "completion": fenced("python", right), "config": map[string]any{
		"language": "python", "provided_data": map[string]any{"test_cases": []any{
			map[string]any{"type": "stdin_stdout", "input": "3", "output": "2 1"},
			map[string]any{"type": "stdin_stdout", "input": "7", "output": "6 1"},
		}}, "extra": map[string]any{"run_all_cases": true}}}
	if s.post(t, "/common_evaluate", body, &r); !r.Accepted || len(r.Tests) != 2 || r.ID != "q-17" {
		t.Errorf("/common_evaluate: %+v", r)
	}

	// Tests cut by total_timeout are reported, as SandboxError.
	slow := sbBatch("python", fenced("python", "import time\ntime.sleep(4)\nprint(input())"), map[string]any{"type": "stdin_stdout", "input": []string{"1", "2"}, "output": []string{"1", "2"}}, true, nil)
	slow["config"].(map[string]any)["extra"].(map[string]any)["total_timeout"] = 1
	var tr sbResult
	if s.post(t, "/common_evaluate_batch", slow, &tr); tr.Accepted || len(tr.Tests) != 2 || tr.Scalebox.Verdict != "SE" ||
		tr.Tests[0].ExecInfo.Status != "SandboxError" || tr.Tests[0].ExecInfo.Message != "Total Timeout" {
		t.Errorf("total_timeout: %+v", tr)
	}

	// Bad bodies name the field.
	for _, tt := range []struct {
		body  map[string]any
		field string
	}{
		{sbBatch("cobol", "x", stdio, true, nil), "config.language"},
		{sbBatch("python", "x", map[string]any{"type": "stdin_stdout", "input": []string{"1"}, "output": []string{}}, true, nil), "config.provided_data.test_cases.output"},
		{sbBatch("python", "x", map[string]any{"type": "weird", "input": []string{"1"}, "output": []string{"1"}}, true, nil), "config.provided_data.test_cases.type"},
		{sbBatch("cpp", "x", map[string]any{"type": "function_call", "fn_name": "f", "input": []any{[]int{1}}, "output": []any{[]int{1}}}, true, nil), "config.language"},
	} {
		var e struct {
			Error string `json:"error"`
			Field string `json:"field"`
		}
		if code := s.post(t, "/common_evaluate_batch", tt.body, &e); code != 400 || e.Field != tt.field {
			t.Errorf("%d %+v, want 400 naming %s", code, e, tt.field)
		}
	}
}

func ptr(s string) *string { return &s }

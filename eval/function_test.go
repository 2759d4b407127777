package eval

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/report"
)

// addProblem is a function problem with base and plus inputs.
const addProblem = `{"task_id": "f/add", "kind": "function", "entry_point": "add", "prompt": "def add(a, b):\n", "canonical_solution": "    return a + b\n", "groups": [{"name": "base", "inputs": [[1, 2], [3, 4]]}, {"name": "plus", "inputs": [[10, 20], [1.5, 2.25], [[1], [2]]]}]}`

func completion(code string) string {
	b, _ := json.Marshal(map[string]string{"task_id": "f/add", "completion": code})
	return string(b)
}

func solution(code string) string {
	b, _ := json.Marshal(map[string]string{"task_id": "f/add", "solution": code})
	return string(b)
}

// TestFunctionHarnessVerdicts runs a function problem on the real sandbox
// with honest samples and with reward hacks that fool evalplus.
func TestFunctionHarnessVerdicts(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", addProblem)
	tests := []struct {
		name    string
		sample  string
		verdict judge.Verdict
		base    *bool
		msg     string
	}{
		{"correct", completion("    return a + b\n"), judge.AC, ptr(true), ""},
		{"wrong on plus only", completion("    return a + b if isinstance(a, int) and a < 5 else 0\n"), judge.WA, ptr(true), "plus input 0"},
		{"wrong on base", completion("    return a - b\n"), judge.WA, ptr(false), "base input 0"},
		{"exception", completion("    return a / 0\n"), judge.RE, ptr(false), "ZeroDivisionError"},
		{"syntax error", completion("    return (a +\n"), judge.CE, ptr(false), "SyntaxError"},
		{"sys.exit before the tests", solution("import sys\nsys.exit(0)\ndef add(a, b):\n    return a + b\n"), judge.RE, ptr(false), "failed to load"},
		{"os._exit before the tests", solution("import os\nos._exit(0)\n"), judge.RE, ptr(false), ""},
		{"os._exit inside the call", completion("    import os\n    os._exit(0)\n"), judge.RE, ptr(false), "ended the process"},
		{"__eq__ always true", solution("class Any:\n    def __eq__(self, o): return True\n    def __hash__(self): return 0\ndef add(a, b):\n    return Any()\n"), judge.WA, ptr(false), "object"},
		{"int subclass with a lying __eq__", solution("class I(int):\n    def __eq__(self, o): return True\ndef add(a, b):\n    return I(7)\n"), judge.WA, ptr(false), "returned 7"},
		{"list subclass with a lying __eq__", solution("class L(list):\n    def __eq__(self, o): return True\ndef add(a, b):\n    return L([0])\n"), judge.WA, ptr(false), ""},
		{"fake result lines", solution("import os\nfor fd in range(3, 20):\n    try:\n        os.write(fd, b'{\"i\": 0, \"cpu\": 0, \"out\": 3}\\n{\"i\": 1, \"cpu\": 0, \"out\": 7}\\n')\n    except OSError:\n        pass\ndef add(a, b):\n    return 0\n"), judge.RE, ptr(false), "result channel"},
		{"patched json encoder", solution("import json\njson.dumps = lambda *a, **k: '3'\ndef add(a, b):\n    return a * b\n"), judge.WA, ptr(false), ""},
		{"prints and reads stdin", completion("    print('noise' * 1000)\n    return a + b\n"), judge.AC, ptr(true), ""},
		{"slow input", completion("    while a == 3:\n        pass\n    return a + b\n"), judge.TLE, ptr(false), "base input 1"},
	}
	var lines []string
	for _, tt := range tests {
		lines = append(lines, tt.sample)
	}
	b.Config.Function.MinTimeLimit = 1e9 // 1 s per input keeps the slow case short
	opts := options(t, sb, b, samples(t, lines...))
	if _, err := PrepareReference(context.Background(), opts, ""); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	// The failing input's case: the call, the reference's value and the
	// program's (none when the call raised or timed out).
	cases := map[string]*report.Case{
		"wrong on plus only": {Input: "add(10, 20)", Expected: str("30"), Got: str("0")},
		"wrong on base":      {Input: "add(1, 2)", Expected: str("3"), Got: str("-1")},
		"exception":          {Input: "add(1, 2)", Expected: str("3")},
		"slow input":         {Input: "add(3, 4)", Expected: str("7")},
	}
	for i, tt := range tests {
		got := res.Samples[i]
		if got.Verdict != tt.verdict || !strings.Contains(got.Message, tt.msg) {
			t.Errorf("%s: verdict %s %q, want %s containing %q", tt.name, got.Verdict, got.Message, tt.verdict, tt.msg)
		}
		if want, ok := cases[tt.name]; ok {
			var c *report.Case
			for _, tr := range got.Tests {
				if tr.Case != nil {
					c = tr.Case
				}
			}
			if diff := cmp.Diff(want, c); diff != "" {
				t.Errorf("%s: case (-want +got):\n%s", tt.name, diff)
			}
		}
		if (got.BasePassed == nil) != (tt.base == nil) || (got.BasePassed != nil && *got.BasePassed != *tt.base) {
			t.Errorf("%s: base passed %v, want %v", tt.name, deref(got.BasePassed), deref(tt.base))
		}
	}
}

// TestFunctionAllTestsDecidesEveryGroup: without early stop the plus group
// is judged even when base fails, as evalplus reports both.
func TestFunctionAllTestsDecidesEveryGroup(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", addProblem)
	opts := options(t, sb, b, samples(t, completion("    return a + b if a != 1 else 0\n")))
	opts.EarlyStop = false
	if _, err := PrepareReference(context.Background(), opts, ""); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Samples[0]
	if got.Verdict != judge.WA || got.GroupPassed["base"] || !got.GroupPassed["plus"] {
		t.Errorf("verdict %s groups %v, want WA with base failed and plus passed", got.Verdict, got.GroupPassed)
	}
}

func TestReferenceIsCached(t *testing.T) {
	sb := needSandbox(t)
	dir := t.TempDir()
	b := newBench(t, "", addProblem)
	opts := options(t, sb, b, nil)
	info, err := PrepareReference(context.Background(), opts, dir)
	if err != nil || info.Cached {
		t.Fatalf("first: cached=%v err=%v", info != nil && info.Cached, err)
	}
	b2 := newBench(t, "", addProblem)
	opts.Benchmark = b2
	info, err = PrepareReference(context.Background(), opts, dir)
	if err != nil || !info.Cached {
		t.Fatalf("second: cached=%v err=%v, want a cache hit", info != nil && info.Cached, err)
	}
	if err := b2.Problems[0].EnsureReference(); err != nil {
		t.Fatal(err)
	}
	if got := string(b2.Problems[0].Groups[1].Reference[1].Out); got != "3.75" {
		t.Errorf("cached reference of add(1.5, 2.25) = %s, want 3.75", got)
	}
}

func ptr(b bool) *bool { return &b }

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// TestAssertHarnessGuards: HumanEval-style checks run in the candidate's
// process, so the harness hands them plain data and the original builtins.
func TestAssertHarnessGuards(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", `{"task_id": "a/inc", "kind": "assert", "entry_point": "inc", "prompt": "def inc(x):\n", "test": "def check(candidate):\n    assert candidate(1) == 2\n    assert abs(candidate(2.5) - 3.5) < 1e-9\n    assert len([candidate(0)]) == 1\n"}`)
	tests := []struct {
		name, sample string
		verdict      judge.Verdict
	}{
		{"correct", `{"task_id": "a/inc", "completion": "    return x + 1\n"}`, judge.AC},
		// The check is judged outside the program, on the value it returned:
		// an object of the program's own class equals nothing there.
		{"eq always true", `{"task_id": "a/inc", "solution": "class Y:\n    def __eq__(s, o): return True\n    def __sub__(s, o): return 0\ndef inc(x):\n    return Y()\n"}`, judge.WA},
		{"int subclass lies", `{"task_id": "a/inc", "solution": "class I(int):\n    def __eq__(s, o): return True\n    def __sub__(s, o): return 0\ndef inc(x):\n    return I(0)\n"}`, judge.WA},
		{"patched abs", `{"task_id": "a/inc", "solution": "import builtins\nbuiltins.abs = lambda v: 0\ndef inc(x):\n    return 2 if x == 1 else 0\n"}`, judge.WA},
		{"sys.exit", `{"task_id": "a/inc", "solution": "import sys\nsys.exit(0)\n"}`, judge.WA},
		{"syntax error", `{"task_id": "a/inc", "completion": "    return (\n"}`, judge.CE},
	}
	var lines []string
	for _, tt := range tests {
		lines = append(lines, tt.sample)
	}
	res, err := Run(context.Background(), options(t, sb, b, samples(t, lines...)))
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		if got := res.Samples[i]; got.Verdict != tt.verdict {
			t.Errorf("%s: verdict %s (%s), want %s", tt.name, got.Verdict, got.Message, tt.verdict)
		}
	}
}

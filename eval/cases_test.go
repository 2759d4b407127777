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

// lcbPair is a functional problem returning its two arguments as a list.
const lcbPair = `{"task_id": "f/pair", "kind": "lcb-function", "entry_point": "pair", "tests": [{"input": "1\n2", "output": "[1, 2]"}, {"input": "[3, 4]\n\"x\"", "output": "[[3, 4], \"x\"]"}, {"input": "0.5\n-1", "output": "[0.5, -1]"}]}`

// TestLCBFunctionSemantics checks grade_call_based's rules and the hacks
// that would fool a comparison inside the process.
func TestLCBFunctionSemantics(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "[limits]\ncpu_time = \"1s\"\n", lcbPair)
	sol := func(code string) string {
		s, _ := json.Marshal(map[string]string{"task_id": "f/pair", "solution": code})
		return string(s)
	}
	tests := []struct {
		name, code string
		verdict    judge.Verdict
		msg        string
	}{
		{"list", "class Solution:\n    def pair(self, a, b):\n        return [a, b]\n", judge.AC, ""},
		{"tuple taken as a list", "class Solution:\n    def pair(self, a, b):\n        return (a, b)\n", judge.AC, ""},
		{"inner tuple is not a list", "class Solution:\n    def pair(self, a, b):\n        return (tuple(a) if isinstance(a, list) else a, b)\n", judge.WA, "case 1"},
		{"equal numbers of other types", "class Solution:\n    def pair(self, a, b):\n        return [float(a) if type(a) is int else a, b]\n", judge.AC, ""},
		{"module function without a class", "def pair(a, b):\n    return [a, b]\n", judge.AC, ""},
		{"prelude names and recursion limit", "class Solution:\n    def pair(self, a, b):\n        assert sys.getrecursionlimit() == 50000 and gcd(4, 6) == 2 and pow(2, 10, 1000) == 24\n        return [a, b] if deque else None\n", judge.AC, ""},
		{"one Solution for every case", "class Solution:\n    def __init__(self):\n        self.calls = 0\n    def pair(self, a, b):\n        self.calls += 1\n        return [a, b] if self.calls == 1 else None\n", judge.WA, "case 1"},
		{"prints", "class Solution:\n    def pair(self, a, b):\n        print('noise' * 100)\n        return [a, b]\n", judge.AC, ""},
		{"exception", "class Solution:\n    def pair(self, a, b):\n        return [a, b][5]\n", judge.RE, "IndexError"},
		{"slow case", "class Solution:\n    def pair(self, a, b):\n        while a == 0.5:\n            pass\n        return [a, b]\n", judge.TLE, "case 2"},
		{"swallows the timer", "class Solution:\n    def pair(self, a, b):\n        while a == 0.5:\n            try:\n                while True:\n                    pass\n            except BaseException:\n                pass\n        return [a, b]\n", judge.TLE, "case 2"},
		{"missing method", "class Solution:\n    def other(self, a, b):\n        return [a, b]\n", judge.RE, "does not define Solution().pair"},
		{"sys.exit at load", "import sys\nsys.exit(0)\n", judge.RE, "failed to load"},
		{"exit() in the call", "class Solution:\n    def pair(self, a, b):\n        exit(0)\n", judge.RE, "SystemExit"},
		{"os._exit in the call", "import os\nclass Solution:\n    def pair(self, a, b):\n        os._exit(0)\n", judge.RE, "ended the process"},
		{"__future__ after the prelude", "from __future__ import annotations\nclass Solution:\n    def pair(self, a, b):\n        return [a, b]\n", judge.CE, "__future__"},
		{"syntax error", "class Solution:\n    def pair(self, a, b)\n        return [a, b]\n", judge.CE, "SyntaxError"},
		{"__eq__ always true", "class Y:\n    def __eq__(self, o): return True\nclass Solution:\n    def pair(self, a, b):\n        return Y()\n", judge.WA, "object"},
		{"list subclass lies", "class L(list):\n    def __eq__(self, o): return True\nclass Solution:\n    def pair(self, a, b):\n        return L([0])\n", judge.WA, "got [0]"},
		{"fake result lines", "import os\nfor fd in range(3, 20):\n    try:\n        os.write(fd, b'{\"i\": 0, \"out\": [1, 2]}\\n{\"i\": 1, \"out\": [[3, 4], \"x\"]}\\n')\n    except OSError:\n        pass\nclass Solution:\n    def pair(self, a, b):\n        return None\n", judge.RE, "result channel"},
	}
	var lines []string
	for _, tt := range tests {
		lines = append(lines, sol(tt.code))
	}
	res, err := Run(context.Background(), options(t, sb, b, samples(t, lines...)))
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		got := res.Samples[i]
		t.Logf("%s: %s %s", tt.name, got.Verdict, got.Message)
		if got.Verdict != tt.verdict || !strings.Contains(got.Message, tt.msg) {
			t.Errorf("%s: %s %q, want %s containing %q", tt.name, got.Verdict, got.Message, tt.verdict, tt.msg)
		}
		if tt.name == "list subclass lies" {
			want := &report.Case{Input: "1\n2", Expected: str("[1, 2]"), Got: str("[0]")}
			if diff := cmp.Diff(want, got.Tests[0].Case); diff != "" {
				t.Errorf("%s: case (-want +got):\n%s", tt.name, diff)
			}
		}
	}
}

package eval

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/judge"
)

// splitProblems are assert problems whose tests do not decompose into calls
// (random inputs, try/except, a list the function sorts in place, MBPP-style
// module-level asserts with random inputs, a helper of the prompt): they
// run under the split assert harness.
var splitProblems = []string{
	`{"task_id": "sp/rand", "kind": "assert", "entry_point": "f", "prompt": "def f(x):\n", "test": "import random\n\ndef check(candidate):\n    for _ in range(20):\n        x = random.randint(0, 100)\n        assert candidate(x) == x * 2\n"}`,
	`{"task_id": "sp/raises", "kind": "assert", "entry_point": "f", "prompt": "def f(x):\n", "test": "def check(candidate):\n    try:\n        candidate(-1)\n    except ValueError:\n        pass\n    else:\n        assert False\n    assert candidate(2) == 4\n"}`,
	`{"task_id": "sp/mutates", "kind": "assert", "entry_point": "f", "prompt": "def f(a):\n", "test": "def check(candidate):\n    a = [3, 1, 2]\n    candidate(a)\n    assert a == [1, 2, 3]\n"}`,
	`{"task_id": "sp/module", "kind": "assert", "entry_point": "f", "test": "import random\nx = random.randint(1, 9)\nassert f(x) == 2 * x\nassert f(0) == 0\n"}`,
	`{"task_id": "sp/helper", "kind": "assert", "entry_point": "f", "prompt": "def helper(x):\n    return x * 2\n\n\ndef f(x):\n    \"\"\"Returns helper(x).\"\"\"\n", "test": "import random\n\ndef check(candidate):\n    x = random.randint(1, 9)\n    assert candidate(x) == helper(x)\n"}`,
}

// TestSplitAssertHarness: verdicts of the split assert harness.
func TestSplitAssertHarness(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", splitProblems...)
	for _, p := range b.Problems {
		if _, err := p.CheckProgram(); err == nil {
			t.Fatalf("%s decomposes: it does not test the split harness", p.TaskID)
		}
	}
	cases := []struct {
		task, code string
		want       judge.Verdict
		message    string
	}{
		{"rand", "def f(x):\n    return 2 * x\n", judge.AC, ""},
		{"rand", "def f(x):\n    return 2 * x if x < 50 else 0\n", judge.WA, "assertion failed at line 6 of the test"},
		{"rand", "def f(x):\n    return 2 * x +\n", judge.CE, "SyntaxError"},
		{"rand", "import sys\nsys.exit(0)\ndef f(x):\n    return 2 * x\n", judge.WA, "exited"},
		{"rand", "import os\ndef f(x):\n    os._exit(0)\n", judge.WA, "before its checks finished"},
		{"rand", "def f(x):\n    raise KeyError(x)\n", judge.RE, "KeyError"},
		{"rand", "x = 1 / 0\ndef f(x):\n    return 2 * x\n", judge.RE, "failed to load: ZeroDivisionError"},
		{"rand", "class Any:\n    def __eq__(self, o): return True\ndef f(x):\n    return Any()\n", judge.WA, "assertion failed"},
		{"raises", "def f(x):\n    if x < 0:\n        raise ValueError('negative')\n    return 2 * x\n", judge.AC, ""},
		{"raises", "def f(x):\n    if x < 0:\n        raise TypeError('negative')\n    return 2 * x\n", judge.RE, "TypeError"},
		{"mutates", "def f(a):\n    a.sort()\n", judge.AC, ""},
		{"mutates", "def f(a):\n    return sorted(a)\n", judge.WA, "assertion failed"},
		{"module", "def f(x):\n    return 2 * x\n", judge.AC, ""},
		{"module", "def f(x):\n    return x + 2\n", judge.WA, "assertion failed at line"},
		// The reference would use the program's helper; here the test
		// keeps the prompt's.
		{"helper", "def helper(x):\n    return 0\n\ndef f(x):\n    return 0\n", judge.WA, "assertion failed"},
		{"helper", "def helper(x):\n    return x * 2\n\ndef f(x):\n    return helper(x)\n", judge.AC, ""},
	}
	var lines []string
	for _, c := range cases {
		lines = append(lines, fmt.Sprintf(`{"task_id": "sp/%s", "solution": %q}`, c.task, c.code))
	}
	smp := samples(t, lines...)
	res, err := Run(context.Background(), options(t, sb, b, smp))
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range res.Samples {
		c := cases[i]
		t.Logf("sp/%s sample %d: %s %s", c.task, i, s.Verdict, s.Message)
		if s.Verdict != c.want || !strings.Contains(s.Message, c.message) {
			t.Errorf("sp/%s sample %d: %s (%s), want %s with %q", c.task, i, s.Verdict, s.Message, c.want, c.message)
		}
	}
}

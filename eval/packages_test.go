package eval

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
)

// packageProblems has one problem of each kind a Python harness runs:
// assert (HumanEval), function (evalplus), leetcode (DeepSeek, whose
// prelude imports numpy) and lcb-function (LiveCodeBench). Each doubles
// its argument.
var packageProblems = []string{
	`{"task_id": "pk/assert", "kind": "assert", "entry_point": "f", "prompt": "def f(x):\n", "test": "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(5) == 10\n"}`,
	`{"task_id": "pk/function", "kind": "function", "entry_point": "f", "prompt": "def f(x):\n", "canonical_solution": "    return 2 * x\n", "groups": [{"name": "base", "inputs": [[2], [5]]}]}`,
	`{"task_id": "pk/leetcode", "kind": "leetcode", "entry_point": "f", "test": "my_solution = Solution()", "tests": [{"input": "test_input = { \"x\": 2 }\nmy_solution.f(**test_input)", "output": "4"}, {"input": "test_input = { \"x\": 5 }\nmy_solution.f(**test_input)", "output": "10"}]}`,
	`{"task_id": "pk/lcb", "kind": "lcb-function", "entry_point": "f", "tests": [{"input": "2", "output": "4"}, {"input": "5", "output": "10"}]}`,
}

// packageSamples are, for every problem: a program that uses no package, one
// that imports numpy, and one that imports a package no host has.
func packageSamples(t *testing.T) []*benchmarks.Sample {
	t.Helper()
	bodies := map[string][3]string{
		"function": {"def f(x):\n    return 2 * x\n", "import numpy as np\ndef f(x):\n    return int(np.int64(x) * 2)\n", "import scalebox_absent_package\ndef f(x):\n    return 2 * x\n"},
		"leetcode": {"class Solution:\n    def f(self, x):\n        return 2 * x\n", "class Solution:\n    def f(self, x):\n        return int(np.int64(x) * 2)\n", "import scalebox_absent_package\nclass Solution:\n    def f(self, x):\n        return 2 * x\n"},
	}
	bodies["assert"], bodies["lcb"] = bodies["function"], bodies["function"]
	var lines []string
	for _, kind := range []string{"assert", "function", "leetcode", "lcb"} {
		for _, code := range bodies[kind] {
			lines = append(lines, fmt.Sprintf(`{"task_id": "pk/%s", "solution": %q}`, kind, code))
		}
	}
	return samples(t, lines...)
}

// hostHasNumpy reports whether the interpreter the sandbox runs has numpy.
func hostHasNumpy(t *testing.T) bool {
	t.Helper()
	if exec.Command("/usr/bin/python3", "-I", "-c", "import numpy").Run() == nil {
		return true
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but /usr/bin/python3 cannot import numpy (scripts/install-deps.sh installs python3-numpy)")
	}
	return false
}

// TestReferencePackages runs every Python harness with the reference
// environment's packages (python.packages) as the builtin benchmarks have
// them (numpy), without numpy (a host that lacks it, simulated by hiding
// the host's numpy from the program: the path a host without numpy takes),
// and with a package the host lacks. Programs that use no package get the
// same verdict everywhere; the LeetCode prelude's numpy import never breaks
// a program; numpy works when the reference has it; a program that needs a
// package the host lacks is SE, not a failure.
func TestReferencePackages(t *testing.T) {
	sb := needSandbox(t)
	numpy := hostHasNumpy(t)
	tests := []struct {
		name     string
		packages string
		// want: the plain program, the numpy one, the absent package's.
		want [3]judge.Verdict
	}{
		{"with numpy", `["numpy"]`, [3]judge.Verdict{judge.AC, judge.AC, judge.RE}},
		{"without numpy", `[]`, [3]judge.Verdict{judge.AC, judge.RE, judge.RE}},
		{"with a package the host lacks", `["numpy", "scalebox_absent_package"]`, [3]judge.Verdict{judge.AC, judge.AC, judge.SE}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.packages, "numpy") && !numpy {
				t.Skip("the host has no numpy")
			}
			b := newBench(t, "[python]\npackages = "+tt.packages+"\n", packageProblems...)
			smp := packageSamples(t)
			opts := options(t, sb, b, smp)
			if _, err := PrepareReference(context.Background(), opts, ""); err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range res.Samples {
				want := tt.want[i%3]
				got := s.Verdict
				if want == judge.RE && (got == judge.WA || got == judge.RE) {
					got = judge.RE // a failure: which one depends on the harness
				}
				if got != want {
					t.Errorf("%s sample %d: %s (%s), want %s", s.Sample.TaskID, i%3, s.Verdict, s.Message, want)
				}
				if strings.Contains(s.Message, "failed to load") && i%3 == 0 {
					t.Errorf("%s: a program without imports failed to load: %s", s.Sample.TaskID, s.Message)
				}
			}
		})
	}
}

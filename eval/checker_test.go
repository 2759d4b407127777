package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/report"
)

// pairSum asks for two non-negative integers with the given sum: many
// answers are right. Its checker (Kattis protocol, Python) accepts any.
func pairSumProblem(t *testing.T, checkerSource string) string {
	t.Helper()
	p := map[string]any{
		"task_id": "pair-sum", "kind": "stdio",
		"tests":   []map[string]string{{"input": "4\n", "output": "0 4\n"}, {"input": "7\n", "output": "0 7\n"}},
		"checker": map[string]any{"protocol": "kattis", "language": "python3", "source": checkerSource},
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const pairSumChecker = `import sys
n = int(open(sys.argv[1]).read())
toks = sys.stdin.read().split()
ok = len(toks) == 2 and all(t.isdigit() for t in toks) and int(toks[0]) + int(toks[1]) == n
sys.exit(42 if ok else 43)
`

// TestCheckerJudgesEveryTest: a checker judges every test, an answer that
// exact match would reject is accepted, a wrong one is WA, and a broken
// checker makes the tests SE, never AC or WA. The report names the checker.
func TestCheckerJudgesEveryTest(t *testing.T) {
	sb := needSandbox(t)
	tests := []struct {
		name, checker, solution, want string
	}{
		{"same as expected", pairSumChecker, "n = int(input())\nprint(0, n)", "AC 2/2"},
		{"another answer", pairSumChecker, "n = int(input())\nprint(n - 1, 1)", "AC 2/2"},
		{"wrong on the second", pairSumChecker, "n = int(input())\nprint(n - 1, 1 if n < 5 else 2)", "WA 1/2"},
		{"checker crashes", "raise SystemExit(1)\n", "n = int(input())\nprint(0, n)", "SE 0/2"},
		{"program crashes", pairSumChecker, "raise SystemExit(3)", "RE 0/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBench(t, "", pairSumProblem(t, tt.checker))
			js, _ := json.Marshal(map[string]string{"task_id": "pair-sum", "solution": tt.solution})
			opts := options(t, sb, b, samples(t, string(js)))
			res, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			s := res.Samples[0]
			passed := 0
			for _, tr := range s.Tests {
				if tr.Verdict.Passed() {
					passed++
				}
			}
			if got := fmt.Sprintf("%s %d/%d", s.Verdict, passed, len(s.Tests)); got != tt.want {
				t.Errorf("got %s (%s), want %s", got, s.Message, tt.want)
			}
			if tt.want[:2] == "SE" && !strings.Contains(s.Message, "checker kattis/python3@") {
				t.Errorf("SE message %q does not name the checker", s.Message)
			}
			rep := BuildReport(res, opts, ReportInfo{})
			spec := b.Problems[0].Checker
			want := &report.Checker{Name: spec.Name(), Protocol: "kattis", Origin: "data", SHA256: spec.SHA256()}
			if diff := cmp.Diff(want, rep.Problems[0].Checker); diff != "" {
				t.Errorf("report checker (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUseCheckers: a registry's checker replaces the problem's comparator.
func TestUseCheckers(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", `{"task_id": "any", "kind": "stdio", "tests": [{"input": "", "output": "a b\n"}]}`)
	spec := &checker.Spec{Protocol: checker.Builtin, Comparator: "unordered-tokens"}
	used, err := b.UseCheckers(func(id string) (*checker.Spec, bool) { return spec, id == "any" })
	if err != nil || len(used) != 1 {
		t.Fatalf("UseCheckers = %v, %v", used, err)
	}
	opts := options(t, sb, b, samples(t, `{"task_id": "any", "solution": "print('b a')"}`))
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Samples[0].Verdict; v != "AC" {
		t.Errorf("verdict %s: %s", v, res.Samples[0].Message)
	}
	rep := BuildReport(res, opts, ReportInfo{})
	want := &report.Checker{Name: "unordered-tokens", Protocol: "builtin", Origin: "registry", SHA256: spec.SHA256()}
	if diff := cmp.Diff(want, rep.Problems[0].Checker); diff != "" {
		t.Errorf("report checker (-want +got):\n%s", diff)
	}
}

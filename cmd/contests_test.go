package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/report"
)

// redComponents solves CodeContests 1139_C: union the red (x == 0) edges,
// then subtract the all-inside-one-component sequences.
const redComponents = `
import sys
from collections import Counter
def main():
    d = sys.stdin.buffer.read().split()
    n, k = int(d[0]), int(d[1])
    par = list(range(n + 1))
    def find(x):
        while par[x] != x:
            par[x] = par[par[x]]
            x = par[x]
        return x
    i = 2
    for _ in range(n - 1):
        u, v, x = int(d[i]), int(d[i + 1]), int(d[i + 2])
        i += 3
        if x == 0:
            ru, rv = find(u), find(v)
            if ru != rv:
                par[ru] = rv
    sizes = Counter(find(v) for v in range(1, n + 1))
    M = 10**9 + 7
    print((pow(n, k, M) - sum(pow(s, k, M) for s in sizes.values())) % M)
main()
`

// codeContestsSamples are solutions written for problems of the
// CodeContests sample in ../shared/data: a correct one and a wrong one each
// (the wrong ones fail on some test, not on a crash).
var codeContestsSamples = []struct {
	task, name string
	pass       bool
	code       string
}{
	{"3", "1000_A multiset difference", true, `
import sys
from collections import Counter
d = sys.stdin.read().split()
n = int(d[0])
a, b = Counter(d[1:1 + n]), Counter(d[1 + n:1 + 2 * n])
print(sum((a - b).values()))
`},
	{"3", "1000_A counts distinct sizes", false, `
import sys
d = sys.stdin.read().split()
n = int(d[0])
print(len(set(d[1:1 + n]) ^ set(d[1 + n:1 + 2 * n])))
`},
	{"9", "1139_C red components", true, redComponents},
	// Joins along the black edges instead of the red ones.
	{"9", "1139_C black components", false, strings.Replace(redComponents, "if x == 0:", "if x == 1:", 1)},
	{"17", "12_B smallest permutation", true, `
n = input().strip()
m = input().strip()
if n == "0":
    best = "0"
else:
    ds = sorted(n)
    i = next(j for j, c in enumerate(ds) if c != "0")
    best = ds[i] + "".join(ds[:i] + ds[i + 1:])
print("OK" if m == best else "WRONG_ANSWER")
`},
	{"17", "12_B ignores leading zeros", false, `
n = input().strip()
m = input().strip()
if n == "0":
    best = "0"
else:
    ds = sorted(n)
    i = next(j for j, c in enumerate(ds) if c != "0")
    best = ds[i] + "".join(ds[:i] + ds[i + 1:])
print("OK" if int(m) == int(best) else "WRONG_ANSWER")
`},
	{"19", "1342_C period a*b", true, `
import sys
def main():
    d = sys.stdin.buffer.read().split()
    t, i, out = int(d[0]), 1, []
    for _ in range(t):
        a, b, q = int(d[i]), int(d[i + 1]), int(d[i + 2])
        i += 3
        L = a * b
        pre = [0] * (L + 1)
        for x in range(L):
            pre[x + 1] = pre[x] + ((x % a) % b != (x % b) % a)
        f = lambda x: (x // L) * pre[L] + pre[x % L]  # bad numbers in [0, x)
        res = []
        for _ in range(q):
            l, r = int(d[i]), int(d[i + 1])
            i += 2
            res.append(f(r + 1) - f(l))
        out.append(" ".join(map(str, res)))
    print("\n".join(out))
main()
`},
	{"19", "1342_C off by one", false, `
import sys
def main():
    d = sys.stdin.buffer.read().split()
    t, i, out = int(d[0]), 1, []
    for _ in range(t):
        a, b, q = int(d[i]), int(d[i + 1]), int(d[i + 2])
        i += 3
        L = a * b
        pre = [0] * (L + 1)
        for x in range(L):
            pre[x + 1] = pre[x] + ((x % a) % b != (x % b) % a)
        f = lambda x: (x // L) * pre[L] + pre[x % L]
        res = []
        for _ in range(q):
            l, r = int(d[i]), int(d[i + 1])
            i += 2
            res.append(f(r) - f(l))
        out.append(" ".join(map(str, res)))
    print("\n".join(out))
main()
`},
}

// TestEvalCodeContests runs solutions written for four of the CodeContests
// problems of ../shared/data on the real sandbox: the correct ones pass
// every test, the wrong ones get WA; and `scalebox validate` finds the
// data's one canonical solution broken.
func TestEvalCodeContests(t *testing.T) {
	needSandbox(t)
	dir := filepath.Join(sharedData, "codecontests")
	needData(t, filepath.Join(dir, "scalebox_code_eval_code_contests.jsonl"))
	tmp := t.TempDir()
	var lines []string
	for _, s := range codeContestsSamples {
		line, _ := json.Marshal(map[string]string{"task_id": s.task, "solution": s.code})
		lines = append(lines, string(line))
	}
	samples := filepath.Join(tmp, "samples.jsonl")
	if err := os.WriteFile(samples, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "report.json")
	stdout, stderr, code := run(t, context.Background(), "", "eval", "--bench", "codecontests", "--data", dir, "--samples", samples, "--out", out, "-q")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]report.Sample{}
	for _, p := range rep.Problems {
		for _, s := range p.Samples {
			got[fmt.Sprintf("%s#%d", p.TaskID, s.Index)] = s
		}
		if p.Meta["source"] != "CODEFORCES" {
			t.Errorf("task %s: meta %v", p.TaskID, p.Meta)
		}
	}
	index := map[string]int{}
	for _, s := range codeContestsSamples {
		key := fmt.Sprintf("%s#%d", s.task, index[s.task])
		index[s.task]++
		r, ok := got[key]
		switch {
		case !ok:
			t.Errorf("%s (%s): not in the report", key, s.name)
		case s.pass && (!r.Passed || r.TestsPassed != r.TestsTotal || r.TestsTotal < 90):
			t.Errorf("%s (%s): %s, %d of %d tests: %s", key, s.name, r.Verdict, r.TestsPassed, r.TestsTotal, r.Message)
		case !s.pass && r.Verdict != "WA":
			t.Errorf("%s (%s): %s, want WA: %s", key, s.name, r.Verdict, r.Message)
		}
	}
	// One of the two samples of each task passes.
	if rep.Summary.PassAtK["1"] != 0.5 || rep.Summary.SystemErrors != 0 {
		t.Errorf("pass@1 %v, want 0.5; system errors %d", rep.Summary.PassAtK, rep.Summary.SystemErrors)
	}

	// The one canonical solution in the data is broken: JSON decoding
	// turns print('\n'.join(...)) into a string literal with a newline in
	// it, a syntax error. validate says so.
	stdout, stderr, code = run(t, context.Background(), "", "validate", "--bench", "codecontests", "--data", filepath.Join(dir, "scalebox_code_eval_code_contests_python.jsonl"))
	if code != int(ExitBelowThreshold) || !strings.Contains(stdout, "0  CE") || !strings.Contains(stdout, "0 of 1 reference solutions pass") {
		t.Errorf("validate: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestEvalCodeJam runs samples on Code Jam problems: a correct program for
// a float_tolerance problem passes with an answer printed differently from
// the .ans, and any sample of a custom-validation problem is SE, reported
// apart (exit 3), never passed or failed.
func TestEvalCodeJam(t *testing.T) {
	needSandbox(t)
	root := filepath.Join(sharedData, "codejam")
	needData(t, filepath.Join(root, "PROBLEMS.tsv"))
	tmp := t.TempDir()
	// Code Jam 2014 Qualification Round "Cookie Clicker Alpha" (float
	// answers, float_tolerance 1e-6): the time to reach X cookies, buying
	// farms while that pays off. It prints "case #1:" and 9 decimals where
	// the .ans has "Case #1:" and 7.
	cookie := `
import sys
def main():
    d = sys.stdin.read().split()
    t = int(d[0])
    out = []
    for c in range(t):
        C, F, X = map(float, d[1 + 3 * c:4 + 3 * c])
        rate, time = 2.0, 0.0
        while X / rate > C / rate + X / (rate + F):
            time += C / rate
            rate += F
        out.append("case #%d: %.9f" % (c + 1, time + X / rate))
    print("\n".join(out))
main()
`
	lines := []string{}
	for _, s := range []struct{ task, code string }{
		{"float_tolerance/codejam/2014/qualification_round/cookie_clicker_alpha", cookie},
		{"custom_judge/codejam/2019/round_1a/pylons", "print('Case #1: IMPOSSIBLE')"},
	} {
		line, _ := json.Marshal(map[string]string{"task_id": s.task, "solution": s.code})
		lines = append(lines, string(line))
	}
	samples := filepath.Join(tmp, "samples.jsonl")
	if err := os.WriteFile(samples, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "report.json")
	stdout, stderr, code := run(t, context.Background(), "", "eval", "--bench", "codejam", "--data", root, "--samples", samples, "--out", out, "-q")
	if code != int(ExitSystemErrors) {
		t.Fatalf("exit %d, want %d (the custom-validation sample is SE)\nstdout:\n%s\nstderr:\n%s", code, ExitSystemErrors, stdout, stderr)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	verdicts := map[string]report.Sample{}
	for _, p := range rep.Problems {
		verdicts[p.TaskID] = p.Samples[0]
	}
	if s := verdicts["float_tolerance/codejam/2014/qualification_round/cookie_clicker_alpha"]; !s.Passed {
		t.Errorf("cookie clicker: %s: %s", s.Verdict, s.Message)
	}
	if s := verdicts["custom_judge/codejam/2019/round_1a/pylons"]; s.Verdict != "SE" || !strings.Contains(s.Message, "no judge for a custom-validation problem") {
		t.Errorf("pylons: %s: %s", s.Verdict, s.Message)
	}
	if rep.Summary.SystemErrors != 1 || rep.Summary.ScoredTasks != 1 || rep.Summary.PassAtK["1"] != 1 {
		t.Errorf("summary: system errors %d, scored tasks %d, pass@k %v", rep.Summary.SystemErrors, rep.Summary.ScoredTasks, rep.Summary.PassAtK)
	}
}

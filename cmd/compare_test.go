package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/report"
)

// synthReport writes a summarized report of benchmark name/version with
// data hash sha, from per-task sample verdicts ("AC" passes), and returns
// its path. Each test gets a usage of 10·(index+1) ms of CPU time.
func synthReport(t *testing.T, dir, file, name, version, sha string, verdicts map[string][]string) string {
	t.Helper()
	r := &report.Report{SchemaVersion: report.SchemaVersion, Benchmark: report.Benchmark{Name: name, Version: version, SHA256: sha, Problems: len(verdicts)}}
	ids := make([]string, 0, len(verdicts))
	for id := range verdicts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := report.Problem{TaskID: id}
		for i, v := range verdicts[id] {
			p.Samples = append(p.Samples, report.Sample{Index: i, Verdict: v, Passed: v == "AC", TestsTotal: 1,
				Tests: []report.Test{{Index: 0, Verdict: v, Usage: &report.Usage{CPUTimeMS: float64(10 * (i + 1)), WallTimeMS: 1}}}})
		}
		r.Problems = append(r.Problems, p)
	}
	r.Timing = &report.Timing{WallSeconds: 3}
	r.Summarize([]int{1})
	path := filepath.Join(dir, file)
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// singleSample maps tasks t000…t(n−1) to one sample each, passing when
// pass(i).
func singleSample(n int, pass func(i int) bool) map[string][]string {
	v := map[string][]string{}
	for i := range n {
		verdict := "WA"
		if pass(i) {
			verdict = "AC"
		}
		v[fmt.Sprintf("t%03d", i)] = []string{verdict}
	}
	return v
}

// checkFlipsMatchBroken runs `scalebox compare --json BASE NEW` in-process
// and checks that the problems it reports as broken are exactly the tasks
// of broken that BASE solved at least once (breaking a task BASE already
// failed cannot flip it), and that nothing is fixed. It is meant for
// acceptance tests that deliberately break the samples of some tasks in a
// copy of a samples file and evaluate both copies.
func checkFlipsMatchBroken(t *testing.T, basePath, newPath string, broken []string) {
	t.Helper()
	diff, err := flipsVsBroken(basePath, newPath, broken)
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Error(diff)
	}
}

// flipsVsBroken is checkFlipsMatchBroken's check: it returns "" when the
// flips match, else what differs.
func flipsVsBroken(basePath, newPath string, broken []string) (string, error) {
	base, err := report.Read(basePath)
	if err != nil {
		return "", err
	}
	solved := map[string]bool{}
	for _, p := range base.Problems {
		if report.ProblemCount(p).C > 0 {
			solved[p.TaskID] = true
		}
	}
	want := []string{}
	for _, id := range broken {
		if solved[id] {
			want = append(want, id)
		}
	}
	sort.Strings(want)
	var stdout, stderr bytes.Buffer
	deps := Deps{Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
	if code := Execute(context.Background(), deps, []string{"compare", "--json", basePath, newPath}); code != 0 {
		return "", fmt.Errorf("compare %s %s: exit %d: %s", basePath, newPath, code, stderr.String())
	}
	var got report.Comparison
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		return "", fmt.Errorf("compare --json: %w\n%s", err, stdout.String())
	}
	ids := func(fs []report.Flip) []string {
		out := []string{}
		for _, f := range fs {
			out = append(out, f.TaskID)
		}
		return out
	}
	var msg strings.Builder
	if diff := cmp.Diff(want, ids(got.Broken)); diff != "" {
		fmt.Fprintf(&msg, "broken problems are not the broken tasks BASE solved (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{}, ids(got.Fixed)); diff != "" {
		fmt.Fprintf(&msg, "problems fixed by breaking samples (-want +got):\n%s", diff)
	}
	return msg.String(), nil
}

func TestCheckFlipsMatchBroken(t *testing.T) {
	dir := t.TempDir()
	// BASE solves even tasks; NEW breaks t002, t004 (solved) and t003
	// (already failing).
	baseV := singleSample(10, func(i int) bool { return i%2 == 0 })
	newV := singleSample(10, func(i int) bool { return i%2 == 0 && i != 2 && i != 4 })
	base := synthReport(t, dir, "base.json", "b", "1", "abc", baseV)
	next := synthReport(t, dir, "new.json", "b", "1", "abc", newV)
	checkFlipsMatchBroken(t, base, next, []string{"t004", "t003", "t002"})

	// The check notices a flip outside the broken set, and a fix.
	for _, tt := range []struct {
		base, next string
		broken     []string
		contains   string
	}{
		{base, next, []string{"t002"}, `"t004"`},
		{next, base, nil, "problems fixed by breaking samples"},
	} {
		diff, err := flipsVsBroken(tt.base, tt.next, tt.broken)
		if err != nil || !strings.Contains(diff, tt.contains) {
			t.Errorf("broken %v: err %v, diff %q; want it to contain %q", tt.broken, err, diff, tt.contains)
		}
	}
}

func TestCompareFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want compareOptions
	}{
		{"defaults", []string{"a.json", "b.json"},
			compareOptions{basePath: "a.json", newPath: "b.json", confidence: 0.95, resamples: 10000, seed: 1}},
		{"everything", []string{"a.json", "b.json", "--markdown", "--force", "--confidence", "0.9", "--bootstrap", "500", "--seed", "7", "--fail-on-regression", "1.5"},
			compareOptions{basePath: "a.json", newPath: "b.json", markdown: true, force: true, confidence: 0.9, resamples: 500, seed: 7, maxDropPP: 1.5, gate: true}},
		{"gate at zero", []string{"a.json", "b.json", "--json", "--fail-on-regression", "0"},
			compareOptions{basePath: "a.json", newPath: "b.json", json: true, confidence: 0.95, resamples: 10000, seed: 1, gate: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *compareOptions
			g := &globalOptions{deps: Deps{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}}
			c := NewCompareCmd(g, func(_ context.Context, o *compareOptions) error { got = o; return nil })
			c.SetArgs(tt.args)
			if err := c.Execute(); err != nil {
				t.Fatal(err)
			}
			got.g = nil
			if diff := cmp.Diff(tt.want, *got, cmp.AllowUnexported(compareOptions{})); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompareUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		contains string
	}{
		{[]string{"compare", "a.json"}, "accepts 2 arg(s)"},
		{[]string{"compare", "a.json", "b.json", "--json", "--markdown"}, "--json and --markdown exclude each other"},
		{[]string{"compare", "a.json", "b.json", "--confidence", "95"}, "--confidence must be between 0 and 1"},
		{[]string{"compare", "a.json", "b.json", "--bootstrap", "0"}, "--bootstrap must be positive"},
		{[]string{"compare", "a.json", "b.json", "--fail-on-regression", "-1"}, "--fail-on-regression must be a non-negative"},
		{[]string{"compare", "a.json", "b.json", "--fail-on-regression", "lots"}, "invalid argument"},
		{[]string{"report", "show", "a.json", "--slowest", "-1"}, "--slowest must not be negative"},
	} {
		_, stderr, code := run(t, context.Background(), "", tt.args...)
		if code != int(ExitUsage) || !strings.Contains(stderr, tt.contains) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, ExitUsage, tt.contains)
		}
	}
}

func TestCompareEndToEnd(t *testing.T) {
	dir := t.TempDir()
	// 200 single-sample problems. BASE solves all; "slight" loses 1 (not
	// significant); "bad" loses 40 (−20 pp, significant); "better" is BASE
	// with 10 more solved on a weaker base.
	all := singleSample(200, func(int) bool { return true })
	base := synthReport(t, dir, "base.json", "humaneval", "1", "abc", all)
	slight := synthReport(t, dir, "slight.json", "humaneval", "1", "abc", singleSample(200, func(i int) bool { return i != 7 }))
	bad := synthReport(t, dir, "bad.json", "humaneval", "1", "abc", singleSample(200, func(i int) bool { return i >= 40 }))

	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		noStdout []string
	}{
		{"text, small drop", []string{base, slight}, 0,
			[]string{"pass@1         100.00%  99.50%  -0.50 pp", "broken (1): t007", "no significant difference", "McNemar exact test (single-sample): solved by base only 1, by new only 0, p = 1"}, nil, []string{"fixed ("}},
		{"gate passes on an insignificant drop", []string{base, slight, "--fail-on-regression", "0"}, 0,
			[]string{"passes the gate"}, nil, nil},
		{"significant drop beyond the gate", []string{base, bad, "--fail-on-regression", "1.0"}, int(ExitBelowThreshold),
			[]string{"regression: pass@1 100.00% → 80.00%", "FAILS the gate"}, []string{"scalebox: regression: paired pass@1 fell by 20.00 pp, more than 1 pp, and the drop is significant"}, nil},
		{"significant drop within the gate", []string{base, bad, "--fail-on-regression", "25"}, 0,
			[]string{"regression:", "passes the gate"}, nil, nil},
		{"no gate, significant drop", []string{base, bad}, 0, []string{"regression:"}, nil, []string{"gate"}},
		{"markdown", []string{base, bad, "--markdown", "--fail-on-regression", "1"}, int(ExitBelowThreshold),
			[]string{"### scalebox compare: humaneval 1\n", "| metric | base | new | difference |\n|---|---:|---:|---:|\n", "| pass@1 | 100.00% | 80.00% | -20.00 pp |", "🔴 **regression:", "<details><summary>Broken (40)</summary>"}, []string{"scalebox: regression:"}, nil},
		{"improvement", []string{bad, base, "--fail-on-regression", "0"}, 0, []string{"improvement:", "fixed (40): t000, t001"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := run(t, context.Background(), "", append([]string{"compare"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.noStdout {
				if strings.Contains(stdout, s) {
					t.Errorf("stdout has %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if len(tt.stderr) == 0 && stderr != "" {
				t.Errorf("stderr: %q", stderr)
			}
		})
	}
}

func TestCompareJSONIsReproducible(t *testing.T) {
	dir := t.TempDir()
	base := synthReport(t, dir, "base.json", "b", "1", "abc", singleSample(50, func(i int) bool { return i%3 != 0 }))
	next := synthReport(t, dir, "new.json", "b", "1", "abc", singleSample(50, func(i int) bool { return i%3 != 0 && i%7 != 0 || i == 3 }))
	var outs []string
	for range 2 {
		stdout, stderr, code := run(t, context.Background(), "", "compare", "--json", "--bootstrap", "2000", base, next)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		outs = append(outs, stdout)
	}
	if outs[0] != outs[1] {
		t.Errorf("two runs with the default seed differ:\n%s\n%s", outs[0], outs[1])
	}
	var c report.Comparison
	if err := json.Unmarshal([]byte(outs[0]), &c); err != nil {
		t.Fatal(err)
	}
	if c.PassAt1.Seed != 1 || c.PassAt1.Resamples != 2000 || !c.PassAt1.CI.Contains(c.PassAt1.Difference) || c.Paired != 50 {
		t.Errorf("paired pass@1 %+v, paired %d", c.PassAt1, c.Paired)
	}
	if diff := cmp.Diff([]string{"t003"}, []string{c.Fixed[0].TaskID}); diff != "" || len(c.Fixed) != 1 {
		t.Errorf("fixed %+v", c.Fixed)
	}
	stdout, _, _ := run(t, context.Background(), "", "compare", "--json", "--bootstrap", "2000", "--seed", "2", base, next)
	if stdout == outs[0] {
		t.Error("--seed 2 gave the same output as seed 1")
	}
}

func TestCompareRefusesOtherBenchmarks(t *testing.T) {
	dir := t.TempDir()
	v := singleSample(5, func(int) bool { return true })
	base := synthReport(t, dir, "base.json", "humaneval", "1", "abc", v)
	for _, tt := range []struct {
		name, bench, version, sha, want string
	}{
		{"name", "mbpp", "1", "abc", `benchmark differs: base "humaneval", new "mbpp"`},
		{"version", "humaneval", "2", "abc", `benchmark version differs: base "1", new "2"`},
		{"data", "humaneval", "1", "def", "benchmark data differs: base sha256 abc, new sha256 def"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			next := synthReport(t, t.TempDir(), "new.json", tt.bench, tt.version, tt.sha, v)
			stdout, stderr, code := run(t, context.Background(), "", "compare", base, next)
			if code != int(ExitError) || stdout != "" || !strings.Contains(stderr, "scalebox: compare: reports are not comparable: "+tt.want) || !strings.Contains(stderr, "--force") {
				t.Errorf("exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
			}
			stdout, stderr, code = run(t, context.Background(), "", "compare", "--force", base, next)
			if code != 0 || stderr != "warning: "+tt.want+" (compared anyway: forced)\n" || !strings.Contains(stdout, "no significant difference") {
				t.Errorf("--force: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
			}
		})
	}
}

func TestCompareBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := synthReport(t, dir, "good.json", "b", "1", "abc", singleSample(3, func(int) bool { return true }))
	other := synthReport(t, dir, "other.json", "b", "1", "abc", map[string][]string{"zzz": {"AC"}})
	garbage := filepath.Join(dir, "garbage.json")
	os.WriteFile(garbage, []byte("{"), 0o644)
	for _, tt := range []struct {
		args     []string
		contains string
	}{
		{[]string{"compare", good, filepath.Join(dir, "none.json")}, "read report: open " + filepath.Join(dir, "none.json")},
		{[]string{"compare", garbage, good}, garbage + ": not a scalebox report"},
		{[]string{"compare", good, other}, "have no scored problem in common"},
		{[]string{"report", "show", garbage}, garbage + ": not a scalebox report"},
		{[]string{"report", "strip-timings", filepath.Join(dir, "none.json")}, "none.json"},
	} {
		_, stderr, code := run(t, context.Background(), "", tt.args...)
		if code != int(ExitError) || !strings.Contains(stderr, tt.contains) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tt.args[:2], code, stderr, tt.contains)
		}
	}
}

func TestReportShow(t *testing.T) {
	dir := t.TempDir()
	path := synthReport(t, dir, "r.json", "b", "1", "abc", map[string][]string{"a": {"AC", "WA", "AC"}, "b": {"TLE", "AC", "AC"}})
	stdout, stderr, code := run(t, context.Background(), "", "report", "show", path, "--slowest", "2")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"b 1: 2 tasks, 6 samples", "pass@1        66.67%", "slowest tests by CPU time:", "a     2       0     AC       30.0"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
	if strings.Count(stdout, "30.0") != 2 || strings.Contains(stdout, "\nby ") {
		t.Errorf("want exactly the two 30 ms tests and no breakdown:\n%s", stdout)
	}

	stdout, _, code = run(t, context.Background(), "", "report", "show", path, "--json", "--slowest", "3")
	var o report.Overview
	if err := json.Unmarshal([]byte(stdout), &o); code != 0 || err != nil {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	want := []report.SlowTest{
		{TaskID: "a", Sample: 2, Test: 0, Verdict: "AC", CPUTimeMS: 30, WallTimeMS: 1},
		{TaskID: "b", Sample: 2, Test: 0, Verdict: "AC", CPUTimeMS: 30, WallTimeMS: 1},
		{TaskID: "a", Sample: 1, Test: 0, Verdict: "WA", CPUTimeMS: 20, WallTimeMS: 1},
	}
	if diff := cmp.Diff(want, o.SlowestTests); diff != "" || o.Summary.Samples != 6 {
		t.Errorf("slowest tests (-want +got):\n%s", diff)
	}
}

func TestReportStripTimings(t *testing.T) {
	dir := t.TempDir()
	v := map[string][]string{"a": {"AC", "WA"}, "b": {"AC"}}
	r1 := synthReport(t, dir, "r1.json", "b", "1", "abc", v)
	// A second "run": the same results with other timings.
	rep, _ := report.Read(r1)
	rep.Timing.WallSeconds = 9
	rep.Problems[0].Samples[0].Tests[0].Usage.CPUTimeMS = 123
	r2 := filepath.Join(dir, "r2.json")
	rep.WriteFile(r2)

	stdout1, stderr, code := run(t, context.Background(), "", "report", "strip-timings", r1)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "r2.stripped.json")
	stdout2, stderr, code := run(t, context.Background(), "", "report", "strip-timings", r2, "-o", out)
	if code != 0 || stderr != "" || stdout2 != "" {
		t.Fatalf("-o: exit %d, stdout %q, stderr %q", code, stdout2, stderr)
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stdout1, string(written)); diff != "" {
		t.Errorf("stripped runs differ (-r1 +r2):\n%s", diff)
	}
	for _, s := range []string{`"usage"`, `"timing"`} {
		if strings.Contains(stdout1, s) {
			t.Errorf("stripped report has %s", s)
		}
	}
	if _, err := report.Read(out); err != nil {
		t.Errorf("stripped report does not read back: %v", err)
	}

	// Fields this build does not know are left out, with a warning.
	var doc map[string]any
	json.Unmarshal(written, &doc)
	doc["future_field"] = 1
	data, _ := json.Marshal(doc)
	future := filepath.Join(dir, "future.json")
	os.WriteFile(future, data, 0o644)
	_, stderr, code = run(t, context.Background(), "", "report", "strip-timings", future)
	if code != 0 || !strings.Contains(stderr, `warning: `+future+` has fields this scalebox does not know (first: "future_field")`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestCompareRealRuns: the Qwen2.5-Coder-1.5B HumanEval+ samples against a
// copy with eight passing solutions broken. compare reports exactly those
// flips, McNemar's exact p-value 2·(1/2)^8, and a bootstrap interval that
// matches the hand computation: the paired differences are 0 except eight
// -1s, so a resampled mean is -X/n with X ~ Binomial(n, 8/n), and the
// interval is that distribution's 2.5% and 97.5% quantiles.
func TestCompareRealRuns(t *testing.T) {
	base, newPath, broken := realRuns(t)
	checkFlipsMatchBroken(t, base, newPath, broken)

	stdout, stderr, code := run(t, context.Background(), "", "compare", base, newPath, "--json", "--fail-on-regression", "1")
	if code != int(ExitBelowThreshold) {
		t.Errorf("a significant 8-problem drop: exit %d, want %d (%s)", code, ExitBelowThreshold, stderr)
	}
	var c report.Comparison
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	n := float64(c.Paired)
	if c.Paired != 164 || c.McNemar.BaseOnly != 8 || c.McNemar.NewOnly != 0 {
		t.Fatalf("paired %d, McNemar b=%d c=%d; want 164, 8, 0", c.Paired, c.McNemar.BaseOnly, c.McNemar.NewOnly)
	}
	if want := 2 * math.Pow(0.5, 8); math.Abs(c.McNemar.PValue-want) > 1e-12 {
		t.Errorf("McNemar p = %v, by hand 2·(1/2)^8 = %v", c.McNemar.PValue, want)
	}
	if want := -8 / n; math.Abs(c.PassAt1.Difference-want) > 1e-12 {
		t.Errorf("difference %v, by hand %v", c.PassAt1.Difference, want)
	}
	// Quantiles of -Binomial(164, 8/164)/164, by hand: the CDF summed term
	// by term.
	q := func(p float64) float64 {
		cdf, pk := 0.0, math.Pow(1-8/n, n)
		for k := 0; k <= int(n); k++ {
			cdf += pk
			if cdf >= p {
				return float64(k)
			}
			pk *= (n - float64(k)) / float64(k+1) * (8 / n) / (1 - 8/n)
		}
		return n
	}
	lo, hi := -q(0.975)/n, -q(0.025)/n
	if math.Abs(c.PassAt1.CI.Low-lo) > 1.5/n || math.Abs(c.PassAt1.CI.High-hi) > 1.5/n {
		t.Errorf("bootstrap interval [%v, %v], by hand about [%v, %v]", c.PassAt1.CI.Low, c.PassAt1.CI.High, lo, hi)
	}
}

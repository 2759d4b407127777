package eval

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/report"
	"github.com/scalebox-dev/scalebox/runner"
)

// needSandbox returns the real sandbox (the default backend, or the one
// SCALEBOX_TEST_SANDBOX names: pool, bwrap; SCALEBOX_TEST_PYTHON_FORK_SERVER=off
// turns the fork server off), or skips (fails in CI).
func needSandbox(t testing.TB) runner.ClosableSandbox {
	t.Helper()
	sb, err := runner.NewSandbox(os.Getenv("SCALEBOX_TEST_SANDBOX"), runner.Options{NoPythonForkServer: os.Getenv("SCALEBOX_TEST_PYTHON_FORK_SERVER") == "off"})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the sandbox is unavailable: %v", err)
		}
		t.Skipf("sandbox unavailable: %v", err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// newBench writes a benchmark file and its problems (scalebox JSONL) to a
// temporary directory and loads it.
func newBench(t testing.TB, toml string, problems ...string) *benchmarks.Benchmark {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "problems.jsonl"), []byte(strings.Join(problems, "\n")+"\n"), 0o644)
	file := filepath.Join(dir, "b.toml")
	os.WriteFile(file, []byte("name = \"t\"\nversion = \"1\"\n[data]\npath = \"problems.jsonl\"\n"+toml), 0o644)
	cfg, err := (&benchmarks.Registry{}).LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b, err := benchmarks.Load(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func samples(t testing.TB, jsonl ...string) []*benchmarks.Sample {
	t.Helper()
	s, err := benchmarks.ReadSamples(strings.NewReader(strings.Join(jsonl, "\n")), "samples.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func options(t testing.TB, sb runner.Sandbox, b *benchmarks.Benchmark, s []*benchmarks.Sample) Options {
	t.Helper()
	langs, err := runner.DefaultLanguages()
	if err != nil {
		t.Fatal(err)
	}
	builder, err := runner.NewBuilder(sb, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { builder.Close() })
	vis := func(string) bool { return true }
	if v, ok := sb.(interface{ Visible(string) bool }); ok {
		vis = v.Visible
	}
	return Options{Benchmark: b, Samples: s, Sandbox: sb, Resolver: runner.NewResolver(langs, vis), Builder: builder, Jobs: 4, EarlyStop: true}
}

// fiveTests is a stdio problem whose program must echo its input; the
// samples below fail tests 1 and 3.
const fiveTests = `{"task_id": "echo", "kind": "stdio", "tests": [{"input": "0\n", "output": "0\n"}, {"input": "1\n", "output": "1\n"}, {"input": "2\n", "output": "2\n"}, {"input": "3\n", "output": "3\n"}, {"input": "4\n", "output": "4\n"}]}`

const echoFailing13 = `{"task_id": "echo", "solution": "x = input()\nif x in ('1', '3'):\n    print('no')\nelse:\n    print(x)\n"}`

func verdicts(r *SampleResult) []string {
	var out []string
	for _, t := range r.Tests {
		out = append(out, fmt.Sprintf("%d:%s", t.Index, t.Verdict))
	}
	return out
}

func TestEarlyStop(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", fiveTests)
	for _, jobs := range []int{1, 8} {
		opts := options(t, sb, b, samples(t, echoFailing13))
		opts.Jobs = jobs
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		got := res.Samples[0]
		if got.Verdict != judge.WA || !strings.HasPrefix(got.Message, "test 1:") {
			t.Errorf("-j %d: verdict %s %q, want WA at test 1", jobs, got.Verdict, got.Message)
		}
		if diff := cmp.Diff([]string{"0:AC", "1:WA"}, verdicts(got)); diff != "" {
			t.Errorf("-j %d: tests (-want +got):\n%s", jobs, diff)
		}
		// The deciding test's case is in the report.
		wantCase := &report.Case{Input: "1\n", Expected: str("1\n"), Got: str("no\n")}
		if diff := cmp.Diff(wantCase, got.Tests[len(got.Tests)-1].Case); diff != "" {
			t.Errorf("-j %d: case of the failing test (-want +got):\n%s", jobs, diff)
		}
		if got.Tests[0].Case != nil {
			t.Errorf("-j %d: a passing test has a case %+v", jobs, got.Tests[0].Case)
		}
	}
}

func TestAllTests(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", fiveTests)
	opts := options(t, sb, b, samples(t, echoFailing13))
	opts.EarlyStop = false
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Samples[0]
	if diff := cmp.Diff([]string{"0:AC", "1:WA", "2:AC", "3:WA", "4:AC"}, verdicts(got)); diff != "" {
		t.Errorf("tests (-want +got):\n%s", diff)
	}
	if got.Verdict != judge.WA || !strings.HasPrefix(got.Message, "test 1:") {
		t.Errorf("verdict %s %q, want WA at test 1", got.Verdict, got.Message)
	}
	// The deciding test alone keeps its case.
	if got.Tests[1].Case == nil || got.Tests[3].Case != nil {
		t.Errorf("cases of tests 1 and 3: %+v, %+v; want test 1's only", got.Tests[1].Case, got.Tests[3].Case)
	}
}

func TestSamplesInOrderAndUnknown(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", fiveTests)
	s := samples(t,
		`{"task_id": "echo", "solution": "print(input())"}`,
		`{"task_id": "nope", "solution": "print(1)"}`,
		`{"task_id": "echo", "solution": "print(int(input()) + 1)"}`,
		`{"task_id": "echo", "completion": "print(input())"}`,
	)
	res, err := Run(context.Background(), options(t, sb, b, s))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Samples {
		got = append(got, fmt.Sprintf("%s#%d %s", r.Sample.TaskID, r.Sample.Index, r.Verdict))
	}
	want := []string{"echo#0 AC", "echo#1 WA", "echo#2 AC"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	if len(res.Unknown) != 1 || res.Unknown[0].TaskID != "nope" || res.Unknown[0].Line != 2 {
		t.Errorf("unknown samples %+v, want task nope at line 2", res.Unknown)
	}
}

// flaky wraps the real sandbox and fails the first `fail` runs, as a broken
// machine would; the sandbox itself is real.
type flaky struct {
	runner.Sandbox
	fail  int64
	calls atomic.Int64
}

func (f *flaky) Run(ctx context.Context, s *runner.Spec) (*runner.Result, error) {
	if f.calls.Add(1) <= f.fail {
		return nil, errors.New("injected sandbox failure")
	}
	return f.Sandbox.Run(ctx, s)
}

func TestSystemErrorsAreRetriedThenReportedApart(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", `{"task_id": "one", "kind": "stdio", "tests": [{"input": "", "output": "1\n"}]}`)
	s := samples(t, `{"task_id": "one", "solution": "print(1)"}`)

	// The build (a syntax check) fails once, then succeeds on retry.
	opts := options(t, &flaky{Sandbox: sb, fail: 1}, b, s)
	opts.Retries = 2
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Samples[0].Verdict; v != judge.AC {
		t.Errorf("after one failure and a retry: verdict %s (%s), want AC", v, res.Samples[0].Message)
	}

	// Always failing: SE, never a pass or a fail, and left out of pass@k.
	opts = options(t, &flaky{Sandbox: sb, fail: 1 << 30}, b, s)
	opts.Retries = 1
	res, err = Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Samples[0]
	if got.Verdict != judge.SE || !strings.Contains(got.Message, "injected") {
		t.Errorf("verdict %s %q, want SE naming the failure", got.Verdict, got.Message)
	}
	rep := BuildReport(res, opts, ReportInfo{})
	if rep.Summary.SystemErrors != 1 || rep.Summary.ScoredTasks != 0 || len(rep.Summary.PassAtK) != 0 {
		t.Errorf("summary %+v: an SE sample must be reported apart and not scored", rep.Summary)
	}
}

func TestCompileOnceAndCompileError(t *testing.T) {
	sb := needSandbox(t)
	var tests []string
	for i := 0; i < 100; i++ {
		tests = append(tests, fmt.Sprintf(`{"input": "%d\n", "output": "%d\n"}`, i, 2*i))
	}
	b := newBench(t, "", `{"task_id": "double", "kind": "stdio", "language": "cpp", "tests": [`+strings.Join(tests, ",")+`]}`)
	s := samples(t,
		`{"task_id": "double", "solution": "#include <cstdio>\nint main(){long long x; scanf(\"%lld\", &x); printf(\"%lld\\n\", 2*x);}"}`,
		`{"task_id": "double", "solution": "int main() { return 0 }"}`,
	)
	opts := options(t, sb, b, s)
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := opts.Builder.Compiles(); n != 2 {
		t.Errorf("compiler ran %d times for 2 samples of 100 tests, want 2", n)
	}
	if v := res.Samples[0].Verdict; v != judge.AC || len(res.Samples[0].Tests) != 100 {
		t.Errorf("correct C++: %s with %d tests (%s)", v, len(res.Samples[0].Tests), res.Samples[0].Message)
	}
	ce := res.Samples[1]
	if ce.Verdict != judge.CE || !strings.Contains(ce.Message, "error") || len(ce.Tests) != 0 {
		t.Errorf("broken C++: %s %q with %d tests, want CE with the compiler's message", ce.Verdict, ce.Message, len(ce.Tests))
	}
}

func TestMissingToolchainAndUnknownLanguage(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", fiveTests)
	s := samples(t, `{"task_id": "echo", "solution": "x", "language": "cobol"}`)
	opts := options(t, sb, b, s)
	langs := opts.Resolver.Languages()
	langs["ghost"] = &runner.Language{ID: "ghost", Source: "main.g", Run: []string{"{g}"}, Tools: map[string][]string{"g": {"/nonexistent/ghostc"}}, DebianPackages: []string{"ghostc"}}
	opts.Samples = append(s, samples(t, `{"task_id": "echo", "solution": "x", "language": "ghost"}`)...)
	opts.Samples[1].Index = 1
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Samples[0]; v.Verdict != judge.CE || !strings.Contains(v.Message, "unknown language") {
		t.Errorf("unknown language: %s %q, want CE", v.Verdict, v.Message)
	}
	if v := res.Samples[1]; v.Verdict != judge.SE || !strings.Contains(v.Message, "apt-get install") {
		t.Errorf("missing toolchain: %s %q, want SE with the install command", v.Verdict, v.Message)
	}
}

func TestInterrupt(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "[limits]\ncpu_time = \"5s\"\n", fiveTests)
	var lines []string
	lines = append(lines, `{"task_id": "echo", "solution": "print(input())"}`)
	for i := 0; i < 20; i++ {
		lines = append(lines, `{"task_id": "echo", "solution": "import time\ntime.sleep(30)"}`)
	}
	opts := options(t, sb, b, samples(t, lines...))
	opts.Jobs = 2
	ctx, cancel := context.WithCancel(context.Background())
	opts.Observer = cancelAfterFirst{cancel}
	start := time.Now()
	res, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("interrupt took %v", el)
	}
	if !res.Interrupted || len(res.Samples) != 1 || res.Samples[0].Verdict != judge.AC {
		t.Errorf("interrupted=%v with %d samples, want the one finished sample", res.Interrupted, len(res.Samples))
	}
}

type cancelAfterFirst struct{ cancel func() }

func (c cancelAfterFirst) Started(int, int)         {}
func (c cancelAfterFirst) TestDone(judge.Verdict)   {}
func (c cancelAfterFirst) SampleDone(*SampleResult) { c.cancel() }

// inflight wraps the real sandbox and records the most runs at once.
type inflight struct {
	runner.Sandbox
	mu       sync.Mutex
	now, max int
}

func (f *inflight) Run(ctx context.Context, s *runner.Spec) (*runner.Result, error) {
	f.mu.Lock()
	f.now++
	f.max = max(f.max, f.now)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.now--; f.mu.Unlock() }()
	return f.Sandbox.Run(ctx, s)
}

// TestMemoryAdmission: with a budget that fits one run's memory limit, runs
// go one at a time whatever -j says.
func TestMemoryAdmission(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "[limits]\nmemory = \"100MiB\"\n", fiveTests)
	var lines []string
	for i := 0; i < 6; i++ {
		lines = append(lines, fmt.Sprintf(`{"task_id": "echo", "solution": "# %d\nimport time\ntime.sleep(0.1)\nprint(input())"}`, i))
	}
	for _, tc := range []struct {
		budget int64
		want   func(int) bool
	}{
		{150 << 20, func(n int) bool { return n == 1 }},
		{0, func(n int) bool { return n > 1 }},
	} {
		w := &inflight{Sandbox: sb}
		opts := options(t, w, b, samples(t, lines...))
		opts.Jobs = 4
		opts.MemoryBudgetBytes = tc.budget
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Samples {
			if r.Verdict != judge.AC {
				t.Fatalf("verdict %s: %s", r.Verdict, r.Message)
			}
		}
		if !tc.want(w.max) {
			t.Errorf("budget %d: at most %d runs at once", tc.budget, w.max)
		}
	}
}

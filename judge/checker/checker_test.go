package checker_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/judge/checker/checkertest"
	"github.com/scalebox-dev/scalebox/runner"
)

func ptr(f float64) *float64 { return &f }

func TestInterpret(t *testing.T) {
	exited := func(code int, stderr string) *runner.Result {
		return &runner.Result{Status: runner.StatusExited, ExitCode: code, Stderr: []byte(stderr)}
	}
	tests := []struct {
		p    checker.Protocol
		r    *runner.Result
		want checker.Result
	}{
		{checker.Testlib, exited(0, "ok 3 numbers\n"), checker.Result{Verdict: judge.AC, Message: "ok 3 numbers"}},
		{checker.Testlib, exited(1, "wrong answer 2nd numbers differ"), checker.Result{Verdict: judge.WA, Message: "wrong answer 2nd numbers differ"}},
		{checker.Testlib, exited(2, "wrong output format"), checker.Result{Verdict: judge.WA, Message: "presentation error: wrong output format"}},
		{checker.Testlib, exited(3, "FAIL answer file"), checker.Result{Verdict: judge.SE, Message: "the checker reported its own failure: FAIL answer file"}},
		{checker.Testlib, exited(7, "points 0.25 half done"), checker.Result{Verdict: judge.WA, Message: "partial points: points 0.25 half done", Points: ptr(0.25)}},
		{checker.Testlib, exited(8, ""), checker.Result{Verdict: judge.WA, Message: "presentation error"}},
		{checker.Testlib, exited(42, ""), checker.Result{Verdict: judge.SE, Message: "exit code 42, which the testlib protocol does not define"}},
		{checker.Kattis, exited(42, ""), checker.Result{Verdict: judge.AC}},
		{checker.Kattis, exited(43, "case 2: sum is 5, not 4"), checker.Result{Verdict: judge.WA, Message: "case 2: sum is 5, not 4"}},
		{checker.Kattis, exited(0, ""), checker.Result{Verdict: judge.SE, Message: "exit code 0, which the kattis protocol does not define"}},
		{checker.Kattis, exited(1, "Traceback"), checker.Result{Verdict: judge.SE, Message: "exit code 1, which the kattis protocol does not define: Traceback"}},
		{checker.ScaleBox, exited(0, ""), checker.Result{Verdict: judge.AC}},
		{checker.ScaleBox, &runner.Result{Status: runner.StatusExited, ExitCode: 1, Stdout: []byte("bad\n")}, checker.Result{Verdict: judge.WA, Message: "bad"}},
		{checker.ScaleBox, exited(2, ""), checker.Result{Verdict: judge.SE, Message: "exit code 2, which the scalebox protocol does not define"}},
		{checker.ScaleBox, &runner.Result{Status: runner.StatusSignaled, Signal: syscall.SIGSEGV}, checker.Result{Verdict: judge.SE, Message: "killed by signal 11"}},
		{checker.Testlib, &runner.Result{Status: runner.StatusTimeLimit, Note: "CPU time limit 1s"}, checker.Result{Verdict: judge.SE, Message: "time limit exceeded (CPU time limit 1s)"}},
		{checker.Kattis, &runner.Result{Status: runner.StatusMemoryLimit}, checker.Result{Verdict: judge.SE, Message: "memory limit exceeded"}},
		{checker.Kattis, &runner.Result{Status: runner.StatusOutputLimit}, checker.Result{Verdict: judge.SE, Message: "output limit exceeded"}},
	}
	for _, tt := range tests {
		got := checker.Interpret(tt.p, tt.r)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Interpret(%s, %+v) mismatch (-want +got):\n%s", tt.p, tt.r, diff)
		}
	}
}

// FuzzInterpret: whatever a checker prints and however it ends, the
// verdict is AC, WA or SE; AC only for the protocol's accepting exit.
func FuzzInterpret(f *testing.F) {
	f.Add("testlib", uint8(0), 0, "ok")
	f.Add("testlib", uint8(0), 7, "points 1e400 x")
	f.Add("kattis", uint8(0), 42, "\xff\xfe")
	f.Add("scalebox", uint8(1), 0, "")
	f.Fuzz(func(t *testing.T, proto string, status uint8, code int, msg string) {
		p := checker.Protocol(proto)
		r := &runner.Result{Status: runner.Status(status % 8), ExitCode: code, Stderr: []byte(msg)}
		got := checker.Interpret(p, r)
		switch got.Verdict {
		case judge.AC, judge.WA, judge.SE:
		default:
			t.Fatalf("verdict %s", got.Verdict)
		}
		accept := map[checker.Protocol]int{checker.Testlib: 0, checker.Kattis: 42, checker.ScaleBox: 0}
		if want, ok := accept[p]; got.Verdict == judge.AC && (!ok || r.Status != runner.StatusExited || code != want) {
			t.Errorf("Interpret(%q, status %v, exit %d) = AC", proto, r.Status, code)
		}
		if got.Points != nil && got.Verdict != judge.WA {
			t.Errorf("points with verdict %s", got.Verdict)
		}
	})
}

func TestSpecValidate(t *testing.T) {
	tests := []struct {
		spec checker.Spec
		want string
	}{
		{checker.Spec{Protocol: "builtin", Comparator: "float", AbsTol: 1e-6}, ""},
		{checker.Spec{Protocol: "builtin", Comparator: "nope"}, `unknown comparator "nope"`},
		{checker.Spec{Protocol: "builtin", Comparator: "tokens", Source: "x"}, "a builtin checker has a comparator, not a source"},
		{checker.Spec{Protocol: "kattis", Language: "python3", Source: "print()"}, ""},
		{checker.Spec{Protocol: "kattis", Language: "python3"}, "a kattis checker needs a language and a source"},
		{checker.Spec{Protocol: "testlib", Language: "cpp", Source: "x", Comparator: "tokens"}, `a testlib checker is a program; comparator "tokens" is for builtin checkers`},
		{checker.Spec{Protocol: "polygon"}, `unknown checker protocol "polygon" (known: testlib, kattis, scalebox, builtin)`},
	}
	for _, tt := range tests {
		err := tt.spec.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, tt.want) || (tt.want == "") != (got == "") {
			t.Errorf("Validate(%+v) = %q, want %q", tt.spec, got, tt.want)
		}
	}
}

func TestSpecName(t *testing.T) {
	b := checker.Spec{Protocol: checker.Builtin, Comparator: "float", AbsTol: 1e-6, RelTol: 1e-6}
	if got := b.Name(); got != "float(abs=1e-06,rel=1e-06)" {
		t.Errorf("Name() = %q", got)
	}
	p := checker.Spec{Protocol: checker.Kattis, Language: "python3", Source: "print()"}
	q := p
	q.Args = []string{"float_tolerance", "1e-6"}
	if !strings.HasPrefix(p.Name(), "kattis/python3@") || len(p.Name()) != len("kattis/python3@")+12 || p.Name() == q.Name() {
		t.Errorf("Name() = %q and %q", p.Name(), q.Name())
	}
}

func mustRead(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestProtocols runs one checker per protocol (the sum of the input's
// numbers, any formatting) in the sandbox: AC, WA and SE cases.
func TestProtocols(t *testing.T) {
	e := checkertest.Env(t)
	ctx := context.Background()
	specs := map[string]*checker.Spec{
		"testlib-cpp":     {Protocol: checker.Testlib, Language: "cpp", Source: mustRead(t, "sum_testlib.cpp")},
		"kattis-python":   {Protocol: checker.Kattis, Language: "python3", Source: mustRead(t, "sum_kattis.py")},
		"scalebox-cpp":    {Protocol: checker.ScaleBox, Language: "cpp", Source: mustRead(t, "sum_scalebox.cpp")},
		"scalebox-python": {Protocol: checker.ScaleBox, Language: "python3", Source: mustRead(t, "sum_scalebox.py")},
	}
	tests := []struct {
		input, answer, output string
		want                  judge.Verdict
	}{
		{"1 2 3\n", "6\n", "6\n", judge.AC},
		{"1 2 3\n", "6\n", "  6.0  ", judge.AC}, // the checkers accept any format of the right sum
		{"1 2 3\n", "6\n", "7\n", judge.WA},
		{"1 2 3\n", "6\n", "", judge.WA},
		{"1 2 3\n", "6\n", "6\n6\n", judge.WA},
		{"1 2 3\n", "5\n", "6\n", judge.SE}, // the jury's answer contradicts the input: the checker fails
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := e.New(ctx, spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, tt := range tests {
				got := c.Check(ctx, []byte(tt.input), []byte(tt.answer), []byte(tt.output))
				want := tt.want
				if want == judge.SE && spec.Protocol == checker.ScaleBox {
					want = judge.WA // the three-file protocol has no failure code: it rejects
				}
				if got.Verdict != want {
					t.Errorf("Check(in %q, ans %q, out %q) = %s (%s), want %s", tt.input, tt.answer, tt.output, got.Verdict, got.Message, want)
				}
			}
		})
	}
}

// TestCheckerFailuresAreSE: a crash, a time limit and an undefined exit
// code are system errors, never AC or WA.
func TestCheckerFailuresAreSE(t *testing.T) {
	e := checkertest.Env(t)
	e.Limits = checker.DefaultLimits
	e.Limits.CPUTime, e.Limits.WallTime = time.Second, 3*time.Second
	ctx := context.Background()
	specs := map[string]*checker.Spec{
		"crash":   {Protocol: checker.Testlib, Language: "cpp", Source: "#include <cstdlib>\nint main(){ std::abort(); }\n"},
		"loop":    {Protocol: checker.ScaleBox, Language: "cpp", Source: "int main(){ volatile unsigned x=0; for(;;) x++; }\n"},
		"exit5":   {Protocol: checker.Kattis, Language: "python3", Source: "import sys\nsys.exit(5)\n"},
		"raise":   {Protocol: checker.Kattis, Language: "python3", Source: "raise ValueError('bug in the validator')\n"},
		"testlib": {Protocol: checker.Testlib, Language: "python3", Source: "import sys\nprint('FAIL no answer', file=sys.stderr)\nsys.exit(3)\n"},
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := e.New(ctx, spec)
			if err != nil {
				t.Fatal(err)
			}
			got := c.Check(ctx, []byte("1\n"), []byte("1\n"), []byte("1\n"))
			if got.Verdict != judge.SE {
				t.Errorf("verdict %s (%s), want SE", got.Verdict, got.Message)
			}
			if !strings.Contains(got.Message, "checker "+spec.Name()+" failed") {
				t.Errorf("message %q does not name the checker", got.Message)
			}
		})
	}
}

// TestCompileErrorAndCache: a checker that does not compile is a
// CompileError; an identical checker is built once however many judges
// ask for it concurrently.
func TestCompileErrorAndCache(t *testing.T) {
	e := checkertest.Env(t)
	ctx := context.Background()
	_, err := e.New(ctx, &checker.Spec{Protocol: checker.Testlib, Language: "cpp", Source: "int main( {"})
	var ce *checker.CompileError
	if !errors.As(err, &ce) || !strings.Contains(ce.Message, "error") {
		t.Fatalf("New(broken) = %v, want a CompileError", err)
	}
	before := e.Builder.Compiles()
	spec := &checker.Spec{Protocol: checker.ScaleBox, Language: "cpp", Source: mustRead(t, "sum_scalebox.cpp") + "// cache test\n"}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			c, err := e.New(ctx, spec)
			if err != nil {
				t.Error(err)
				return
			}
			if r := c.Check(ctx, []byte("2 2"), []byte("4"), []byte("4")); r.Verdict != judge.AC {
				t.Errorf("verdict %s: %s", r.Verdict, r.Message)
			}
		})
	}
	wg.Wait()
	if n := e.Builder.Compiles() - before; n != 1 {
		t.Errorf("%d compiles for one checker, want 1", n)
	}
}

// TestCheckerSeesOnlyItsFiles: the checker's work directory holds its
// program and the three texts, nothing of other runs.
func TestCheckerSeesOnlyItsFiles(t *testing.T) {
	e := checkertest.Env(t)
	src := "import os, sys\nnames = sorted(os.listdir('.'))\nsys.exit(0 if names == ['answer.txt', 'main.py', 'stdin.txt', 'stdout.txt'] else print(names) or 1)\n"
	c, err := e.New(context.Background(), &checker.Spec{Protocol: checker.ScaleBox, Language: "python3", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Check(context.Background(), nil, nil, nil); r.Verdict != judge.AC {
		t.Errorf("verdict %s: %s", r.Verdict, r.Message)
	}
}

package benchmarks

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"syscall"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// Plan says how to build one sample and which sandboxed runs judge it.
type Plan struct {
	Language string
	// Files are written to the work directory; the language's source file
	// is among them.
	Files map[string][]byte
	// Argv, when set, replaces the language's run command ({tool} and
	// {dir} placeholders are expanded).
	Argv []string
	// Runs are the sandboxed executions, in test order.
	Runs []Run
}

// Run is one sandboxed execution judging one test.
type Run struct {
	Test  int
	Stdin []byte
	// Judge turns the execution's result into the test's verdict.
	Judge func(r *runner.Result) Outcome
}

// Outcome is a test's verdict with an explanation for people.
type Outcome struct {
	Verdict judge.Verdict
	Message string
}

// SampleLanguage is the language a sample is judged in.
func (b *Benchmark) SampleLanguage(p *Problem, s *Sample) string {
	switch {
	case s.Language != "":
		return s.Language
	case p.Language != "":
		return p.Language
	}
	return b.Config.Language
}

// Comparator returns the comparator that judges p's outputs.
func (b *Benchmark) Comparator(p *Problem) (judge.Comparator, error) {
	name, opts := b.Config.Judge.Comparator, judge.ComparatorOptions{AbsTol: b.Config.Judge.AbsTol, RelTol: b.Config.Judge.RelTol}
	if p.Comparator != "" {
		name = p.Comparator
	}
	if p.AbsTol != 0 || p.RelTol != 0 {
		opts = judge.ComparatorOptions{AbsTol: p.AbsTol, RelTol: p.RelTol}
	}
	c, err := judge.NewComparator(name, opts)
	if err != nil {
		return nil, fmt.Errorf("task %s: %w", p.TaskID, err)
	}
	return c, nil
}

// Plan builds the plan for sample s of problem p; lang is the language the
// sample is judged in.
func (b *Benchmark) Plan(p *Problem, s *Sample, lang *runner.Language) (*Plan, error) {
	code := s.Code
	if s.Completion {
		code = p.Prompt + s.Code
	}
	plan := &Plan{Language: lang.ID}
	switch p.Kind {
	case KindStdio:
		cmp, err := b.Comparator(p)
		if err != nil {
			return nil, err
		}
		plan.Files = map[string][]byte{lang.Source: []byte(code)}
		for i, t := range p.Tests {
			want := []byte(t.Output)
			plan.Runs = append(plan.Runs, Run{Test: i, Stdin: []byte(t.Input), Judge: func(r *runner.Result) Outcome {
				if o, decided := RunOutcome(r); decided {
					return o
				}
				if ok, msg := cmp.Compare(r.Stdout, want); !ok {
					return Outcome{judge.WA, msg}
				}
				return Outcome{Verdict: judge.AC}
			}})
		}
	case KindAssert:
		if lang.ID != "python3" {
			return nil, fmt.Errorf("task %s: assert problems run in python3, not %s", p.TaskID, lang.ID)
		}
		program := code + "\n\n" + p.TestCode + "\n\ncheck(" + p.EntryPoint + ")\n"
		plan.Files = map[string][]byte{lang.Source: []byte(program), "harness.py": []byte(assertHarness)}
		plan.Argv = []string{"{python}", "-I", runner.WorkDir + "/harness.py"}
		marker, err := newMarker()
		if err != nil {
			return nil, err
		}
		plan.Runs = []Run{{Test: 0, Stdin: []byte(marker + "\n"), Judge: func(r *runner.Result) Outcome {
			return judgeAssertRun(r, marker)
		}}}
	default:
		return nil, fmt.Errorf("task %s: kind %q is unknown", p.TaskID, p.Kind)
	}
	return plan, nil
}

// Exit codes of the assert harness.
const (
	harnessAssertFailed = 3
	harnessEarlyExit    = 4
)

// assertHarness runs main.py (prompt + completion + tests + check call) and
// prints a per-run random marker only after the checks returned. The marker
// comes on stdin, which is then replaced by /dev/null, so a program that
// exits early, calls sys.exit(0) or prints a guessed marker does not pass.
const assertHarness = `import os, sys

def _scalebox_main():
    marker = sys.stdin.readline().strip().encode()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    write, exit_now = os.write, os._exit
    path = "/box/main.py"
    with open(path, "rb") as f:
        code = compile(f.read(), path, "exec", dont_inherit=True)
    env = {"__name__": "__main__", "__file__": path, "__builtins__": __builtins__}
    try:
        exec(code, env)
    except AssertionError:
        import traceback
        traceback.print_exc()
        sys.stderr.flush()
        exit_now(3)
    except SystemExit as e:
        sys.stderr.write("scalebox: the program exited (%r) before its checks finished\n" % (e.code,))
        sys.stderr.flush()
        exit_now(4)
    try:
        sys.stdout.flush()
    except Exception:
        pass
    write(1, b"\n" + marker + b"\n")
    exit_now(0)

_scalebox_main()
`

func newMarker() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "scalebox-done-" + hex.EncodeToString(b[:]), nil
}

func judgeAssertRun(r *runner.Result, marker string) Outcome {
	if r.Status == runner.StatusExited {
		switch r.ExitCode {
		case 0:
			if hasLine(r.Stdout, []byte(marker)) {
				return Outcome{Verdict: judge.AC}
			}
			return Outcome{judge.WA, "the program ended before its checks finished (no completion marker)"}
		case harnessAssertFailed:
			return Outcome{judge.WA, "assertion failed" + assertLocation(r.Stderr)}
		case harnessEarlyExit:
			return Outcome{judge.WA, strings.TrimSpace(tail(r.Stderr, 512))}
		}
	}
	o, _ := RunOutcome(r)
	return o
}

func hasLine(out, line []byte) bool {
	for _, l := range bytes.Split(out, []byte{'\n'}) {
		if bytes.Equal(bytes.TrimRight(l, "\r"), line) {
			return true
		}
	}
	return false
}

// assertLocation finds the line of main.py where the failing assert is, in
// a Python traceback.
func assertLocation(stderr []byte) string {
	loc := ""
	for _, l := range strings.Split(string(stderr), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, `File "/box/main.py", line `) {
			loc = strings.TrimPrefix(l, `File "/box/main.py", `)
			if i := strings.IndexByte(loc, ','); i >= 0 {
				loc = loc[:i]
			}
		}
	}
	if loc == "" {
		return ""
	}
	return " at " + loc + " of the program"
}

// RunOutcome judges what the sandbox alone decides: limits, signals and a
// non-zero exit. decided is false for a clean exit (status 0), whose output
// still has to be judged.
func RunOutcome(r *runner.Result) (o Outcome, decided bool) {
	switch r.Status {
	case runner.StatusTimeLimit, runner.StatusWallLimit:
		return Outcome{judge.TLE, r.Note}, true
	case runner.StatusMemoryLimit:
		return Outcome{judge.MLE, r.Note}, true
	case runner.StatusOutputLimit:
		return Outcome{judge.OLE, r.Note}, true
	case runner.StatusSignaled:
		return Outcome{judge.RE, fmt.Sprintf("killed by signal %d (%s)%s", int(r.Signal), signalName(r.Signal), stderrNote(r.Stderr))}, true
	case runner.StatusExited:
		if r.ExitCode != 0 {
			return Outcome{judge.RE, fmt.Sprintf("exit code %d%s", r.ExitCode, stderrNote(r.Stderr))}, true
		}
		return Outcome{}, false
	}
	return Outcome{judge.SE, "unknown run status " + r.Status.String()}, true
}

func signalName(s syscall.Signal) string {
	names := map[syscall.Signal]string{
		syscall.SIGSEGV: "SIGSEGV", syscall.SIGABRT: "SIGABRT", syscall.SIGFPE: "SIGFPE",
		syscall.SIGKILL: "SIGKILL", syscall.SIGBUS: "SIGBUS", syscall.SIGILL: "SIGILL",
		syscall.SIGTERM: "SIGTERM", syscall.SIGPIPE: "SIGPIPE", syscall.SIGSYS: "SIGSYS",
	}
	if n, ok := names[s]; ok {
		return n
	}
	return s.String()
}

// stderrNote is the last line of stderr, which for most runtimes names the
// error ("ZeroDivisionError: division by zero"); the whole tail is kept in
// the test's stderr field.
func stderrNote(stderr []byte) string {
	t := LastLine(tail(stderr, 4096))
	if t == "" {
		return ""
	}
	return ": " + t
}

// LastLine returns the last non-blank line of s, trimmed.
func LastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// tail returns the last n bytes of b as text.
func tail(b []byte, n int) string {
	if len(b) > n {
		return "…" + strings.ToValidUTF8(string(b[len(b)-n:]), "�")
	}
	return strings.ToValidUTF8(string(b), "�")
}

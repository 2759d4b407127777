package benchmarks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/judge/checker"
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
	// Stage skips the language's compile step: the harness compiles the
	// program itself and reports a syntax error as a compile error.
	Stage bool
	// Compile, when set, replaces the language's compile command, and Env
	// is added to the environment of the compile step and of every run
	// (see runner.BuildOptions): how a benchmark's reference evaluator
	// compiles.
	Compile []string
	Env     []string
	// Runs are the sandboxed executions, in test order.
	Runs []Run
}

// Run is one sandboxed execution judging one test (for function problems,
// a chunk of inputs).
type Run struct {
	Test int
	// Group names the input groups of a function problem's chunk
	// ("base+plus"); Groups lists them in order.
	Group  string
	Groups []string
	// Inputs is how many inputs the run judges (function problems).
	Inputs int
	Stdin  []byte
	// Fetch names files to read from the work directory after the run
	// (runner.Spec.Fetch).
	Fetch []string
	// Limits, when set, replace the benchmark's per-test limits.
	Limits *runner.Limits
	// Watch, when set, makes a fresh watcher of the run's stdout for each
	// attempt (see runner.Spec.Watch): it stops the run at its first
	// failing input under early stop.
	Watch func() func([]byte) bool
	// Judge turns the execution's result into the test's verdict.
	Judge func(r *runner.Result) Outcome
	// JudgeContext, when set, is used instead of Judge: for judges that
	// run programs of their own (a checker) and must stop on cancellation.
	JudgeContext func(ctx context.Context, r *runner.Result) Outcome
	// Part, when set, is the run of the test's inputs [from, to) with their
	// time limits (the process's and the harness's per input) multiplied
	// by factor, and a judge that holds each input to its original limit,
	// so that an input that needs the extension is TLE; its outcome's
	// Groups are those of its inputs, and Input counts from the test's
	// first input. A TLE is then confirmed input by input, and a first run
	// extended by the load allowance is Part(0, Inputs, allowance)
	// (function problems). Without it the engine extends the process's
	// limits and compares its CPU time.
	Part func(from, to int, factor float64) Run
}

// Outcome is a test's verdict with an explanation for people.
type Outcome struct {
	Verdict judge.Verdict
	Message string
	// Group is the input group of the input that failed, for runs that
	// cover several groups.
	Group string
	// Groups says, for each input group this run decided, whether all its
	// inputs here passed (a group is absent when the run ended before it).
	Groups map[string]bool
	// LimitRatio is the largest share of its CPU time limit an input used
	// (function problems; 1 or more for an input that timed out). It shows
	// how close to the limit a verdict was.
	LimitRatio float64
	// Stopped says a TLE is the harness's own timer stopping an input at
	// the limit the run was given, not an input that finished past the
	// limit a judge holds it to (a run whose limits were extended).
	Stopped bool
	// Input is the index of the input that decided the verdict among the
	// run's inputs, -1 for none or the whole run (runs with Part).
	Input int
	// Case is the failing test's or input's data, for reports: nil when
	// the outcome passed or the run has no single input to show (an
	// assert program, a MultiPL-E test file, a program that did not load).
	Case *Case
}

// Case is what a failing test or input was given, what it should have
// produced and what it produced. Its fields may be large (a test's whole
// input) and may share memory with the run's buffers: a reader cuts them
// to size and must not modify them.
type Case struct {
	// Input is the test's standard input, or the call of a function
	// problem's input ("add(1, 2)").
	Input []byte
	// Expected is the expected output or return value (its Python repr);
	// HasExpected is false when there is none (a checker problem's test
	// without an answer, a reference that raised).
	Expected    []byte
	HasExpected bool
	// Got is what the program wrote or returned; HasGot is false when
	// there is nothing comparable: a limit ended the run (what it wrote by
	// then depends on timing) or the call raised.
	Got    []byte
	HasGot bool
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

// Comparator returns the comparator that judges p's outputs: the
// benchmark's, or the problem's own, with the problem's validator flags.
func (b *Benchmark) Comparator(p *Problem) (judge.Comparator, error) {
	return b.comparator(p, nil)
}

// TestComparator returns the comparator of test i of p: Comparator(p) with
// the test's own validator flags added.
func (b *Benchmark) TestComparator(p *Problem, i int) (judge.Comparator, error) {
	if i < 0 || i >= len(p.Tests) {
		return nil, fmt.Errorf("task %s has no test %d", p.TaskID, i)
	}
	return b.comparator(p, p.Tests[i].ValidatorFlags)
}

func (b *Benchmark) comparator(p *Problem, testFlags []string) (judge.Comparator, error) {
	j := b.Config.Judge
	name, opts := j.Comparator, judge.ComparatorOptions{AbsTol: j.AbsTol, RelTol: j.RelTol}
	if p.Comparator != "" {
		name = p.Comparator
	}
	if p.AbsTol != 0 || p.RelTol != 0 {
		opts = judge.ComparatorOptions{AbsTol: p.AbsTol, RelTol: p.RelTol}
	}
	opts.Flags = append(append(append([]string{}, j.Flags...), p.ValidatorFlags...), testFlags...)
	c, err := judge.NewComparator(name, opts)
	if err != nil {
		return nil, fmt.Errorf("task %s: %w", p.TaskID, err)
	}
	return c, nil
}

// JudgeName names what judges test i of p in reports and in `scalebox
// check`: its comparator with parameters, or why nothing does.
func (b *Benchmark) JudgeName(p *Problem, i int) string {
	if p.Checker != nil {
		return p.Checker.Name()
	}
	if p.Validation == ValidationCustom {
		return "none (custom validation)"
	}
	c, err := b.TestComparator(p, i)
	if err != nil {
		return "none (" + err.Error() + ")"
	}
	return c.Name()
}

// BaseLimits returns the benchmark's per-test limits as the runner takes
// them.
func (b *Benchmark) BaseLimits() runner.Limits {
	l := b.Config.Limits
	return runner.Limits{
		CPUTime:       l.CPUTime.Std(),
		WallTime:      l.WallTimeOrDefault(),
		MemoryBytes:   int64(l.Memory),
		OutputBytes:   int64(l.Output),
		FileSizeBytes: int64(l.FileSize),
		Processes:     l.Processes,
		TmpfsBytes:    int64(l.Tmpfs),
	}
}

// Limits returns the per-test limits of p's runs: BaseLimits, with the
// problem's own time and memory limits when limits.problem_limits is set.
func (b *Benchmark) Limits(p *Problem) runner.Limits {
	l := b.Config.Limits
	lim := b.BaseLimits()
	if !l.ProblemLimits {
		return lim
	}
	if p.CPUTimeLimitMS > 0 {
		// The problem's CPU time with the benchmark's wall-clock rule: its
		// configured cap (never below the CPU time), or the default.
		own := l
		own.CPUTime = Duration(time.Duration(p.CPUTimeLimitMS) * time.Millisecond)
		lim.CPUTime = own.CPUTime.Std()
		lim.WallTime = max(own.WallTimeOrDefault(), lim.CPUTime)
	}
	if p.MemoryLimitBytes > 0 {
		lim.MemoryBytes = p.MemoryLimitBytes
	}
	return lim
}

// JudgeOutput judges output as the standard output of a program that ran
// test i of the stdio problem p and exited normally, exactly as an
// evaluation judges that test: with the problem's checker (run with
// opts.Sandbox, opts.Builder and opts.Resolver) or its test's comparator. A
// problem with custom validation and no checker gets SE.
func (b *Benchmark) JudgeOutput(ctx context.Context, p *Problem, i int, output []byte, opts PlanOptions) (Outcome, error) {
	if p.Kind != KindStdio {
		return Outcome{}, fmt.Errorf("task %s is a %s problem: only stdin/stdout problems judge a given output", p.TaskID, p.Kind)
	}
	if i < 0 || i >= len(p.Tests) {
		return Outcome{}, fmt.Errorf("task %s has no test %d", p.TaskID, i)
	}
	j, err := b.testJudge(p, i, opts)
	if errors.Is(err, ErrNoJudge) {
		return Outcome{Verdict: judge.SE, Message: err.Error()}, nil
	}
	if err != nil {
		return Outcome{}, err
	}
	return j(ctx, &runner.Result{Status: runner.StatusExited, Stdout: output}), nil
}

// testJudge returns the judge of test i of a stdio problem: the problem's
// checker, run in a sandbox of its own (the program never sees the checker
// or the expected output; a checker that does not build, crashes or fails
// makes the test SE), or the test's comparator; or ErrNoJudge.
func (b *Benchmark) testJudge(p *Problem, i int, opts PlanOptions) (func(context.Context, *runner.Result) Outcome, error) {
	input, want := []byte(p.Tests[i].Input), []byte(p.Tests[i].Output)
	if spec := p.Checker; spec != nil {
		env := &checker.Env{Sandbox: opts.Sandbox, Builder: opts.Builder, Resolver: opts.Resolver, Retries: 1}
		return func(ctx context.Context, r *runner.Result) Outcome {
			if o, decided := RunOutcome(r); decided {
				return withStdioCase(o, r, input, want)
			}
			// Built once per content: the Builder caches the build.
			c, err := env.New(ctx, spec)
			if err != nil {
				return Outcome{Verdict: judge.SE, Message: err.Error()}
			}
			res := c.Check(ctx, input, want, r.Stdout)
			if res.Verdict == judge.AC {
				return Outcome{Verdict: judge.AC}
			}
			return withStdioCase(Outcome{Verdict: res.Verdict, Message: res.Message}, r, input, want)
		}, nil
	}
	if p.Validation == ValidationCustom {
		return nil, fmt.Errorf("task %s: %w", p.TaskID, ErrNoJudge)
	}
	cmp, err := b.TestComparator(p, i)
	if err != nil {
		return nil, err
	}
	return func(_ context.Context, r *runner.Result) Outcome {
		if o, decided := RunOutcome(r); decided {
			return withStdioCase(o, r, input, want)
		}
		if ok, msg := cmp.Compare(r.Stdout, want); !ok {
			return withStdioCase(Outcome{Verdict: judge.WA, Message: msg}, r, input, want)
		}
		return Outcome{Verdict: judge.AC}
	}, nil
}

// withStdioCase gives a failed stdio test's outcome its case: the input,
// the expected output (for a checker, the test's answer file, which may
// be empty), and the program's output when the program ended by itself.
// A system error gets none: the program is not at fault.
func withStdioCase(o Outcome, r *runner.Result, input, want []byte) Outcome {
	if o.Verdict == judge.AC || o.Verdict == judge.SE {
		return o
	}
	c := &Case{Input: input, Expected: want, HasExpected: true}
	if r.Status == runner.StatusExited || r.Status == runner.StatusSignaled {
		c.Got, c.HasGot = r.Stdout, true
	}
	o.Case = c
	return o
}

// CheckerInfo names what judges a problem's outputs.
type CheckerInfo struct {
	// Name is the comparator's name with its parameters, or the checker's
	// (checker.Spec.Name).
	Name string
	// Protocol is the checker protocol, "builtin" for a comparator.
	Protocol checker.Protocol
	// Origin is "benchmark" (the configured comparator), "problem" (the
	// problem's own comparator), "data" (a checker in the data) or
	// "registry" (a judge registry's checker).
	Origin string
	// SHA256 identifies a checker's content (checker.Spec.SHA256).
	SHA256 string
}

// Checker says what judges p's outputs; ok is false for problems judged
// otherwise (assert and function problems).
func (b *Benchmark) Checker(p *Problem) (info CheckerInfo, ok bool) {
	if p.Kind != KindStdio {
		return CheckerInfo{}, false
	}
	if s := p.Checker; s != nil {
		return CheckerInfo{Name: s.Name(), Protocol: s.Protocol, Origin: p.CheckerOrigin, SHA256: s.SHA256()}, true
	}
	c, err := b.Comparator(p)
	if err != nil {
		return CheckerInfo{}, false
	}
	origin := "benchmark"
	if p.Comparator != "" || p.AbsTol != 0 || p.RelTol != 0 {
		origin = "problem"
	}
	return CheckerInfo{Name: c.Name(), Protocol: checker.Builtin, Origin: origin}, true
}

// UseCheckers gives problems the checkers lookup finds for their task ids
// (a judge registry's), replacing their own. Only stdio problems take a
// checker; it returns the ids of the problems that got one, and an error
// for an invalid checker.
func (b *Benchmark) UseCheckers(lookup func(taskID string) (*checker.Spec, bool)) ([]string, error) {
	var used []string
	for _, p := range b.Problems {
		spec, ok := lookup(p.TaskID)
		if !ok || p.Kind != KindStdio {
			continue
		}
		if err := spec.Validate(); err != nil {
			return used, fmt.Errorf("task %s: checker: %w", p.TaskID, err)
		}
		p.Checker, p.CheckerOrigin = spec, "registry"
		used = append(used, p.TaskID)
	}
	return used, nil
}

// PlanOptions tune a plan.
type PlanOptions struct {
	// EarlyStop stops a run at its first failing input where the plan can
	// (function problems), as the evaluator stops a sample at its first
	// failing test.
	EarlyStop bool
	// Sandbox, Builder and Resolver let judges run helper programs (a
	// special judge, say) in the sandbox; nil where no judge needs them.
	Sandbox  runner.Sandbox
	Builder  *runner.Builder
	Resolver *runner.Resolver
}

// Plan builds the plan for sample s of problem p; lang is the language the
// sample is judged in.
func (b *Benchmark) Plan(p *Problem, s *Sample, lang *runner.Language, opts PlanOptions) (*Plan, error) {
	code := s.Code
	if s.Completion {
		code = p.Prompt + CutAtStopTokens(s.Code, p.StopTokens)
	}
	k, ok := kinds[p.Kind]
	if !ok {
		return nil, fmt.Errorf("task %s: kind %q is unknown", p.TaskID, p.Kind)
	}
	plan, err := k.Plan(b, p, code, lang, opts)
	if err != nil {
		return nil, err
	}
	if names := packagesNamed(code, b.Config.Python.Packages); len(names) > 0 {
		for i := range plan.Runs {
			plan.Runs[i].unjudgeableWithout(names)
		}
	}
	return plan, nil
}

// packagesNamed returns the packages (PythonConfig.Packages) whose name
// code mentions as a word ("np" counts for numpy).
func packagesNamed(code string, packages []string) []string {
	var out []string
	for _, p := range packages {
		pat := regexp.QuoteMeta(p)
		if p == "numpy" {
			pat += "|np"
		}
		if regexp.MustCompile(`\b(?:` + pat + `)\b`).MatchString(code) {
			out = append(out, p)
		}
	}
	return out
}

// unjudgeableWithout makes a failure of the run SE when the Python harness
// said, before the program ran, that the host lacks one of packages (the
// reference environment's, which the program names): a verdict must not
// depend on what the host happens to have installed.
func (r *Run) unjudgeableWithout(packages []string) {
	check := func(res *runner.Result, o Outcome) Outcome {
		if o.Verdict == judge.AC || o.Verdict == judge.SE {
			return o
		}
		for _, m := range harnessMissing(res.Stdout) {
			if slices.Contains(packages, m) {
				return Outcome{Verdict: judge.SE, Message: fmt.Sprintf("the program uses %s, which the benchmark's reference environment has and this host lacks (install python3-%s); it failed here: %s", m, m, o.Message)}
			}
		}
		return o
	}
	if j := r.Judge; j != nil {
		r.Judge = func(res *runner.Result) Outcome { return check(res, j(res)) }
	}
	if j := r.JudgeContext; j != nil {
		r.JudgeContext = func(ctx context.Context, res *runner.Result) Outcome { return check(res, j(ctx, res)) }
	}
}

// harnessMissing reads the missing packages from a Python harness's ready
// line: the first line of its output, written before the program ran (a
// line the program writes later cannot change it).
func harnessMissing(stdout []byte) []string {
	line, _, _ := bytes.Cut(stdout, []byte("\n"))
	var l HarnessLine
	if json.Unmarshal(line, &l) != nil || !l.Ready {
		return nil
	}
	return l.Missing
}

// nonNil returns s, or an empty slice for nil (JSON [] rather than null).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// KindSpec says how problems of one kind are checked when loaded and
// planned for a sample. New problem shapes register one (RegisterKind)
// instead of touching the loader or the scheduler.
type KindSpec struct {
	// Validate checks a loaded problem; cfg gives the benchmark's defaults.
	Validate func(p *Problem, cfg *Config) error
	// Plan builds the runs that judge code (the sample's program, prompt
	// included) written in lang.
	Plan func(b *Benchmark, p *Problem, code string, lang *runner.Language, opts PlanOptions) (*Plan, error)
}

var kinds = map[Kind]KindSpec{}

// RegisterKind makes a problem kind known. It is called from init functions.
func RegisterKind(k Kind, s KindSpec) { kinds[k] = s }

// KindNames lists the known problem kinds, sorted.
func KindNames() []string {
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, string(k))
	}
	sort.Strings(names)
	return names
}

func init() {
	RegisterKind(KindStdio, KindSpec{
		Validate: func(p *Problem, _ *Config) error {
			if len(p.Tests) == 0 {
				return fmt.Errorf("task %s: a stdio problem needs tests", p.TaskID)
			}
			return nil
		},
		Plan: stdioPlan,
	})
	RegisterKind(KindAssert, KindSpec{
		Validate: func(p *Problem, cfg *Config) error {
			if p.TestCode == "" || p.EntryPoint == "" {
				return fmt.Errorf("task %s: an assert problem needs test and entry_point", p.TaskID)
			}
			lang := p.Language
			if lang == "" {
				lang = cfg.Language
			}
			if lang != "python3" {
				return fmt.Errorf("task %s: assert problems are Python only, not %s", p.TaskID, lang)
			}
			return nil
		},
		Plan: assertPlan,
	})
}

// stdioPlan runs the program once per test with the test's input on stdin
// and compares its stdout with the test's comparator, or has the problem's
// checker judge every test.
func stdioPlan(b *Benchmark, p *Problem, code string, lang *runner.Language, opts PlanOptions) (*Plan, error) {
	plan := &Plan{Language: lang.ID, Files: map[string][]byte{lang.Source: []byte(code)}}
	for name, data := range p.Files {
		if name == lang.Source {
			return nil, fmt.Errorf("task %s: file %s has the name of the %s program's source", p.TaskID, name, lang.ID)
		}
		plan.Files[name] = []byte(data)
	}
	var limits *runner.Limits
	if lim := b.Limits(p); lim != b.BaseLimits() {
		limits = &lim
	}
	for i, t := range p.Tests {
		j, err := b.testJudge(p, i, opts)
		if err != nil {
			return nil, err
		}
		plan.Runs = append(plan.Runs, Run{Test: i, Stdin: []byte(t.Input), Fetch: t.FetchFiles, Limits: limits, JudgeContext: j})
	}
	return plan, nil
}

func newMarker() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "scalebox-done-" + hex.EncodeToString(b[:]), nil
}

// tamperedHarness explains a Python harness's completion marker without
// all of its results: the harness reports every case before its marker, so
// the program wrote the marker (it can find it in the harness's memory) or
// made the harness skip cases. It is the program's failure: a system error
// would take the sample out of the scores.
const tamperedHarness = "no result before the completion marker: the program tampered with the harness"

// unreadableHarness explains output of a Python harness that is not the
// harness's: the program wrote into its channel.
func unreadableHarness(err error) string {
	return "the program wrote into the harness's result channel (" + err.Error() + ")"
}

// harnessOutcome is RunOutcome for a run of a Python harness whose results
// left the verdict open. Its watcher stops a run only at a reported
// failure, which decides the verdict; a stopped run still open lost lines
// to output the program wrote into the harness's channel: RE.
func harnessOutcome(r *runner.Result) (o Outcome, decided bool) {
	if r.Status == runner.StatusStopped {
		return Outcome{Verdict: judge.RE, Message: "the program wrote into the harness's result channel"}, true
	}
	return RunOutcome(r)
}

// harnessOutputError judges a harness's output that does not parse: a
// limit that cut it decides; otherwise the program wrote into it (RE).
func harnessOutputError(r *runner.Result, err error) Outcome {
	switch r.Status {
	case runner.StatusTimeLimit, runner.StatusWallLimit, runner.StatusMemoryLimit, runner.StatusOutputLimit:
		o, _ := RunOutcome(r)
		return o
	}
	return Outcome{Verdict: judge.RE, Message: unreadableHarness(err)}
}

// RunOutcome judges what the sandbox alone decides: limits, signals and a
// non-zero exit. decided is false for a clean exit (status 0), whose output
// still has to be judged.
func RunOutcome(r *runner.Result) (o Outcome, decided bool) {
	switch r.Status {
	case runner.StatusTimeLimit, runner.StatusWallLimit:
		return Outcome{Verdict: judge.TLE, Message: r.Note}, true
	case runner.StatusMemoryLimit:
		return Outcome{Verdict: judge.MLE, Message: r.Note}, true
	case runner.StatusOutputLimit:
		return Outcome{Verdict: judge.OLE, Message: r.Note}, true
	case runner.StatusSignaled:
		if r.Signal == syscall.SIGSYS {
			return Outcome{Verdict: judge.RE, Message: "killed for a forbidden system call (SIGSYS: the sandbox's seccomp filter)"}, true
		}
		return Outcome{Verdict: judge.RE, Message: fmt.Sprintf("killed by signal %d (%s)%s", int(r.Signal), signalName(r.Signal), stderrNote(r.Stderr))}, true
	case runner.StatusExited:
		if r.ExitCode != 0 {
			return Outcome{Verdict: judge.RE, Message: fmt.Sprintf("exit code %d%s", r.ExitCode, stderrNote(r.Stderr))}, true
		}
		return Outcome{}, false
	}
	return Outcome{Verdict: judge.SE, Message: "unknown run status " + r.Status.String()}, true
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

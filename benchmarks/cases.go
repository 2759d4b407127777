package benchmarks

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/scalebox-dev/scalebox/internal/jsonx"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// Problem kinds whose test cases all run in one process, as their reference
// runners do, each case's value reported by the harness (harness/lcb.py)
// and compared here with the expected value, which never enters the
// sandbox. A sample passes when every case passes; the harness's completion
// marker must follow the last case.
const (
	// KindLCBFunction is a LiveCodeBench functional problem: EntryPoint is
	// metadata's func_name; each test's Input holds one JSON value per line
	// (the positional arguments) and Output the JSON of the expected
	// return value, compared with Python's == (judge.PyEqual), a tuple
	// result taken as a list. Each case has the benchmark's CPU time limit
	// (limits.cpu_time; LiveCodeBench's is 6 s).
	KindLCBFunction Kind = "lcb-function"
	// KindLeetCode is a problem of DeepSeek-Coder's LeetCode contest set:
	// TestCode holds the setup lines of its test (my_solution =
	// Solution(), helper functions); each test's Input is the case's
	// "test_input = {...}" line, a newline, and the expression the assert
	// compares (my_solution.f(**test_input), maybe wrapped by a helper);
	// Output is the expected value as a Python literal. limits.cpu_time
	// bounds the whole run, as DeepSeek's 10 s timeout bounds its program.
	KindLeetCode Kind = "leetcode"
)

//go:embed harness/lcb.py
var lcbMain []byte

// lcbHarness is the program of KindLCBFunction and KindLeetCode samples.
var lcbHarness = harnessProgram(lcbMain)

func init() {
	RegisterKind(KindLCBFunction, KindSpec{Validate: validateLCBFunction, Plan: casesPlan})
	RegisterKind(KindLeetCode, KindSpec{Validate: validateLeetCode, Plan: casesPlan})
}

func validateLCBFunction(p *Problem, cfg *Config) error {
	if p.EntryPoint == "" || len(p.Tests) == 0 {
		return fmt.Errorf("task %s: an %s problem needs entry_point and tests", p.TaskID, p.Kind)
	}
	if err := pythonOnly(p, cfg); err != nil {
		return err
	}
	for i, t := range p.Tests {
		for j, line := range strings.Split(t.Input, "\n") {
			if err := jsonx.Valid([]byte(line)); err != nil {
				return fmt.Errorf("task %s: test %d: input line %d is not JSON: %v", p.TaskID, i, j+1, err)
			}
		}
		if err := jsonx.Valid([]byte(t.Output)); err != nil {
			return fmt.Errorf("task %s: test %d: output is not JSON: %v", p.TaskID, i, err)
		}
	}
	return nil
}

func validateLeetCode(p *Problem, cfg *Config) error {
	if len(p.Tests) == 0 {
		return fmt.Errorf("task %s: a %s problem needs tests", p.TaskID, p.Kind)
	}
	if err := pythonOnly(p, cfg); err != nil {
		return err
	}
	for i, t := range p.Tests {
		if !strings.Contains(t.Input, "\n") {
			return fmt.Errorf("task %s: test %d: input must be statements, a newline and an expression", p.TaskID, i)
		}
		if _, err := judge.ParsePyLiteral(t.Output); err != nil {
			return fmt.Errorf("task %s: test %d: expected value: %v", p.TaskID, i, err)
		}
	}
	return nil
}

func pythonOnly(p *Problem, cfg *Config) error {
	lang := p.Language
	if lang == "" {
		lang = cfg.Language
	}
	if lang != "python3" {
		return fmt.Errorf("task %s: %s problems are Python only, not %s", p.TaskID, p.Kind, lang)
	}
	return nil
}

// caseCheck decodes expected values and labels cases for messages.
type caseCheck struct {
	p *Problem
}

func (c caseCheck) expected(i int) (judge.PyValue, error) {
	if c.p.Kind == KindLeetCode {
		return judge.ParsePyLiteral(c.p.Tests[i].Output)
	}
	return judge.PyFromJSON([]byte(c.p.Tests[i].Output))
}

// passes compares case i's reported value with the expected one.
func (c caseCheck) passes(i int, raw json.RawMessage) bool {
	out, err1 := judge.DecodePyValue(raw)
	exp, err2 := c.expected(i)
	return err1 == nil && err2 == nil && judge.PyEqual(out, exp)
}

// failCase is case i's data for a report: its input as the benchmark
// gives it, the expected value's repr, and got's (nil when the case
// returned nothing comparable).
func (c caseCheck) failCase(i int, got *judge.PyValue) *Case {
	fc := &Case{Input: []byte(c.p.Tests[i].Input)}
	if exp, err := c.expected(i); err == nil {
		fc.Expected, fc.HasExpected = []byte(exp.Repr(caseReprBytes)), true
	}
	if got != nil {
		fc.Got, fc.HasGot = []byte(got.Repr(caseReprBytes)), true
	}
	return fc
}

// label names case i and its input, shortened.
func (c caseCheck) label(i int) string {
	in := c.p.Tests[i].Input
	if c.p.Kind == KindLeetCode {
		in, _, _ = strings.Cut(in, "\n")
	}
	in = strings.ReplaceAll(in, "\n", " ")
	if r := []rune(in); len(r) > 80 {
		in = string(r[:80]) + "…"
	}
	return fmt.Sprintf("case %d (%s)", i, in)
}

// casesPlan runs every case of the problem in one process.
func casesPlan(b *Benchmark, p *Problem, code string, lang *runner.Language, opts PlanOptions) (*Plan, error) {
	if lang.ID != "python3" {
		return nil, fmt.Errorf("task %s: %s problems run in python3, not %s", p.TaskID, p.Kind, lang.ID)
	}
	base := b.Config.Limits
	n := len(p.Tests)
	mode := "lcb"
	perCase, perCaseWall := base.CPUTime.Std(), base.WallTimeOrDefault()
	cpu, wall := time.Duration(n)*perCase+3*time.Second, time.Duration(n)*perCaseWall+5*time.Second
	if p.Kind == KindLeetCode {
		mode = "leetcode"
		perCase, perCaseWall = 0, 0
		cpu, wall = base.CPUTime.Std(), base.WallTimeOrDefault()
	}
	marker, err := newMarker()
	if err != nil {
		return nil, err
	}
	inputs := make([]string, n)
	for i, t := range p.Tests {
		inputs[i] = t.Input
	}
	spec, err := json.Marshal(map[string]any{
		"marker": marker, "mode": mode, "fn_name": p.EntryPoint, "setup": p.TestCode,
		"limit": perCase.Seconds(), "wall": perCaseWall.Seconds(), "inputs": inputs,
		"packages": nonNil(b.Config.Python.Packages),
	})
	if err != nil {
		return nil, err
	}
	lim := runner.Limits{
		CPUTime:       cpu,
		WallTime:      wall,
		MemoryBytes:   int64(base.Memory),
		OutputBytes:   max(int64(base.Output), 256<<20),
		FileSizeBytes: int64(base.FileSize),
		Processes:     base.Processes,
		TmpfsBytes:    int64(base.Tmpfs),
	}
	check := caseCheck{p}
	// The watcher of the last attempt notes the cases it accepted, so the
	// final judgement does not decode and compare them again.
	memo := &[]bool{}
	run := Run{
		Test: 0, Inputs: n, Stdin: spec, Limits: &lim,
		Judge: func(r *runner.Result) Outcome {
			o := judgeCases(r, marker, check, *memo)
			if perCase > 0 {
				o.LimitRatio = caseLimitRatio(r, marker, perCase.Seconds())
			}
			return o
		},
	}
	if opts.EarlyStop {
		run.Watch = func() func([]byte) bool {
			*memo = make([]bool, n)
			return harnessWatcher(check.passes, *memo, nil)
		}
	}
	return &Plan{
		Language: lang.ID,
		Files:    map[string][]byte{lang.Source: []byte(code), "harness.py": lcbHarness},
		Argv:     []string{"{python}", "-I", runner.WorkDir + "/harness.py"},
		Stage:    true,
		Runs:     []Run{run},
	}, nil
}

// judgeCases judges the cases in order: the first that fails decides the
// verdict. Cases the process never reported fail with the process's own
// verdict (it ran out of time or memory, or crashed, on them). A sample
// whose every case passed still needs the completion marker.
func judgeCases(r *runner.Result, marker string, check caseCheck, accepted []bool) Outcome {
	lines, complete, err := ParseHarness(r.Stdout, marker)
	if err != nil {
		return harnessOutputError(r, err)
	}
	ready := false
	seen := map[int]*HarnessLine{}
	next := 0
	for i := range lines {
		l := &lines[i]
		switch {
		case l.HarnessError != nil && !ready:
			return Outcome{Verdict: judge.SE, Message: "the benchmark's test code is broken: " + *l.HarnessError}
		case l.Ready:
			ready = true
		case l.I != nil && ready && *l.I != next:
			// The harness reports each case once, in order: anything else
			// was written by the program into the harness's channel.
			return Outcome{Verdict: judge.RE, Message: "the program wrote into the harness's result channel"}
		case l.CompileError != nil:
			return Outcome{Verdict: judge.CE, Message: *l.CompileError}
		case l.LoadError != nil:
			return Outcome{Verdict: judge.RE, Message: "the program failed to load: " + *l.LoadError}
		case l.I != nil:
			seen[*l.I] = l
			next++
		}
	}
	if !ready {
		// The harness died before it ran any of the program: not the
		// program's fault, unless a limit ended it.
		if o, decided := harnessOutcome(r); decided && o.Verdict != judge.RE {
			return o
		}
		return Outcome{Verdict: judge.SE, Message: "the harness failed before running the program: " + tail(r.Stderr, 512)}
	}
	for k := range check.p.Tests {
		l := seen[k]
		label := check.label(k)
		switch {
		case l == nil:
			if o, decided := harnessOutcome(r); decided {
				o.Message = label + ": " + o.Message
				o.Case = check.failCase(k, nil)
				return o
			}
			if !complete {
				return Outcome{Verdict: judge.RE, Message: label + ": the program ended the process before returning", Case: check.failCase(k, nil)}
			}
			return Outcome{Verdict: judge.RE, Message: label + ": " + tamperedHarness}
		case l.Timeout:
			return Outcome{Verdict: judge.TLE, Message: label + ": CPU time limit exceeded", Case: check.failCase(k, nil)}
		case l.Error != nil:
			return Outcome{Verdict: judge.RE, Message: label + ": " + *l.Error, Case: check.failCase(k, nil)}
		case k < len(accepted) && accepted[k]:
			continue
		}
		exp, err := check.expected(k)
		if err != nil {
			return Outcome{Verdict: judge.SE, Message: label + ": unreadable expected value: " + err.Error()}
		}
		out, err := judge.DecodePyValue(l.Out)
		if err != nil {
			return Outcome{Verdict: judge.WA, Message: label + ": unreadable value: " + err.Error(), Case: check.failCase(k, nil)}
		}
		if !judge.PyEqual(out, exp) {
			return Outcome{Verdict: judge.WA, Message: fmt.Sprintf("%s: got %s, expected %s", label, out.Repr(80), exp.Repr(80)), Case: check.failCase(k, &out)}
		}
	}
	if !complete {
		if o, decided := harnessOutcome(r); decided {
			return o
		}
		return Outcome{Verdict: judge.RE, Message: "the process ended before the harness finished (no completion marker)"}
	}
	return Outcome{Verdict: judge.AC}
}

// caseLimitRatio is the largest cpu/limit over the reported cases.
func caseLimitRatio(r *runner.Result, marker string, limit float64) float64 {
	lines, _, _ := ParseHarness(r.Stdout, marker)
	ratio := 0.0
	for _, l := range lines {
		if l.I == nil {
			continue
		}
		if l.Timeout {
			return math.Max(ratio, 1)
		}
		ratio = math.Max(ratio, l.CPU/limit)
	}
	return ratio
}

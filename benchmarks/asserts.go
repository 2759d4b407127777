package benchmarks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// An assert problem's test is code: human-eval runs prompt + completion +
// test + check(entry_point) in one process and passes it when nothing
// raises. Run that way, the program can reach the test (its frames, the
// check function, the builtins and modules the check uses) and make it
// pass. So scalebox takes the test apart where it can (judge.ParseCheck:
// 160 of HumanEval's 164 checks, all but a few of MBPP's assert lists):
// the sandbox only evaluates the calls of the function under test and
// reports their values (harness/lcb.py, mode "assert"), and the asserts run
// here on those values. The expected values and the test never enter the
// sandbox. A test that does not decompose (random inputs, helpers of the
// prompt) runs under harness/assert.py, which keeps the test in a process
// of its own that never runs the program's code.

// checkPrograms caches decomposed tests by entry point and test source.
var checkPrograms sync.Map // string -> *checkOnce

type checkOnce struct {
	once sync.Once
	prog *judge.CheckProgram
	err  error
}

// CheckProgram returns p's test taken apart (see judge.ParseCheck), or the
// reason it does not decompose; the result is computed once per test.
func (p *Problem) CheckProgram() (*judge.CheckProgram, error) {
	v, _ := checkPrograms.LoadOrStore(p.EntryPoint+"\x00"+p.TestCode, &checkOnce{})
	c := v.(*checkOnce)
	c.once.Do(func() { c.prog, c.err = judge.ParseCheck(p.TestCode, p.EntryPoint) })
	return c.prog, c.err
}

// assertPlan runs an assert problem's sample: as calls judged here when
// its test decomposes, else under the split assert harness.
func assertPlan(b *Benchmark, p *Problem, code string, lang *runner.Language, opts PlanOptions) (*Plan, error) {
	if lang.ID != "python3" {
		return nil, fmt.Errorf("task %s: assert problems run in python3, not %s", p.TaskID, lang.ID)
	}
	prog, err := p.CheckProgram()
	if err != nil {
		return splitAssertPlan(b, p, code, lang)
	}
	marker, err := newMarker()
	if err != nil {
		return nil, err
	}
	calls := prog.Calls()
	spec, err := json.Marshal(map[string]any{
		"marker": marker, "mode": "assert", "fn_name": p.EntryPoint, "setup": prog.Setup(),
		"limit": 0, "wall": 0, "inputs": nonNil(calls),
		"packages": nonNil(b.Config.Python.Packages),
	})
	if err != nil {
		return nil, err
	}
	lim := b.Limits(p)
	lim.OutputBytes = max(lim.OutputBytes, 256<<20)
	run := Run{
		Test: 0, Inputs: len(calls), Stdin: spec, Limits: &lim,
		Judge: func(r *runner.Result) Outcome { return judgeCheckRun(r, marker, prog) },
	}
	if opts.EarlyStop {
		run.Watch = func() func([]byte) bool { return checkWatcher(prog) }
	}
	return &Plan{
		Language: lang.ID,
		Files:    map[string][]byte{lang.Source: []byte(code), "harness.py": lcbHarness},
		Argv:     []string{"{python}", "-I", runner.WorkDir + "/harness.py"},
		Stage:    true,
		Runs:     []Run{run},
	}, nil
}

// checkWatcher returns a stdout watcher that stops the run once the test
// has failed, as Python stops a check at its first failing assert: at a
// call that raised or timed out, or when the asserts run on the results so
// far (after 1, 2, 4, 8 ... of them, so that the work stays linear) fail.
func checkWatcher(prog *judge.CheckProgram) func([]byte) bool {
	var partial []byte
	var results []judge.CallResult
	next := 1
	return func(data []byte) bool {
		partial = append(partial, data...)
		for {
			i := bytes.IndexByte(partial, '\n')
			if i < 0 {
				return false
			}
			line := partial[:i]
			partial = partial[i+1:]
			if len(line) == 0 || line[0] != '{' {
				continue
			}
			var l HarnessLine
			if json.Unmarshal(line, &l) != nil {
				return true
			}
			if l.CompileError != nil || l.LoadError != nil {
				return true
			}
			if l.I == nil {
				continue
			}
			if *l.I != len(results) || l.Error != nil || l.Timeout {
				return true
			}
			v, err := judge.DecodePyValue(l.Out)
			if err != nil {
				return true
			}
			results = append(results, judge.CallResult{Value: v})
			if len(results) >= next {
				next *= 2
				if c := prog.Judge(results); c.Call < 0 && c.Verdict != judge.AC {
					return true
				}
			}
		}
	}
}

// judgeCheckRun runs the decomposed test on the values the harness
// reported.
func judgeCheckRun(r *runner.Result, marker string, prog *judge.CheckProgram) Outcome {
	lines, complete, err := ParseHarness(r.Stdout, marker)
	if err != nil {
		return harnessOutputError(r, err)
	}
	ready := false
	var results []judge.CallResult
	for i := range lines {
		l := &lines[i]
		switch {
		case l.HarnessError != nil && !ready:
			return Outcome{Verdict: judge.SE, Message: "the benchmark's test is broken: " + *l.HarnessError}
		case l.Ready:
			ready = true
		case l.I != nil && ready && *l.I != len(results):
			// The harness reports each call once, in order: anything else
			// was written by the program into the harness's channel.
			return Outcome{Verdict: judge.RE, Message: "the program wrote into the harness's result channel"}
		case l.CompileError != nil:
			return Outcome{Verdict: judge.CE, Message: *l.CompileError}
		case l.LoadError != nil && strings.HasPrefix(*l.LoadError, "SystemExit"):
			// An assert problem passes when its checks finish: a program
			// that exits first failed them (docs/report.md).
			return Outcome{Verdict: judge.WA, Message: "the program exited before its checks finished (" + *l.LoadError + ")"}
		case l.LoadError != nil:
			return Outcome{Verdict: judge.RE, Message: "the program failed to load: " + *l.LoadError}
		case l.I != nil:
			res := judge.CallResult{Timeout: l.Timeout}
			if l.Error != nil {
				res.Error = *l.Error
			} else if !l.Timeout {
				v, err := judge.DecodePyValue(l.Out)
				if err != nil {
					res.Error = "an unreadable value: " + err.Error()
				}
				res.Value = v
			}
			results = append(results, res)
		}
	}
	if !ready {
		if o, decided := harnessOutcome(r); decided && o.Verdict != judge.RE {
			return o
		}
		return Outcome{Verdict: judge.SE, Message: "the harness failed before running the program: " + tail(r.Stderr, 512)}
	}
	c := prog.Judge(results)
	switch {
	case c.Call >= 0:
		// The process ended before reporting this call.
		if o, decided := harnessOutcome(r); decided {
			o.Message = c.Message + ": " + o.Message
			return o
		}
		if !complete {
			return Outcome{Verdict: judge.WA, Message: c.Message + ": the program ended the process before its checks finished"}
		}
		return Outcome{Verdict: judge.RE, Message: c.Message + ": " + tamperedHarness}
	case c.Verdict != judge.AC:
		return Outcome{Verdict: c.Verdict, Message: c.Message}
	case !complete:
		if o, decided := harnessOutcome(r); decided {
			return o
		}
		return Outcome{Verdict: judge.WA, Message: "the program ended the process before its checks finished (no completion marker)"}
	}
	return Outcome{Verdict: judge.AC}
}

// splitAssertPlan runs the program and its test in two processes (see
// harness/assert.py): the test's process reads the test and the marker on
// stdin after the fork, so the program never holds them.
func splitAssertPlan(b *Benchmark, p *Problem, code string, lang *runner.Language) (*Plan, error) {
	marker, err := newMarker()
	if err != nil {
		return nil, err
	}
	head, err := json.Marshal(map[string]any{"entry_point": p.EntryPoint, "packages": nonNil(b.Config.Python.Packages)})
	if err != nil {
		return nil, err
	}
	secret, err := json.Marshal(map[string]any{"marker": marker, "prompt": p.Prompt, "test": p.TestCode})
	if err != nil {
		return nil, err
	}
	stdin := append(append(head, '\n'), secret...)
	return &Plan{
		Language: lang.ID,
		Files:    map[string][]byte{lang.Source: []byte(code), "harness.py": assertHarness},
		Argv:     []string{"{python}", "-I", runner.WorkDir + "/harness.py"},
		Stage:    true,
		Runs: []Run{{Test: 0, Stdin: stdin, Judge: func(r *runner.Result) Outcome {
			return judgeAssertRun(r, marker)
		}}},
	}, nil
}

// Exit codes of the split assert harness (harness/assert.py).
const (
	harnessAssertFailed = 3
	harnessEarlyExit    = 4
	harnessSyntaxError  = 5
	harnessError        = 1
)

func judgeAssertRun(r *runner.Result, marker string) Outcome {
	if r.Status == runner.StatusExited {
		msg := strings.TrimSpace(tail(r.Stderr, 2048))
		switch r.ExitCode {
		case 0:
			if hasLine(r.Stdout, []byte(marker)) {
				return Outcome{Verdict: judge.AC}
			}
			return Outcome{Verdict: judge.WA, Message: "the program ended before its checks finished (no completion marker)"}
		case harnessAssertFailed, harnessEarlyExit:
			return Outcome{Verdict: judge.WA, Message: LastLine(msg)}
		case harnessSyntaxError:
			return Outcome{Verdict: judge.CE, Message: msg}
		case harnessError:
			return Outcome{Verdict: judge.RE, Message: LastLine(msg)}
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

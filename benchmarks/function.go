package benchmarks

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// KindFunction: the program defines entry_point; each input (an argument
// list) is one call, run with the sample's other inputs in one sandboxed
// process per chunk; the return value is serialised there and compared
// here with the reference solution's.
const KindFunction Kind = "function"

//go:embed harness/common.py
var harnessCommon []byte

//go:embed harness/function.py
var functionMain []byte

// functionHarness is the program of function problems: the shared harness
// library, then the function harness.
var functionHarness = harnessProgram(functionMain)

// harnessProgram puts the shared harness library (the encoder, the
// reliability guard) in front of a harness's main part.
func harnessProgram(main []byte) []byte {
	out := make([]byte, 0, len(harnessCommon)+len(main)+2)
	out = append(out, harnessCommon...)
	out = append(out, "\n\n"...)
	return append(out, main...)
}

func init() {
	RegisterKind(KindFunction, KindSpec{
		Validate: func(p *Problem, _ *Config) error {
			if p.EntryPoint == "" || len(p.Groups) == 0 {
				return fmt.Errorf("task %s: a function problem needs entry_point and groups of inputs", p.TaskID)
			}
			return nil
		},
		Plan: func(b *Benchmark, p *Problem, code string, lang *runner.Language, opts PlanOptions) (*Plan, error) {
			return b.functionPlan(p, code, lang, opts)
		},
	})
}

//go:embed harness/assert.py
var assertMain []byte

// assertHarness is the program of assert problems whose test does not
// decompose: the shared harness library, then the split assert harness.
var assertHarness = harnessProgram(assertMain)

// InputGroup is a named list of inputs judged together (evalplus's "base"
// and "plus").
type InputGroup struct {
	Name string `json:"name"`
	// Inputs are JSON arrays of arguments, as the dataset stores them.
	Inputs []json.RawMessage `json:"inputs"`
	// Reference holds the reference solution's results, one per input; it
	// is filled by SetReference before samples are planned.
	Reference []RefResult `json:"-"`
}

// RefResult is the reference solution's result for one input.
type RefResult struct {
	// Out is the serialised return value (judge.PyValue wire format).
	Out json.RawMessage `json:"out,omitempty"`
	// Err is set when the reference raised or timed out on this input;
	// such an input is not judged.
	Err string `json:"err,omitempty"`
	// CPU is the reference's CPU time on the input, in seconds.
	CPU float64 `json:"cpu"`
}

// SetReferenceLoader makes the problem load its reference results (group
// name -> results) with load when they are first needed, so a large cache
// is read piece by piece by the workers that need it.
func (p *Problem) SetReferenceLoader(load func() (map[string][]RefResult, error)) {
	p.ref = &lazyReference{load: load}
}

// EnsureReference loads the reference results if a loader was set. It is
// safe for concurrent use.
func (p *Problem) EnsureReference() error {
	if p.ref == nil {
		return nil
	}
	p.ref.once.Do(func() {
		res, err := p.ref.load()
		if err != nil {
			p.ref.err = &ReferenceError{fmt.Errorf("task %s: load reference results: %w", p.TaskID, err)}
			return
		}
		for gi := range p.Groups {
			g := &p.Groups[gi]
			if r, ok := res[g.Name]; ok && len(r) == len(g.Inputs) {
				g.Reference = r
				continue
			}
			p.ref.err = &ReferenceError{fmt.Errorf("task %s: the reference results do not cover its %s inputs", p.TaskID, g.Name)}
			return
		}
	})
	return p.ref.err
}

// ReferenceError is a failure to obtain reference results: the machinery's
// fault, never the sample's.
type ReferenceError struct{ Err error }

func (e *ReferenceError) Error() string { return e.Err.Error() }
func (e *ReferenceError) Unwrap() error { return e.Err }

type lazyReference struct {
	once sync.Once
	load func() (map[string][]RefResult, error)
	err  error
}

// ReferenceProgram is the program whose results are the expected outputs
// of a function problem (evalplus: prompt + canonical_solution).
func (p *Problem) ReferenceProgram() string { return p.Prompt + p.CanonicalSolution }

// NeedsReference reports whether some function problem lacks reference results.
func (b *Benchmark) NeedsReference() bool {
	for _, p := range b.Problems {
		if p.Kind != KindFunction || p.ref != nil {
			continue
		}
		for _, g := range p.Groups {
			if len(g.Reference) != len(g.Inputs) {
				return true
			}
		}
	}
	return false
}

// FunctionHarness returns the Python harness of function problems.
func FunctionHarness() []byte { return functionHarness }

// RecordSpec is the harness input that records the reference solution's
// results on a group's inputs; packages are the reference environment's
// (PythonConfig.Packages).
func (p *Problem) RecordSpec(marker string, g *InputGroup, notNone bool, packages []string) []byte {
	return p.harnessSpec(marker, "record", g.Inputs, nil, notNone, packages)
}

func (p *Problem) harnessSpec(marker, mode string, inputs []json.RawMessage, limits []float64, notNone bool, packages []string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"marker": `)
	q, _ := json.Marshal(marker)
	b.Write(q)
	b.WriteString(`, "packages": `)
	q, _ = json.Marshal(nonNil(packages))
	b.Write(q)
	fmt.Fprintf(&b, `, "mode": %q, "entry_point": `, mode)
	q, _ = json.Marshal(p.EntryPoint)
	b.Write(q)
	b.WriteString(`, "deserialize": `)
	q, _ = json.Marshal(p.Deserialize)
	b.Write(q)
	fmt.Fprintf(&b, `, "not_none": %v, "limits": `, notNone)
	if limits == nil {
		b.WriteString("null")
	} else {
		b.WriteString("[")
		for i, l := range limits {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(strconv.FormatFloat(l, 'g', -1, 64))
		}
		b.WriteString("]")
	}
	b.WriteString(`, "inputs": [`)
	for i, in := range inputs {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.Write(in)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// NotNone reports whether the problem's expected output is only whether
// the reference returned something (evalplus's MBPP_OUTPUT_NOT_NONE_TASKS).
func (p *Problem) NotNone(oracles string) bool {
	return oracles == "mbpp" && judge.MBPPOutputNotNone[p.EntryPoint]
}

// HarnessLine is one line of the output of the Python harnesses
// (function.py, lcb.py).
type HarnessLine struct {
	Ready bool `json:"ready"`
	// Missing, on the ready line, lists the reference environment's
	// packages the host lacks (written before the program ran).
	Missing      []string `json:"missing"`
	CompileError *string  `json:"compile_error"`
	LoadError    *string  `json:"load_error"`
	// HarnessError says the harness could not prepare the tests (the
	// benchmark's test code is broken): not the program's fault.
	HarnessError *string         `json:"harness_error"`
	I            *int            `json:"i"`
	Out          json.RawMessage `json:"out"`
	Error        *string         `json:"error"`
	Timeout      bool            `json:"timeout"`
	CPU          float64         `json:"cpu"`
}

// ParseHarness reads the harness's output lines up to the marker. complete
// reports whether the marker was seen. A last line without its newline was
// cut by the end of the process (a kill, a limit, a watcher's stop) in the
// middle of the harness's write: it is not a result, and not an error.
func ParseHarness(stdout []byte, marker string) (lines []HarnessLine, complete bool, err error) {
	if n := len(stdout); n > 0 && stdout[n-1] != '\n' {
		if cut := bytes.LastIndexByte(stdout, '\n') + 1; string(stdout[cut:]) != marker {
			stdout = stdout[:cut]
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		t := sc.Bytes()
		if len(bytes.TrimSpace(t)) == 0 {
			continue
		}
		if string(t) == marker {
			return lines, true, nil
		}
		var l HarnessLine
		if err := json.Unmarshal(t, &l); err != nil {
			return lines, false, fmt.Errorf("harness output line %d: %v", len(lines)+1, err)
		}
		lines = append(lines, l)
	}
	return lines, false, sc.Err()
}

// inputRef locates one input: its group and its index in the group.
type inputRef struct {
	g   *InputGroup
	idx int
}

func (r inputRef) label() string { return fmt.Sprintf("%s input %d", r.g.Name, r.idx) }

// functionPlan plans a function problem: the inputs of all its groups in
// order (base, then plus), in chunks of at most function.chunk_size, each
// chunk one process judged input by input. One process usually covers a
// sample, as evalplus needs two.
func (b *Benchmark) functionPlan(p *Problem, code string, lang *runner.Language, opts PlanOptions) (*Plan, error) {
	if lang.ID != "python3" {
		return nil, fmt.Errorf("task %s: function problems run in python3, not %s", p.TaskID, lang.ID)
	}
	if err := p.EnsureReference(); err != nil {
		return nil, err
	}
	fc := b.Config.Function
	plan := &Plan{
		Language: lang.ID,
		Files:    map[string][]byte{lang.Source: []byte(code), "harness.py": functionHarness},
		Argv:     []string{"{python}", "-I", runner.WorkDir + "/harness.py"},
		Stage:    true,
	}
	chunk := fc.ChunkSize
	if chunk <= 0 {
		chunk = 1000
	}
	var all []inputRef
	var empty []string // groups without inputs: they pass when the program loads
	for gi := range p.Groups {
		g := &p.Groups[gi]
		if len(g.Reference) != len(g.Inputs) {
			return nil, &ReferenceError{fmt.Errorf("task %s: no reference results for its %s inputs", p.TaskID, g.Name)}
		}
		if len(g.Inputs) == 0 {
			empty = append(empty, g.Name)
		}
		for i := range g.Inputs {
			all = append(all, inputRef{g, i})
		}
	}
	check := judge.EvalplusCheck{Dataset: fc.Oracles, EntryPoint: p.EntryPoint, Atol: p.Atol}
	base := b.Config.Limits
	for start, end := 0, 0; start < len(all); start = end {
		end = chunkEnd(all, start, chunk, fc.ChunkReferenceCPU.Std().Seconds())
		refs := all[start:end]
		inputs := make([]json.RawMessage, len(refs))
		limits := make([]float64, len(refs))
		total := 0.0
		var groups []string
		for i, r := range refs {
			inputs[i] = r.g.Inputs[r.idx]
			limits[i] = math.Max(fc.MinTimeLimit.Std().Seconds(), fc.TimeLimitFactor*r.g.Reference[r.idx].CPU)
			total += limits[i]
			if len(groups) == 0 || groups[len(groups)-1] != r.g.Name {
				groups = append(groups, r.g.Name)
			}
		}
		// evalplus caps each group's run at total_time_limit; a chunk may
		// hold several groups.
		if capSec := fc.TotalTimeLimit.Std().Seconds(); capSec > 0 {
			total = math.Min(total, capSec*float64(len(groups)))
		}
		cpu := time.Duration((total + 3) * float64(time.Second))
		lim := runner.Limits{
			CPUTime:       cpu,
			WallTime:      3*cpu + 2*time.Second,
			MemoryBytes:   int64(base.Memory),
			OutputBytes:   max(int64(base.Output), 256<<20),
			FileSizeBytes: int64(base.FileSize),
			Processes:     base.Processes,
			TmpfsBytes:    int64(base.Tmpfs),
		}
		marker, err := newMarker()
		if err != nil {
			return nil, err
		}
		test := len(plan.Runs)
		// part is the run of the chunk's inputs [from, to) with their time
		// limits (and the process's) multiplied by factor, judged against
		// the original limits (factor 1: the chunk's own run).
		var part func(from, to int, factor float64) Run
		part = func(from, to int, factor float64) Run {
			refs, limits := refs[from:to], limits[from:to]
			var names, loaded []string
			for _, r := range refs {
				if len(names) == 0 || names[len(names)-1] != r.g.Name {
					names = append(names, r.g.Name)
				}
			}
			if start == 0 && from == 0 {
				loaded = empty
				names = append(names, empty...)
			}
			runLimits, procLimits := limits, lim
			var judged []float64 // limits the judge holds inputs to; nil: the harness's
			if factor != 1 {
				runLimits = make([]float64, len(limits))
				for i, l := range limits {
					runLimits[i] = l * factor
				}
				procLimits.CPUTime = time.Duration(float64(lim.CPUTime) * factor)
				procLimits.WallTime = time.Duration(float64(lim.WallTime) * factor)
				judged = limits
			}
			// The watcher of the last attempt notes the inputs it accepted,
			// so the final judgement does not decode and compare them again.
			memo := new([]bool) // nil: no watcher
			run := Run{
				Test: test, Group: strings.Join(names, "+"), Groups: names, Inputs: len(refs),
				Stdin: p.harnessSpec(marker, "run", inputs[from:to], runLimits, false, b.Config.Python.Packages), Limits: &procLimits,
				Judge: func(r *runner.Result) Outcome {
					o, ok := judgeChunk(r, marker, refs, check, *memo, judged)
					if o.Input >= 0 {
						o.Input += from
					}
					o.LimitRatio = limitRatio(r, marker, limits)
					for _, g := range loaded {
						// Like evalplus, a group without inputs passes when
						// the program loads.
						if o.Groups != nil {
							o.Groups[g] = ok
						}
					}
					return o
				},
				Part: part,
			}
			if opts.EarlyStop {
				run.Watch = func() func([]byte) bool {
					*memo = make([]bool, len(refs))
					return harnessWatcher(func(i int, out json.RawMessage) bool { return inputPasses(refs[i], out, check) }, *memo, judged)
				}
			}
			return run
		}
		plan.Runs = append(plan.Runs, part(0, len(refs), 1))
	}
	return plan, nil
}

// chunkEnd is where the chunk of all that begins at start ends: after at
// most size inputs and, when budget is positive, before the reference's CPU
// time on the chunk's inputs passes budget seconds (one input at least).
func chunkEnd(all []inputRef, start, size int, budget float64) int {
	end, cpu := start, 0.0
	for end < len(all) && end-start < size {
		c := all[end].g.Reference[all[end].idx].CPU
		if budget > 0 && end > start && cpu+c > budget {
			break
		}
		cpu += c
		end++
	}
	return end
}

// limitRatio is the largest cpu/limit over the inputs the harness reported.
func limitRatio(r *runner.Result, marker string, limits []float64) float64 {
	lines, _, _ := ParseHarness(r.Stdout, marker)
	ratio := 0.0
	for _, l := range lines {
		if l.I == nil || *l.I < 0 || *l.I >= len(limits) || limits[*l.I] <= 0 {
			continue
		}
		if l.Timeout {
			return math.Max(ratio, 1)
		}
		ratio = math.Max(ratio, l.CPU/limits[*l.I])
	}
	return ratio
}

// harnessWatcher returns a stdout watcher that asks to stop the run at the
// first input that fails (an error, a timeout, or a value passes rejects),
// as evalplus and the LiveCodeBench runner stop a sample at its first
// failing input. The verdict itself is decided afterwards from the whole
// output. accepted[i] is set for each input i the watcher accepted.
//
// cpuLimits, when set, are the inputs' own limits under a run whose harness
// limits were extended (a TLE confirmation): an input that used more is
// a failure.
func harnessWatcher(passes func(i int, out json.RawMessage) bool, accepted []bool, cpuLimits []float64) func([]byte) bool {
	var partial []byte
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
				return false
			}
			if l.CompileError != nil || l.LoadError != nil {
				return true
			}
			if l.I == nil || *l.I < 0 || *l.I >= len(accepted) {
				continue
			}
			if l.Timeout || l.Error != nil || overLimit(&l, *l.I, cpuLimits) || !passes(*l.I, l.Out) {
				return true
			}
			accepted[*l.I] = true
		}
	}
}

// inputPasses compares one reported return value with the reference.
func inputPasses(r inputRef, raw json.RawMessage, check judge.EvalplusCheck) bool {
	ref := r.g.Reference[r.idx]
	if ref.Err != "" {
		return true
	}
	out, err1 := judge.DecodePyValue(raw)
	exp, err2 := judge.DecodePyValue(ref.Out)
	args, err3 := judge.PyFromJSON(r.g.Inputs[r.idx])
	if err1 != nil || err2 != nil || err3 != nil || args.Kind != judge.PyList {
		return false
	}
	return check.Check(args.Items, out, exp)
}

// judgeChunk judges a chunk's inputs in order: the first that fails
// decides the verdict, and the outcome names its group. It also says which
// groups passed: every input reported and accepted. Inputs the process
// never reported failed with the process's own verdict (it timed out, ran
// out of memory or crashed on them). loaded reports whether the program
// compiled and loaded. accepted marks inputs already accepted by the run's
// watcher (nil when there was none).
//
// cpuLimits, when set, are the inputs' own limits under a run whose harness
// limits were extended (a TLE confirmation): an input that used more is
// TLE.
func judgeChunk(r *runner.Result, marker string, refs []inputRef, check judge.EvalplusCheck, accepted []bool, cpuLimits []float64) (o Outcome, loaded bool) {
	lines, complete, err := ParseHarness(r.Stdout, marker)
	if err != nil {
		return failAllOutcome(refs, harnessOutputError(r, err)), false
	}
	failAll := func(o Outcome) Outcome { return failAllOutcome(refs, o) }
	ready := false
	seen := map[int]*HarnessLine{}
	next := 0
	for i := range lines {
		l := &lines[i]
		switch {
		case l.Ready:
			ready = true
		case l.I != nil && ready && *l.I != next:
			// The harness reports each input once, in order: anything else
			// was written by the program into the harness's channel.
			return failAll(Outcome{Verdict: judge.RE, Message: "the program wrote into the harness's result channel"}), false
		case l.CompileError != nil:
			return failAll(Outcome{Verdict: judge.CE, Message: *l.CompileError}), false
		case l.LoadError != nil:
			return failAll(Outcome{Verdict: judge.RE, Message: "the program failed to load: " + *l.LoadError}), false
		case l.I != nil:
			seen[*l.I] = l
			next++
		}
	}
	if !ready {
		// The harness died before it ran any of the program: not the
		// program's fault, unless a limit ended it.
		if o, decided := harnessOutcome(r); decided && o.Verdict != judge.RE {
			return failAll(o), false
		}
		return Outcome{Verdict: judge.SE, Message: "the harness failed before running the program: " + tail(r.Stderr, 512), Input: -1}, false
	}
	out := Outcome{Verdict: judge.AC, Input: -1}
	groups := map[string]bool{}
	decided := false // out holds the first failure
	watched := accepted != nil
	failed := "" // the group of the first failure
	for k, ref := range refs {
		name := ref.g.Name
		if decided && watched && name != failed {
			// A watched run stops at its first failure: how much of the
			// later groups it reported before the stop depends on timing.
			break
		}
		if _, ok := groups[name]; !ok {
			groups[name] = true
		}
		if k < len(accepted) && accepted[k] && seen[k] != nil && seen[k].Error == nil && !seen[k].Timeout && !overLimit(seen[k], k, cpuLimits) {
			continue
		}
		o, known := judgeInput(r, complete, seen[k], ref, check, overLimit(seen[k], k, cpuLimits))
		if !known {
			// The process ended before this input: its group failed, and the
			// groups after it are undecided.
			if !decided {
				out, decided, failed = o, true, name
				out.Input = k
			}
			groups[name] = false
			for _, later := range refs[k+1:] {
				if later.g.Name != name {
					delete(groups, later.g.Name)
				}
			}
			break
		}
		if o.Verdict == judge.AC {
			continue
		}
		groups[name] = false
		if !decided {
			out, decided, failed = o, true, name
			out.Input = k
		}
	}
	out.Groups = groups
	if !decided && !complete {
		if o, ok := harnessOutcome(r); ok {
			o.Groups, o.Group, o.Input = out.Groups, refs[len(refs)-1].g.Name, -1
			return o, true
		}
	}
	return out, true
}

// failAllOutcome is o for a chunk whose every input failed with it.
func failAllOutcome(refs []inputRef, o Outcome) Outcome {
	o.Group, o.Input = refs[0].g.Name, -1
	o.Groups = map[string]bool{}
	for _, ref := range refs {
		o.Groups[ref.g.Name] = false
	}
	return o
}

// judgeInput judges one input's reported result. known is false when the
// process never reported it; o then carries the process's verdict.
//
// over says the input used more CPU time than its limit (the harness let it
// finish under an extended limit).
func judgeInput(r *runner.Result, complete bool, l *HarnessLine, ref inputRef, check judge.EvalplusCheck, over bool) (o Outcome, known bool) {
	label := ref.label()
	fail := func(v judge.Verdict, msg string) Outcome {
		return Outcome{Verdict: v, Message: label + ": " + msg, Group: ref.g.Name, Case: inputCase(check.EntryPoint, ref, nil)}
	}
	if l == nil {
		if ro, decided := harnessOutcome(r); decided {
			return fail(ro.Verdict, ro.Message), false
		}
		if !complete {
			return fail(judge.RE, "the program ended the process before returning"), false
		}
		return fail(judge.RE, tamperedHarness), false
	}
	switch {
	case l.Timeout || over:
		o := fail(judge.TLE, "CPU time limit exceeded")
		o.Stopped = l.Timeout
		return o, true
	case l.Error != nil:
		return fail(judge.RE, *l.Error), true
	case ref.g.Reference[ref.idx].Err != "":
		return Outcome{Verdict: judge.AC}, true // the reference failed here: not judged
	}
	outV, err := judge.DecodePyValue(l.Out)
	if err != nil {
		return fail(judge.WA, "unreadable return value: "+err.Error()), true
	}
	exp, err := judge.DecodePyValue(ref.g.Reference[ref.idx].Out)
	if err != nil {
		return Outcome{Verdict: judge.SE, Message: label + ": unreadable reference value: " + err.Error()}, true
	}
	args, err := judge.PyFromJSON(ref.g.Inputs[ref.idx])
	if err != nil || args.Kind != judge.PyList {
		return Outcome{Verdict: judge.SE, Message: label + ": unreadable input"}, true
	}
	if !check.Check(args.Items, outV, exp) {
		o := fail(judge.WA, fmt.Sprintf("%s(%s) returned %s, expected %s", check.EntryPoint,
			strings.TrimSuffix(strings.TrimPrefix(args.Repr(80), "["), "]"), outV.Repr(80), exp.Repr(80)))
		o.Case = inputCase(check.EntryPoint, ref, &outV)
		return o, true
	}
	return Outcome{Verdict: judge.AC}, true
}

// overLimit reports whether input i's reported CPU time is over its own
// limit in limits (nil: the harness enforced the limits itself).
func overLimit(l *HarnessLine, i int, limits []float64) bool {
	return l != nil && limits != nil && i >= 0 && i < len(limits) && limits[i] > 0 && l.CPU > limits[i]
}

// caseReprBytes bounds the Python reprs of a case's values; the evaluator
// cuts them further for its report.
const caseReprBytes = 4096

// inputCase is the case of one function input: the call, the reference's
// return value (absent when the reference raised) and the program's
// (got; nil when the call returned nothing comparable).
func inputCase(entryPoint string, ref inputRef, got *judge.PyValue) *Case {
	c := &Case{}
	if args, err := judge.PyFromJSON(ref.g.Inputs[ref.idx]); err == nil && args.Kind == judge.PyList {
		c.Input = []byte(entryPoint + "(" + strings.TrimSuffix(strings.TrimPrefix(args.Repr(caseReprBytes), "["), "]") + ")")
	}
	if ref.idx < len(ref.g.Reference) && ref.g.Reference[ref.idx].Err == "" {
		if exp, err := judge.DecodePyValue(ref.g.Reference[ref.idx].Out); err == nil {
			c.Expected, c.HasExpected = []byte(exp.Repr(caseReprBytes)), true
		}
	}
	if got != nil {
		c.Got, c.HasGot = []byte(got.Repr(caseReprBytes)), true
	}
	return c
}

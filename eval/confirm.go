package eval

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// TLE confirmation. CPU time grows with the machine's load (shared caches,
// SMT siblings, frequency), so a program judged TLE on a busy machine may
// be within its limit on an idle one. Before a TLE is final the test runs
// again with no other test of this engine running, its time limits
// extended by a margin; if it then stays within its original limits, that
// result stands and the report records that the first run was cut short
// by load. A program that needs the margin, or more, is TLE.

// TLEConfirmation records the confirmation of one TLE.
type TLEConfirmation struct {
	// FirstCPU is the CPU time of the run judged TLE.
	FirstCPU time.Duration
	// CPU is the CPU time of the confirmation run.
	CPU time.Duration
	// Overturned says the confirmation ran within the original limits: the
	// first run was cut short by load, and its verdict is the
	// confirmation's.
	Overturned bool
	// Alone says the run judged TLE had no other test of this engine
	// beside it from start to end, as a confirmation would: it was not
	// run again (a confirmation's extended limits change what it reports
	// of a program past its limit, not the verdict).
	Alone bool
	// PastAllowance says the run judged TLE ran under its time limits
	// extended by the load allowance and was stopped there: load does not
	// slow a program that much, so it was not run again.
	PastAllowance bool
	// Runs counts the runs alone: more than one when a run of many inputs
	// was confirmed input by input and its later inputs needed it too.
	Runs int
}

// soloTracker tracks which test runs had the engine to themselves: a run
// that starts while another runs marks both as shared.
type soloTracker struct {
	mu     sync.Mutex
	active map[*soloRun]struct{}
}

type soloRun struct{ shared bool }

func (t *soloTracker) start() *soloRun {
	r := &soloRun{}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.active == nil {
		t.active = map[*soloRun]struct{}{}
	}
	for o := range t.active {
		o.shared, r.shared = true, true
	}
	t.active[r] = struct{}{}
	return r
}

// end reports whether r ran alone.
func (t *soloTracker) end(r *soloRun) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.active, r)
	return !r.shared
}

// confirmable reports whether a TLE should be confirmed: the program was
// stopped for CPU time (by the sandbox or, per input, by the harness), or
// by the wall-clock cap while it was using the CPU (starved by load); not a
// program that sleeps.
func confirmable(run benchmarks.Run, r *runner.Result, lim runner.Limits) bool {
	switch {
	case run.Part != nil:
		return true
	case r.Status == runner.StatusTimeLimit:
		return true
	case r.Status == runner.StatusWallLimit:
		return lim.CPUTime > 0 && r.Usage.CPUTime >= lim.CPUTime/10
	}
	return false
}

// confirmTLE runs test i of st again, alone, with its time limits extended
// by the confirmation margin, and judges it against the original limits.
// It returns the outcome to record and the confirmation; ok is false when
// the confirmation could not be made (the first verdict then stands).
func (s *Submission) confirmTLE(ctx context.Context, st *sampleState, run benchmarks.Run, lim runner.Limits, first *runner.Result) (r *runner.Result, o benchmarks.Outcome, c *TLEConfirmation, ok bool) {
	x, xlim := extendRun(run, lim, 1+s.req.ConfirmTLE)
	r, o, ok = s.runAlone(ctx, st, x, xlim, lim)
	if !ok {
		return nil, o, nil, false
	}
	return r, o, &TLEConfirmation{FirstCPU: first.Usage.CPUTime, CPU: r.Usage.CPUTime, Overturned: o.Verdict != judge.TLE, Runs: 1}, true
}

// runAlone runs x under xlim with no other test of this engine running
// (on a remote node: alone among this engine's tests, not the node's) and
// judges it against lim (judgeExtended). ok is false when it could not run.
func (s *Submission) runAlone(ctx context.Context, st *sampleState, x benchmarks.Run, xlim, lim runner.Limits) (r *runner.Result, o benchmarks.Outcome, ok bool) {
	e := s.e
	spec := s.spec(st, x, xlim)
	if x.Watch != nil {
		spec.Watch = x.Watch()
	}
	var err error
	e.exclusive.Lock()
	if ex := e.opts.Executor; ex != nil {
		r, _, err = ex.Run(ctx, RunJob{Build: st.exec, Stdin: x.Stdin, Limits: xlim, Watch: spec.Watch})
	} else {
		r, err = e.opts.Sandbox.Run(ctx, spec)
	}
	e.exclusive.Unlock()
	if err != nil {
		return nil, benchmarks.Outcome{}, false
	}
	r, o, _ = judgeExtended(ctx, x, r, lim)
	return r, o, true
}

// confirmInputs confirms the TLE of a run of many inputs (o, from the
// result r) input by input: the input judged TLE runs again alone, its
// limit extended by the margin; if it stays within its own, the inputs
// after it run again as a test (beside others, with the load allowance),
// and so on, until an input's TLE is confirmed, an input fails otherwise,
// or every input has passed. Only the inputs in doubt run alone: a long
// run with an input near its limit does not hold the whole engine for its
// whole length. It returns the result to report (the last run's, with the
// CPU and wall-clock time of the test's runs other than confirmations
// added up), the outcome and the confirmation.
func (s *Submission) confirmInputs(ctx context.Context, st *sampleState, run benchmarks.Run, lim runner.Limits, r *runner.Result, o benchmarks.Outcome, allow float64) (*runner.Result, benchmarks.Outcome, *TLEConfirmation) {
	c := &TLEConfirmation{FirstCPU: r.Usage.CPUTime}
	groups := maps.Clone(o.Groups)
	usage := r.Usage
	ratio := 0.0 // of the runs after the first, whose own includes the TLE
	n := run.Inputs
	// Each round moves past an input: at most n rounds.
	for o.Verdict == judge.TLE && o.Input >= 0 && o.Input < n {
		k := o.Input
		x, xlim := runPart(run, k, k+1, 1+s.req.ConfirmTLE, lim)
		cr, co, ok := s.runAlone(ctx, st, x, xlim, lim)
		if !ok {
			break // the TLE stands
		}
		c.Runs++
		c.CPU += cr.Usage.CPUTime
		if co.Verdict != judge.AC {
			if co.Verdict != judge.TLE {
				// It failed otherwise when run again: that is its verdict.
				r, o = cr, co
			}
			break
		}
		ratio = max(ratio, co.LimitRatio)
		part := co.Groups
		final := false
		if k+1 == n {
			o = benchmarks.Outcome{Verdict: judge.AC, Input: -1}
		} else {
			x, xlim = runPart(run, k+1, n, max(allow, 1), lim)
			nr, _, alone, _, err := s.runTest(ctx, st, x, xlim)
			if err != nil {
				if ctx.Err() == nil {
					o = benchmarks.Outcome{Verdict: judge.SE, Message: fmt.Sprintf("sandbox failed: %v", err), Input: -1}
				}
				break
			}
			usage.CPUTime += nr.Usage.CPUTime
			usage.WallTime += nr.Usage.WallTime
			usage.MemoryPeakBytes = max(usage.MemoryPeakBytes, nr.Usage.MemoryPeakBytes)
			var stopped bool
			r, o, stopped = judgeExtended(ctx, x, nr, lim)
			ratio = max(ratio, o.LimitRatio)
			for g, v := range o.Groups {
				if w, ok := part[g]; ok {
					v = v && w
				}
				part[g] = v
			}
			// A TLE measured alone, or past the allowance, is final.
			final = o.Verdict == judge.TLE && (alone || (allow > 1 && stopped))
			c.PastAllowance = final && !alone
		}
		// The inputs before k passed; k's group and those after it are
		// decided by the runs from k on.
		maps.Copy(groups, part)
		if final {
			break
		}
	}
	if c.Runs == 0 {
		return r, o, nil // not confirmed: the TLE stands
	}
	c.Overturned = o.Verdict != judge.TLE
	o.Groups = groups
	if c.Overturned {
		o.LimitRatio = ratio
	}
	cp := *r
	cp.Usage = usage
	return &cp, o, c
}

// loadAllowance is the factor by which a test's time limits are extended
// in its first run (1: not extended): only when TLEs are confirmed and
// other tests may run beside it.
func (s *Submission) loadAllowance() float64 {
	if s.req.ConfirmTLE <= 0 || s.req.LoadAllowance <= 1 || (s.e.opts.Jobs <= 1 && s.e.opts.Executor == nil) {
		return 1
	}
	return s.req.LoadAllowance
}

// extendRun is run with its time limits multiplied by factor, and the
// limits it runs under: the process's, and the harness's per input where
// the run has them (Run.Part), with a judge that holds each input to its
// own limit. judgeExtended holds the process to lim.
func extendRun(run benchmarks.Run, lim runner.Limits, factor float64) (benchmarks.Run, runner.Limits) {
	if run.Part != nil {
		return runPart(run, 0, run.Inputs, factor, lim)
	}
	l := scaleLimits(lim, factor)
	run.Limits = &l
	return run, l
}

// runPart is run's part [from, to) with its time limits multiplied by factor
// (Run.Part), and the limits it runs under.
func runPart(run benchmarks.Run, from, to int, factor float64, lim runner.Limits) (benchmarks.Run, runner.Limits) {
	x := run.Part(from, to, factor)
	if x.Limits == nil {
		l := scaleLimits(lim, factor)
		x.Limits = &l
	}
	return x, *x.Limits
}

// judgeExtended judges r, the result of x (a run extended by extendRun),
// against the original limits lim: a program that used more CPU time than
// lim allows, or more wall-clock time, is judged as if the sandbox had
// stopped it there, whatever it did afterwards. stopped reports a TLE at
// the extended limits themselves: the sandbox's CPU limit or, per input,
// the harness's.
func judgeExtended(ctx context.Context, x benchmarks.Run, r *runner.Result, lim runner.Limits) (_ *runner.Result, o benchmarks.Outcome, stopped bool) {
	stopped = r.Status == runner.StatusTimeLimit
	over := lim.CPUTime > 0 && r.Usage.CPUTime > lim.CPUTime
	status := r.Status
	switch {
	case over:
		status = runner.StatusTimeLimit
	case lim.WallTime > 0 && r.Usage.WallTime > lim.WallTime && status != runner.StatusTimeLimit:
		status = runner.StatusWallLimit
	}
	if status == runner.StatusTimeLimit || status == runner.StatusWallLimit {
		// Stopped, or to be judged as stopped, at lim: say so in lim's terms.
		cp := *r
		cp.Status, cp.Note = status, runner.TimeLimitNote(lim)
		r = &cp
	}
	o = judgeRun(ctx, x, r)
	if over && o.Verdict.Passed() {
		// Every input within its own limit, the process past its own (a
		// chunk under the benchmark's total limit): the unextended run would
		// have been stopped before the end.
		o.Verdict, o.Message = judge.TLE, fmt.Sprintf("CPU time limit exceeded: %.3fs over the run's %s", r.Usage.CPUTime.Seconds(), lim.CPUTime)
		for g := range o.Groups {
			o.Groups[g] = false
		}
	}
	return r, o, o.Verdict == judge.TLE && (stopped || o.Stopped)
}

// judgeRun judges one run's result.
func judgeRun(ctx context.Context, run benchmarks.Run, r *runner.Result) benchmarks.Outcome {
	if run.JudgeContext != nil {
		return run.JudgeContext(ctx, r)
	}
	return run.Judge(r)
}

// scaleLimits multiplies a run's time limits by factor (the wall-clock cap
// by the same factor: it is a multiple of the CPU limit).
func scaleLimits(lim runner.Limits, factor float64) runner.Limits {
	lim.CPUTime = time.Duration(float64(lim.CPUTime) * factor)
	lim.WallTime = time.Duration(float64(lim.WallTime) * factor)
	return lim
}

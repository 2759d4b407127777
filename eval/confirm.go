package eval

import (
	"context"
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
	case run.Confirm != nil:
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
	e := s.e
	factor := 1 + s.req.ConfirmTLE
	crun := run
	climits := lim
	if run.Confirm != nil {
		crun = run.Confirm(factor)
		if crun.Limits != nil {
			climits = *crun.Limits
		}
	} else {
		climits = scaleLimits(lim, factor)
	}
	spec := &runner.Spec{
		Args:   st.argv,
		Env:    st.prog.Env,
		Dir:    runner.WorkDir,
		Mounts: st.prog.Mounts,
		Stdin:  crun.Stdin,
		Limits: climits,
	}
	if crun.Watch != nil {
		spec.Watch = crun.Watch()
	}
	// No other test of this engine runs meanwhile (on a remote node:
	// alone among this engine's tests, not the node's).
	var err error
	e.exclusive.Lock()
	if x := e.opts.Executor; x != nil {
		r, _, err = x.Run(ctx, RunJob{Build: st.exec, Stdin: crun.Stdin, Limits: climits, Watch: spec.Watch})
	} else {
		r, err = e.opts.Sandbox.Run(ctx, spec)
	}
	e.exclusive.Unlock()
	if err != nil {
		return nil, benchmarks.Outcome{}, nil, false
	}
	if run.Confirm == nil && lim.CPUTime > 0 && r.Usage.CPUTime > lim.CPUTime && r.Status != runner.StatusTimeLimit {
		// It needed the margin: past its own limit, it is TLE as the first
		// run was (whatever it did afterwards).
		cp := *r
		cp.Status, cp.Note = runner.StatusTimeLimit, first.Note
		r = &cp
	}
	if crun.JudgeContext != nil {
		o = crun.JudgeContext(ctx, r)
	} else {
		o = crun.Judge(r)
	}
	c = &TLEConfirmation{FirstCPU: first.Usage.CPUTime, CPU: r.Usage.CPUTime, Overturned: o.Verdict != judge.TLE}
	return r, o, c, true
}

// scaleLimits multiplies a run's time limits by factor (the wall-clock cap
// by the same factor: it is a multiple of the CPU limit).
func scaleLimits(lim runner.Limits, factor float64) runner.Limits {
	lim.CPUTime = time.Duration(float64(lim.CPUTime) * factor)
	lim.WallTime = time.Duration(float64(lim.WallTime) * factor)
	return lim
}

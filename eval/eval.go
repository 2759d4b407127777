// Package eval runs a benchmark's samples: it builds each sample once, runs
// every test as a fresh sandboxed process through one bounded scheduler at
// test-case granularity, judges each run, and assembles the report.
package eval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/report"
	"github.com/scalebox-dev/scalebox/runner"
)

// Options configure an evaluation.
type Options struct {
	Benchmark *benchmarks.Benchmark
	Samples   []*benchmarks.Sample
	Sandbox   runner.Sandbox
	Resolver  *runner.Resolver
	Builder   *runner.Builder
	// Jobs is the number of sandboxed processes (compiles and tests) that
	// run at once; zero means 1.
	Jobs int
	// EarlyStop stops a sample at its first failing test (in test order).
	EarlyStop bool
	// Retries is how many more times a run is tried after a system error.
	Retries int
	// Observer is told about progress; it is called from the goroutine
	// that called Run, never concurrently. Nil means no progress.
	Observer Observer
	// MemoryBudgetBytes, when positive, bounds the sum of the memory limits
	// of the sandboxed processes running at once (memory admission), so
	// that parallelism cannot run the host out of memory: a run waits for
	// its limit (at most the whole budget) to be free.
	MemoryBudgetBytes int64
	// ConfirmTLE, when positive, confirms each TLE (see TLEConfirmation):
	// the test runs again alone with its time limits extended by this
	// fraction (0.2: 20%). Zero turns confirmation off.
	ConfirmTLE float64
	// Skip, when set, leaves out samples that are already judged (a
	// resumed run); they are neither run nor returned.
	Skip func(taskID string, index int) bool
	// Feed, when set, brings more samples while Run runs (samples a model
	// is generating): each is scheduled as soon as it is received, after
	// those already waiting, exactly as if it had been in Samples, and
	// Run returns only once Feed is closed and every sample is judged (or
	// ctx ends). An Observer that is a FeedObserver hears of them.
	Feed   <-chan *benchmarks.Sample
	Logger *slog.Logger
}

// FeedObserver is an Observer that also hears of the samples received
// from Options.Feed, before any of their tests run.
type FeedObserver interface {
	Observer
	Added(samples, tests int)
}

// Observer follows an evaluation's progress.
type Observer interface {
	Started(samples, tests int)
	TestDone(v judge.Verdict)
	SampleDone(r *SampleResult)
}

// Result is what Run produced.
type Result struct {
	// Samples holds the finished samples in input order (unknown and
	// unfinished ones are left out).
	Samples []*SampleResult
	// Unknown are samples whose task_id is not in the benchmark.
	Unknown []*benchmarks.Sample
	// Interrupted is set when the context was cancelled before the end.
	Interrupted bool
	TestsRun    int
	Started     time.Time
	Wall        time.Duration
	// Confirmations counts the TLE confirmations, Overturned those that
	// found the first run cut short by load, ConfirmCPU their CPU time.
	Confirmations, Overturned int
	ConfirmCPU                time.Duration
}

// SampleResult is the judgement of one sample.
type SampleResult struct {
	Sample   *benchmarks.Sample
	Language string
	Verdict  judge.Verdict
	// Message explains the verdict (the deciding test's message).
	Message    string
	Compile    *CompileResult
	Tests      []TestResult
	TestsTotal int
	// GroupPassed says, for problems with input groups, whether all the
	// inputs of each decided group passed; BasePassed is its "base" entry
	// (evalplus's base verdict).
	GroupPassed map[string]bool
	BasePassed  *bool
}

// Passed reports whether the sample passed every test.
func (r *SampleResult) Passed() bool { return r.Verdict == judge.AC }

// LimitRatio is the largest share of its CPU time limit any input of the
// sample used (function problems).
func (r *SampleResult) LimitRatio() float64 {
	m := 0.0
	for _, t := range r.Tests {
		m = max(m, t.LimitRatio)
	}
	return m
}

// CompileResult is the outcome of a sample's build.
type CompileResult struct {
	OK      bool
	Message string
	Cached  bool
	// Ran is false when the language has no compile step.
	Ran   bool
	Usage runner.Usage
}

// TestResult is the judgement of one test.
type TestResult struct {
	Index    int
	Verdict  judge.Verdict
	Message  string
	Status   runner.Status
	ExitCode int
	Signal   int
	Attempts int
	Usage    runner.Usage
	// Stderr is the end of the program's stderr, kept for failed tests.
	Stderr string
	// Group and Inputs describe a chunk of a function problem's inputs;
	// FailedGroup is the group of the input that failed.
	Group       string
	Inputs      int
	FailedGroup string
	// Groups says which input groups this run decided and whether they passed.
	Groups map[string]bool
	// LimitRatio is the largest share of its CPU time limit an input used.
	LimitRatio float64
	// Confirmation records the confirmation of a TLE (nil: none).
	Confirmation *TLEConfirmation
	// Case is a failed test's input, expected and actual output, cut to
	// CaseBytes each; nil when the judge had none to give, and in a
	// sample's result for every test but the deciding one.
	Case *report.Case
}

// Run evaluates opts.Samples. It returns an error only for invalid options;
// failures of the machinery become SE verdicts. When ctx is cancelled it
// stops scheduling, kills running sandboxes and returns what finished, with
// Interrupted set.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Benchmark == nil || opts.Sandbox == nil || opts.Resolver == nil || opts.Builder == nil {
		return nil, errors.New("eval: benchmark, sandbox, resolver and builder are required")
	}
	if opts.Jobs <= 0 {
		opts.Jobs = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &engine{opts: opts, events: make(chan event, 256)}
	if opts.MemoryBudgetBytes > 0 {
		e.memory = semaphore.NewWeighted(opts.MemoryBudgetBytes)
	}
	e.cond = sync.NewCond(&e.mu)
	res := &Result{Started: time.Now()}
	totalTests := 0
	for _, s := range opts.Samples {
		p, ok := opts.Benchmark.Problem(s.TaskID)
		if !ok {
			res.Unknown = append(res.Unknown, s)
			continue
		}
		if opts.Skip != nil && opts.Skip(s.TaskID, s.Index) {
			continue
		}
		e.pending = append(e.pending, &sampleState{seq: len(e.pending), s: s, p: p})
		totalTests += p.NumTests()
	}
	if opts.Observer != nil {
		opts.Observer.Started(len(e.pending), totalTests)
	}
	e.feedDone = make(chan struct{})
	if opts.Feed != nil {
		// Counted now: a problem's builds may load its reference results
		// (EnsureReference) while the feed goroutine runs.
		e.numTests = map[*benchmarks.Problem]int{}
		for _, p := range opts.Benchmark.Problems {
			e.numTests[p] = p.NumTests()
		}
		e.feedOpen = true
		go e.feed(ctx)
	} else {
		close(e.feedDone)
	}
	stop := context.AfterFunc(ctx, func() {
		e.mu.Lock()
		e.cancelled = true
		e.cond.Broadcast()
		e.mu.Unlock()
	})
	defer stop()

	go e.dispatch(ctx)
	done := map[int]*SampleResult{}
	for ev := range e.events {
		if c := ev.confirm; c != nil {
			res.Confirmations++
			res.ConfirmCPU += c.CPU
			if c.Overturned {
				res.Overturned++
			}
		}
		if ev.added > 0 {
			if fo, ok := opts.Observer.(FeedObserver); ok {
				fo.Added(ev.added, ev.addedTests)
			}
			continue
		}
		if ev.test != "" {
			res.TestsRun++
			if opts.Observer != nil {
				opts.Observer.TestDone(ev.test)
			}
			continue
		}
		done[ev.sample.seq] = ev.sample.result
		if opts.Observer != nil {
			opts.Observer.SampleDone(ev.sample.result)
		}
	}
	// The feed and the dispatcher are done: e's fields are no longer
	// written.
	for seq := range e.pending {
		if r := done[seq]; r != nil {
			res.Samples = append(res.Samples, r)
		}
	}
	res.Unknown = append(res.Unknown, e.unknown...)
	res.Interrupted = ctx.Err() != nil && len(res.Samples) < len(e.pending)
	res.Wall = time.Since(res.Started)
	return res, nil
}

// engine schedules the jobs of all samples over one bounded errgroup.
type engine struct {
	opts   Options
	events chan event
	// memory admits runs by their memory limits (nil: no admission).
	memory *semaphore.Weighted
	// exclusive is held for reading by every test run and for writing by a
	// TLE confirmation, which runs alone.
	exclusive sync.RWMutex

	mu        sync.Mutex
	cond      *sync.Cond
	pending   []*sampleState // every known sample, by seq
	next      int            // first sample not yet started
	queue     jobHeap        // runnable test jobs of started samples
	reserved  int            // goroutines launched that have not taken a job yet
	active    int            // started samples not yet finished
	cancelled bool
	// feedOpen is set while Options.Feed may bring samples; feedDone is
	// closed when the feed goroutine (if any) has stopped.
	feedOpen bool
	feedDone chan struct{}
	unknown  []*benchmarks.Sample // fed samples of no known task
	numTests map[*benchmarks.Problem]int
}

type event struct {
	test    judge.Verdict    // a test finished
	confirm *TLEConfirmation // and its TLE was confirmed
	sample  *sampleState     // a sample finished
	// added samples with addedTests tests were received from the feed.
	added, addedTests int
}

// feed receives Options.Feed's samples until it is closed or ctx ends.
func (e *engine) feed(ctx context.Context) {
	defer close(e.feedDone)
	defer func() {
		e.mu.Lock()
		e.feedOpen = false
		e.cond.Broadcast()
		e.mu.Unlock()
	}()
	for {
		var s *benchmarks.Sample
		var ok bool
		select {
		case s, ok = <-e.opts.Feed:
			if !ok {
				return
			}
		case <-ctx.Done():
			return
		}
		p, known := e.opts.Benchmark.Problem(s.TaskID)
		if !known {
			e.mu.Lock()
			e.unknown = append(e.unknown, s)
			e.mu.Unlock()
			continue
		}
		if e.opts.Skip != nil && e.opts.Skip(s.TaskID, s.Index) {
			continue
		}
		e.mu.Lock()
		e.pending = append(e.pending, &sampleState{seq: len(e.pending), s: s, p: p})
		e.cond.Broadcast()
		e.mu.Unlock()
		// The collector drains events until the dispatcher closes them,
		// which it does only after this goroutine is done.
		e.events <- event{added: 1, addedTests: e.numTests[p]}
	}
}

// job is a sample's build (run == -1) or one of its runs.
type job struct {
	st  *sampleState
	run int
}

type sampleState struct {
	seq int
	s   *benchmarks.Sample
	p   *benchmarks.Problem

	// Set by the build job before any run job exists.
	plan *benchmarks.Plan
	prog *runner.Program
	argv []string

	// Guarded by engine.mu.
	results  []*TestResult // by run index; nil until it finishes
	left     int           // runs neither finished nor skipped
	failedAt int           // lowest run index with a definite failure
	cancels  map[int]context.CancelFunc
	stopped  bool // interrupted: never reported
	result   *SampleResult
}

// dispatch launches one goroutine per available job, at most Jobs at once.
// Each goroutine takes the best job when it actually starts, so tests of
// samples already built go before builds of new samples, and lower test
// indexes before higher ones.
func (e *engine) dispatch(ctx context.Context) {
	var g errgroup.Group
	g.SetLimit(e.opts.Jobs)
	for {
		e.mu.Lock()
		// Work may still appear while a build is running (active) or a
		// launched goroutine has yet to take its job (reserved).
		for !e.cancelled && e.available() <= e.reserved && (e.active > 0 || e.reserved > 0 || e.feedOpen) {
			e.cond.Wait()
		}
		if e.cancelled || e.available() <= e.reserved {
			e.mu.Unlock()
			break
		}
		e.reserved++
		e.mu.Unlock()
		g.Go(func() error {
			if j, ok := e.take(); ok {
				e.do(ctx, j)
			}
			return nil
		})
	}
	_ = g.Wait()
	<-e.feedDone
	close(e.events)
}

// available counts the jobs that could be taken now: queued runs and the
// builds of samples not yet started.
func (e *engine) available() int { return len(e.queue) + len(e.pending) - e.next }

// take removes the best runnable job, skipping runs after a sample's first
// failure under early stop.
func (e *engine) take() (job, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	defer e.cond.Broadcast()
	e.reserved--
	for len(e.queue) > 0 && !e.cancelled {
		j := e.queue.pop()
		st := j.st
		if e.opts.EarlyStop && j.run > st.failedAt {
			e.finishRunLocked(st)
			continue
		}
		return j, true
	}
	if e.cancelled || e.next >= len(e.pending) {
		return job{}, false
	}
	st := e.pending[e.next]
	e.next++
	e.active++
	return job{st: st, run: -1}, true
}

func (e *engine) do(ctx context.Context, j job) {
	if j.run < 0 {
		e.build(ctx, j.st)
		return
	}
	e.test(ctx, j.st, j.run)
}

// build resolves the toolchain, plans the sample and compiles it.
func (e *engine) build(ctx context.Context, st *sampleState) {
	b := e.opts.Benchmark
	lang := b.SampleLanguage(st.p, st.s)
	res := &SampleResult{Sample: st.s, Language: lang, TestsTotal: st.p.NumTests()}
	st.result = res

	tc, err := e.opts.Resolver.Toolchain(lang)
	if err != nil {
		var te *runner.ToolchainError
		if errors.As(err, &te) && !knownLanguage(e.opts.Resolver, lang) {
			e.finishEarly(st, judge.CE, err.Error())
		} else {
			e.finishEarly(st, judge.SE, err.Error())
		}
		return
	}
	plan, err := b.Plan(st.p, st.s, tc.Lang, benchmarks.PlanOptions{
		EarlyStop: e.opts.EarlyStop, Sandbox: e.opts.Sandbox, Builder: e.opts.Builder, Resolver: e.opts.Resolver,
	})
	if err != nil {
		var (
			re *benchmarks.ReferenceError
			te *runner.ToolchainError
		)
		// No reference results, no judge for the problem, or no toolchain
		// for its language: the machinery cannot decide, so the sample is
		// neither passed nor failed.
		if errors.As(err, &re) || errors.Is(err, benchmarks.ErrNoJudge) || errors.As(err, &te) {
			e.finishEarly(st, judge.SE, err.Error())
		} else {
			e.finishEarly(st, judge.CE, err.Error())
		}
		return
	}
	var br *runner.BuildResult
	attempts, err := e.retry(ctx, func() error {
		var err error
		if plan.Stage {
			br, err = e.opts.Builder.Stage(ctx, tc, plan.Files)
			return err
		}
		release, err := e.admit(ctx, e.opts.Builder.Limits.MemoryBytes)
		if err != nil {
			return err
		}
		defer release()
		br, err = e.opts.Builder.BuildWith(ctx, tc, plan.Files, runner.BuildOptions{Compile: plan.Compile, Env: plan.Env})
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			e.abandon(st)
			return
		}
		e.finishEarly(st, judge.SE, fmt.Sprintf("build failed after %d attempts: %v", attempts, err))
		return
	}
	res.Compile = &CompileResult{OK: br.Program != nil, Message: br.Message, Cached: br.Cached, Ran: len(tc.Lang.Compile) > 0, Usage: br.Usage}
	if br.Program == nil {
		e.finishEarly(st, judge.CE, br.Message)
		return
	}
	st.plan, st.prog = plan, br.Program
	st.argv = br.Program.Argv
	if plan.Argv != nil {
		st.argv = tc.Expand(plan.Argv, runner.WorkDir)
	}
	n := len(plan.Runs)
	e.mu.Lock()
	st.results = make([]*TestResult, n)
	st.left = n
	st.failedAt = n
	st.cancels = map[int]context.CancelFunc{}
	for i := range plan.Runs {
		e.queue.push(job{st: st, run: i})
	}
	if n == 0 {
		e.finishSampleLocked(st)
	}
	e.cond.Broadcast()
	e.mu.Unlock()
}

// stderrTail keeps the last 2 KiB of stderr, as valid UTF-8.
func stderrTail(b []byte) string {
	const keep = 2 << 10
	if len(b) > keep {
		b = b[len(b)-keep:]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func knownLanguage(r *runner.Resolver, id string) bool {
	_, ok := r.Languages()[id]
	return ok
}

// test runs one test of a built sample.
func (e *engine) test(ctx context.Context, st *sampleState, i int) {
	run := st.plan.Runs[i]
	lim := e.limits()
	if run.Limits != nil {
		lim = *run.Limits
	}
	spec := &runner.Spec{
		Args:   st.argv,
		Env:    st.prog.Env,
		Dir:    runner.WorkDir,
		Mounts: st.prog.Mounts,
		Stdin:  run.Stdin,
		Limits: lim,
	}
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e.mu.Lock()
	st.cancels[i] = cancel
	e.mu.Unlock()

	var r *runner.Result
	attempts, err := e.retry(tctx, func() error {
		release, err := e.admit(tctx, lim.MemoryBytes)
		if err != nil {
			return err
		}
		defer release()
		if run.Watch != nil {
			spec.Watch = run.Watch()
		}
		e.exclusive.RLock()
		defer e.exclusive.RUnlock()
		r, err = e.opts.Sandbox.Run(tctx, spec)
		return err
	})
	tr := &TestResult{Index: i, Attempts: attempts, Group: run.Group, Inputs: run.Inputs}
	switch {
	case err != nil && ctx.Err() != nil:
		// Interrupted: the sample will not be reported.
		e.mu.Lock()
		st.stopped = true
		delete(st.cancels, i)
		e.finishRunLocked(st)
		e.mu.Unlock()
		return
	case err != nil && tctx.Err() != nil:
		// Cancelled by early stop: an earlier test failed.
		e.mu.Lock()
		delete(st.cancels, i)
		e.finishRunLocked(st)
		e.mu.Unlock()
		return
	case err != nil:
		tr.Verdict, tr.Message = judge.SE, fmt.Sprintf("sandbox failed after %d attempts: %v", attempts, err)
	default:
		var o benchmarks.Outcome
		if run.JudgeContext != nil {
			o = run.JudgeContext(tctx, r)
		} else {
			o = run.Judge(r)
		}
		if o.Verdict == judge.TLE && e.opts.ConfirmTLE > 0 && confirmable(run, r, lim) {
			if cr, co, c, ok := e.confirmTLE(tctx, st, run, lim, r); ok {
				tr.Confirmation = c
				if c.Overturned {
					r, o = cr, co
				}
			}
		}
		tr.Verdict, tr.Message, tr.FailedGroup, tr.Groups = o.Verdict, o.Message, o.Group, o.Groups
		tr.LimitRatio = o.LimitRatio
		tr.Status, tr.Usage = r.Status, r.Usage
		tr.ExitCode, tr.Signal = r.ExitCode, int(r.Signal)
		if !o.Verdict.Passed() {
			tr.Stderr = stderrTail(r.Stderr)
			tr.Case = caseReport(o.Case)
		}
	}
	e.events <- event{test: tr.Verdict, confirm: tr.Confirmation}

	e.mu.Lock()
	defer e.mu.Unlock()
	delete(st.cancels, i)
	st.results[i] = tr
	if e.opts.EarlyStop && tr.Verdict.Definite() && !tr.Verdict.Passed() && i < st.failedAt {
		st.failedAt = i
		for j, c := range st.cancels {
			if j > i {
				c()
			}
		}
	}
	e.finishRunLocked(st)
}

// admit waits until a run with the given memory limit fits in the memory
// budget and returns the function that gives it back.
func (e *engine) admit(ctx context.Context, limit int64) (func(), error) {
	if e.memory == nil || limit <= 0 {
		return func() {}, nil
	}
	w := min(limit, e.opts.MemoryBudgetBytes)
	if err := e.memory.Acquire(ctx, w); err != nil {
		return nil, err
	}
	return func() { e.memory.Release(w) }, nil
}

// retry calls f until it succeeds, ctx ends, or 1+Retries attempts failed.
func (e *engine) retry(ctx context.Context, f func() error) (int, error) {
	var err error
	for attempt := 1; ; attempt++ {
		if err = f(); err == nil {
			return attempt, nil
		}
		if ctx.Err() != nil || attempt > e.opts.Retries {
			return attempt, err
		}
		e.opts.Logger.Warn("system error, retrying", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return attempt, err
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
}

func (e *engine) limits() runner.Limits { return e.opts.Benchmark.BaseLimits() }

// runStaged runs the Python script of a staged program (the reference
// recorder, the sanitizer) in the sandbox, retried after system errors.
func (e *engine) runStaged(ctx context.Context, tc *runner.Toolchain, prog *runner.Program, script string, stdin []byte, lim runner.Limits) (*runner.Result, error) {
	spec := &runner.Spec{
		Args:   tc.Expand([]string{"{python}", "-I", runner.WorkDir + "/" + script}, runner.WorkDir),
		Env:    prog.Env,
		Dir:    runner.WorkDir,
		Mounts: prog.Mounts,
		Stdin:  stdin,
		Limits: lim,
	}
	var r *runner.Result
	_, err := e.retry(ctx, func() error {
		var err error
		r, err = e.opts.Sandbox.Run(ctx, spec)
		return err
	})
	return r, err
}

// finishEarly ends a sample that never ran a test.
func (e *engine) finishEarly(st *sampleState, v judge.Verdict, msg string) {
	st.result.Verdict, st.result.Message = v, msg
	if st.p.Kind == benchmarks.KindFunction && v.Definite() {
		base := false
		st.result.BasePassed = &base
		st.result.GroupPassed = map[string]bool{}
		for _, g := range st.p.Groups {
			st.result.GroupPassed[g.Name] = false
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.finishSampleLocked(st)
}

// abandon drops a sample interrupted before it ran.
func (e *engine) abandon(st *sampleState) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st.stopped = true
	e.active--
	e.cond.Broadcast()
}

// finishRunLocked counts a finished or skipped run and finishes the sample
// after its last one.
func (e *engine) finishRunLocked(st *sampleState) {
	st.left--
	if st.left > 0 {
		return
	}
	if st.stopped {
		e.active--
		e.cond.Broadcast()
		return
	}
	e.decide(st)
	e.finishSampleLocked(st)
}

// decide sets the sample's verdict from its tests: the first definite
// failure in test order; else SE if a test had a system error; else AC.
// Under early stop only the tests up to the first failure are kept, so the
// report does not depend on how far later tests got.
func (e *engine) decide(st *sampleState) {
	res := st.result
	limit := len(st.results)
	if e.opts.EarlyStop && st.failedAt < limit {
		limit = st.failedAt + 1
	}
	res.Verdict = judge.AC
	var se *TestResult
	for _, tr := range st.results[:limit] {
		if tr == nil {
			continue
		}
		t := *tr
		switch {
		case tr.Verdict == judge.SE:
			if se == nil {
				se = tr
			}
		case !tr.Verdict.Passed() && res.Verdict == judge.AC:
			res.Verdict, res.Message = tr.Verdict, fmt.Sprintf("test %d: %s", tr.Index, tr.Message)
		default:
			// Only the deciding test keeps its case, so that a run
			// without early stop does not fill the report with the cases
			// of every later failure.
			t.Case = nil
		}
		res.Tests = append(res.Tests, t)
	}
	if res.Verdict == judge.AC && se != nil {
		res.Verdict, res.Message = judge.SE, fmt.Sprintf("test %d: %s", se.Index, se.Message)
	}
	if res.Verdict == judge.AC && len(res.Tests) != len(st.results) {
		// Every run must report; a missing result is never a pass.
		res.Verdict, res.Message = judge.SE, "some tests produced no result"
	}
	e.decideBase(st)
}

// decideBase sets GroupPassed and BasePassed for samples whose runs cover
// input groups: a group passed when every run covering it says so, failed
// when one says it failed; it is left out when unknown (a run was skipped
// or had a system error).
func (e *engine) decideBase(st *sampleState) {
	passed, unknown := map[string]bool{}, map[string]bool{}
	any := false
	for i, run := range st.plan.Runs {
		for _, g := range run.Groups {
			any = true
			tr := st.results[i]
			if tr == nil || tr.Verdict == judge.SE {
				unknown[g] = true
				continue
			}
			ok, known := tr.Groups[g]
			switch {
			case !known:
				unknown[g] = true
			case !ok:
				passed[g] = false
			default:
				if _, seen := passed[g]; !seen {
					passed[g] = true
				}
			}
		}
	}
	if !any {
		return
	}
	for g, ok := range passed {
		if ok && unknown[g] {
			delete(passed, g)
		}
	}
	st.result.GroupPassed = passed
	if b, ok := passed["base"]; ok {
		st.result.BasePassed = &b
	}
}

func (e *engine) finishSampleLocked(st *sampleState) {
	e.active--
	e.cond.Broadcast()
	// The collector drains events until every job goroutine is done, so
	// this send cannot block forever; release the lock while it waits.
	e.mu.Unlock()
	e.events <- event{sample: st}
	e.mu.Lock()
}

// jobHeap orders jobs by sample, then run index.
type jobHeap []job

func (h jobHeap) less(a, b int) bool {
	if h[a].st.seq != h[b].st.seq {
		return h[a].st.seq < h[b].st.seq
	}
	return h[a].run < h[b].run
}

func (h *jobHeap) push(j job) {
	*h = append(*h, j)
	i := len(*h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		(*h)[i], (*h)[p] = (*h)[p], (*h)[i]
		i = p
	}
}

func (h *jobHeap) pop() job {
	old := *h
	top := old[0]
	n := len(old) - 1
	old[0] = old[n]
	*h = old[:n]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		(*h)[i], (*h)[m] = (*h)[m], (*h)[i]
		i = m
	}
	return top
}

// Observers tells each of several observers, in order.
type Observers []Observer

// Started implements Observer.
func (obs Observers) Started(samples, tests int) {
	for _, o := range obs {
		o.Started(samples, tests)
	}
}

// TestDone implements Observer.
func (obs Observers) TestDone(v judge.Verdict) {
	for _, o := range obs {
		o.TestDone(v)
	}
}

// Added implements FeedObserver: it tells the observers that are
// FeedObservers.
func (obs Observers) Added(samples, tests int) {
	for _, o := range obs {
		if fo, ok := o.(FeedObserver); ok {
			fo.Added(samples, tests)
		}
	}
}

// SampleDone implements Observer.
func (obs Observers) SampleDone(r *SampleResult) {
	for _, o := range obs {
		o.SampleDone(r)
	}
}

package eval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// EngineOptions configure an Engine.
type EngineOptions struct {
	Sandbox  runner.Sandbox
	Resolver *runner.Resolver
	// Builder compiles every submission's samples; its cache is keyed by
	// content (toolchain, compile command, files), so a program sent again
	// by another submission is built once.
	Builder *runner.Builder
	// Jobs is the number of sandboxed processes (compiles and tests) that
	// run at once, over all submissions; zero means 1.
	Jobs int
	// Retries is how many more times a run is tried after a system error.
	Retries int
	// MemoryBudgetBytes, when positive, bounds the sum of the memory limits
	// of the sandboxed processes running at once (memory admission), so
	// that parallelism cannot run the host out of memory: a run waits for
	// its limit (at most the whole budget) to be free.
	MemoryBudgetBytes int64
	Logger            *slog.Logger
	// NewBuilder and MaxBuilds bound what a long-running engine (a
	// server) keeps of the programs it built: after MaxBuilds new builds
	// (reused ones do not count) the engine starts a fresh builder from
	// NewBuilder, and closes the retired one (its files and cache) once no
	// sample that uses it is running. The fresh builder runs the languages'
	// prepare steps again when first needed. Zero or nil: one builder.
	NewBuilder func() (*runner.Builder, error)
	MaxBuilds  int
	// Executor, when set, builds the samples and runs their tests instead
	// of Builder and Sandbox (which still build and run what judges need:
	// checkers, reference outputs). Memory admission is then the
	// executor's business.
	Executor Executor
}

// builderGen is a builder and the samples using it.
type builderGen struct {
	b       *runner.Builder
	owned   bool // made by NewBuilder: the engine closes it
	builds  int  // builds that were not reused
	users   int  // samples started with it and not finished
	retired bool
}

// Engine runs the samples of any number of submissions through one bounded
// scheduler at test-case granularity: Jobs workers each take the next job
// (a sample's build or one of its tests), visiting the submissions with
// work in turn (round robin), so that a submission with a thousand tests
// does not starve one with a single test. Within a submission, tests of
// samples already built go before builds of new samples, and lower test
// indexes before higher ones. Memory admission and the Builder's compile
// cache are shared by all submissions.
//
// An Engine is safe for concurrent use. Close stops it.
type Engine struct {
	opts   EngineOptions
	memory *semaphore.Weighted // nil: no memory admission
	// exclusive is held for reading by every test run and for writing by a
	// TLE confirmation, which runs alone.
	exclusive sync.RWMutex
	// solo tracks whether a test run had the engine to itself.
	solo soloTracker

	mu     sync.Mutex
	cond   *sync.Cond    // signalled when jobs appear or the engine closes
	subs   []*Submission // submissions with samples left, in arrival order
	rr     int           // the submission the next take starts from
	closed bool
	wg     sync.WaitGroup
	gen    *builderGen   // the builder new samples use
	gens   []*builderGen // retired builders not yet closed
	closes sync.WaitGroup
	// building holds the builds in progress by content, with the samples
	// parked until they end: a sample whose program is being built for
	// another (verl sends a program once per test case, at once) waits
	// without holding a worker, then finds the build in the cache.
	building map[string][]*sampleState

	builds  atomic.Int64 // builds running now
	tests   atomic.Int64 // tests running now
	waiting atomic.Int64 // tests of accepted samples not yet started
}

// NewEngine starts an engine with opts.Jobs workers.
func NewEngine(opts EngineOptions) (*Engine, error) {
	if opts.Sandbox == nil || opts.Resolver == nil || opts.Builder == nil {
		return nil, errors.New("eval: sandbox, resolver and builder are required")
	}
	if opts.Jobs <= 0 {
		opts.Jobs = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{opts: opts}
	if opts.MemoryBudgetBytes > 0 {
		e.memory = semaphore.NewWeighted(opts.MemoryBudgetBytes)
	}
	e.cond = sync.NewCond(&e.mu)
	e.gen = &builderGen{b: opts.Builder}
	e.building = map[string][]*sampleState{}
	e.wg.Add(opts.Jobs)
	for range opts.Jobs {
		go e.worker()
	}
	return e, nil
}

// Close cancels the submissions still running (their sandboxes are
// killed), waits for the workers to stop and refuses later submissions.
func (e *Engine) Close() {
	e.mu.Lock()
	e.closed = true
	for _, s := range e.subs {
		s.cancelLocked()
	}
	e.cond.Broadcast()
	e.mu.Unlock()
	e.wg.Wait()
	e.closes.Wait()
	for _, g := range append(e.gens, e.gen) {
		if g.owned {
			g.b.Close()
		}
	}
}

// Do runs f as one job of the engine's workers, in its turn among the
// submissions, after memoryBytes of memory admission and alongside the
// engine's tests (a TLE confirmation waits for it): how a serve node runs
// a test that a remote client judges, through the same bounded pool as
// its other requests. f's context ends when ctx does or the engine
// closes. Do returns f's error, or an error without running f when ctx
// ends or the engine closes first.
func (e *Engine) Do(ctx context.Context, memoryBytes int64, f func(ctx context.Context) error) error {
	s := &Submission{e: e, active: 1}
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.cond = sync.NewCond(&e.mu)
	var ferr error
	s.raw = func() {
		release, err := e.admit(s.ctx, memoryBytes)
		if err != nil {
			ferr = err
			return
		}
		defer release()
		e.tests.Add(1)
		defer e.tests.Add(-1)
		e.asTest(func() { ferr = f(s.ctx) })
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		s.cancel()
		return errors.New("eval: the engine is closed")
	}
	e.subs = append(e.subs, s)
	s.stop = context.AfterFunc(ctx, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		s.cancelLocked()
	})
	e.cond.Broadcast()
	for !s.done {
		s.cond.Wait()
	}
	ran := s.rawRan
	e.mu.Unlock()
	if !ran {
		if err := ctx.Err(); err != nil {
			return err
		}
		return errors.New("eval: the engine is closed")
	}
	return ferr
}

// asTest runs f as a test run: beside other tests, never beside a TLE
// confirmation. It reports whether no other test ran meanwhile.
func (e *Engine) asTest(f func()) (alone bool) {
	e.exclusive.RLock()
	defer e.exclusive.RUnlock()
	sr := e.solo.start()
	f()
	return e.solo.end(sr)
}

// Sandbox is the sandbox the engine runs tests in.
func (e *Engine) Sandbox() runner.Sandbox { return e.opts.Sandbox }

// Jobs is the number of sandboxed processes the engine runs at once.
func (e *Engine) Jobs() int { return e.opts.Jobs }

// Builder is the builder new samples are built with.
func (e *Engine) Builder() *runner.Builder {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.gen.b
}

// useBuilderLocked gives a starting sample the current builder.
func (e *Engine) useBuilderLocked(st *sampleState) {
	st.gen = e.gen
	st.gen.users++
}

// releaseBuilderLocked ends a sample's use of its builder, closing a
// retired one that nobody uses any more.
func (e *Engine) releaseBuilderLocked(st *sampleState) {
	g := st.gen
	if g == nil {
		return
	}
	st.gen = nil
	g.users--
	if g.retired && g.users == 0 && g.owned {
		for i, x := range e.gens {
			if x == g {
				e.gens = append(e.gens[:i], e.gens[i+1:]...)
				break
			}
		}
		e.closes.Add(1)
		go func() {
			defer e.closes.Done()
			g.b.Close()
		}()
	}
}

// builtLocked counts a build that was not reused, and starts a fresh
// builder when the current one has made MaxBuilds.
func (e *Engine) builtLocked(g *builderGen) {
	g.builds++
	if g != e.gen || e.opts.MaxBuilds <= 0 || e.opts.NewBuilder == nil || g.builds < e.opts.MaxBuilds {
		return
	}
	b, err := e.opts.NewBuilder()
	if err != nil {
		e.opts.Logger.Warn("could not start a fresh builder; keeping the current one", "err", err)
		g.builds = 0
		return
	}
	e.opts.Logger.Info("builder rotated", "builds", g.builds)
	g.retired = true
	e.gens = append(e.gens, g)
	// The sample that made the last build still uses g: its end closes it.
	e.gen = &builderGen{b: b, owned: true}
}

// Load is a snapshot of the engine's work.
type Load struct {
	// Builds and Tests are the numbers of builds and tests running now.
	Builds, Tests int
	// Waiting is the number of tests of accepted samples that have not
	// started (including the tests of samples not yet built).
	Waiting int
	// Submissions is the number of submissions with samples left.
	Submissions int
}

// Load returns the engine's current work.
func (e *Engine) Load() Load {
	e.mu.Lock()
	n := 0
	for _, s := range e.subs {
		if !s.done {
			n++
		}
	}
	e.mu.Unlock()
	return Load{Builds: int(e.builds.Load()), Tests: int(e.tests.Load()), Waiting: int(max(e.waiting.Load(), 0)), Submissions: n}
}

// Request is a set of samples to judge against a benchmark's problems.
type Request struct {
	Benchmark *benchmarks.Benchmark
	Samples   []*benchmarks.Sample
	// EarlyStop stops a sample at its first failing test (in test order).
	EarlyStop bool
	// Skip, when set, leaves out samples that are already judged (a
	// resumed run); they are neither run nor reported.
	Skip func(taskID string, index int) bool
	// KeepOutput keeps each test's whole stdout and stderr (as far as the
	// sandbox kept them) in TestResult.Output.
	KeepOutput bool
	// ConfirmTLE, when positive, confirms each TLE (see TLEConfirmation):
	// the test runs again with no other test of the engine running, its
	// time limits extended by this fraction (0.2: 20%).
	ConfirmTLE float64
	// LoadAllowance, when above 1 and TLEs are confirmed, lets a test that
	// may run beside others use this many times its time limits, judged
	// against its own: a TLE that ran past the allowance is final (load
	// cannot slow a program that much), one that stopped within it is
	// confirmed (see TLEConfirmation.PastAllowance).
	LoadAllowance float64
	// Feed, when set, brings more samples while the submission runs
	// (samples a model is generating): each is scheduled as soon as it is
	// received, after those already waiting, as if it had been in
	// Samples, with an Added event; the submission ends only once Feed is
	// closed (or the submission is cancelled) and every sample is judged.
	Feed <-chan *benchmarks.Sample
}

// Event is a test or a sample that finished.
type Event struct {
	// Sample is the sample's position in Submission.Samples.
	Sample int
	// Language is the language the sample is judged in.
	Language string
	// Added is set when the sample was received from Request.Feed (before
	// any of its tests ran); AddedTests is its number of tests.
	Added      bool
	AddedTests int
	// Test is set when one of the sample's tests finished.
	Test *TestResult
	// Result is set when the sample finished; it is its last event.
	Result *SampleResult
}

// Submission is a Request accepted by an Engine. Its events are read with
// Next. Cancelling the context it was submitted with drops its tests that
// have not started and kills the running ones; samples interrupted so are
// never reported.
type Submission struct {
	e      *Engine
	req    Request
	ctx    context.Context
	cancel context.CancelFunc
	stop   func() bool // stops the AfterFunc watching the caller's context

	// Guarded by e.mu (fixed once Submit returned unless a feed adds).
	pending  []*sampleState
	unknown  []*benchmarks.Sample
	tests    int
	feedOpen bool // Request.Feed may still bring samples
	// initial and initialTests count the request's own samples.
	initial, initialTests int

	next      int            // first sample not yet started
	queue     jobHeap        // runnable test jobs of started samples
	rebuilds  []*sampleState // started samples whose build waited for an identical one
	active    int            // started samples not yet finished
	cancelled bool
	done      bool
	events    []Event
	cond      *sync.Cond // on e.mu: events appended or done

	// raw, for a submission made by Do, is its one job; rawTaken is set
	// once a worker took it (or it was cancelled first), rawRan once it ran.
	raw              func()
	rawTaken, rawRan bool
}

// Submit accepts a request; its samples run as workers get to them. It
// returns an error only for invalid requests or a closed engine.
func (e *Engine) Submit(ctx context.Context, req Request) (*Submission, error) {
	if req.Benchmark == nil {
		return nil, errors.New("eval: a request needs a benchmark")
	}
	s := &Submission{e: e, req: req}
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.cond = sync.NewCond(&e.mu)
	for _, smp := range req.Samples {
		p, ok := req.Benchmark.Problem(smp.TaskID)
		if !ok {
			s.unknown = append(s.unknown, smp)
			continue
		}
		if req.Skip != nil && req.Skip(smp.TaskID, smp.Index) {
			continue
		}
		s.add(smp, p)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		s.cancel()
		return nil, errors.New("eval: the engine is closed")
	}
	e.waiting.Add(int64(s.tests))
	s.initial, s.initialTests = len(s.pending), s.tests
	s.feedOpen = req.Feed != nil
	if len(s.pending) == 0 && !s.feedOpen {
		s.finishLocked()
		return s, nil
	}
	if s.feedOpen {
		go s.feed()
	}
	e.subs = append(e.subs, s)
	s.stop = context.AfterFunc(ctx, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		s.cancelLocked()
	})
	e.cond.Broadcast()
	return s, nil
}

// add appends a sample of problem p; its tests are counted once, here (a
// problem's reference results may be loaded while it runs).
func (s *Submission) add(smp *benchmarks.Sample, p *benchmarks.Problem) *sampleState {
	st := &sampleState{sub: s, seq: len(s.pending), s: smp, p: p, tests: p.NumTests()}
	s.pending = append(s.pending, st)
	s.tests += st.tests
	return st
}

// feed receives Request.Feed's samples until it is closed or the
// submission ends.
func (s *Submission) feed() {
	e := s.e
	defer func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		s.feedOpen = false
		s.checkDoneLocked()
	}()
	for {
		var smp *benchmarks.Sample
		var ok bool
		select {
		case smp, ok = <-s.req.Feed:
			if !ok {
				return
			}
		case <-s.ctx.Done():
			return
		}
		p, known := s.req.Benchmark.Problem(smp.TaskID)
		e.mu.Lock()
		switch {
		case s.cancelled || s.done:
		case !known:
			s.unknown = append(s.unknown, smp)
		case s.req.Skip != nil && s.req.Skip(smp.TaskID, smp.Index):
		default:
			st := s.add(smp, p)
			e.waiting.Add(int64(st.tests))
			s.emitLocked(Event{Sample: st.seq, Added: true, AddedTests: st.tests})
			e.cond.Broadcast()
		}
		e.mu.Unlock()
	}
}

// Samples are the samples the submission judges (those of known tasks and
// not skipped), in request order, then as the feed brought them; events
// name them by position.
func (s *Submission) Samples() []*benchmarks.Sample {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	out := make([]*benchmarks.Sample, len(s.pending))
	for i, st := range s.pending {
		out[i] = st.s
	}
	return out
}

// Unknown are the samples whose task is not in the benchmark.
func (s *Submission) Unknown() []*benchmarks.Sample {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	return slices.Clone(s.unknown)
}

// Initial counts the request's own samples (not those of its feed) and
// their tests.
func (s *Submission) Initial() (samples, tests int) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	return s.initial, s.initialTests
}

// Tests is the number of tests of the submission's samples (so far, with
// a feed).
func (s *Submission) Tests() int {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	return s.tests
}

// Next returns the next event, waiting for it; ok is false once every
// sample finished (or was interrupted) and every event was returned.
func (s *Submission) Next() (ev Event, ok bool) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	for len(s.events) == 0 && !s.done {
		s.cond.Wait()
	}
	if len(s.events) == 0 {
		return Event{}, false
	}
	ev = s.events[0]
	s.events[0] = Event{}
	s.events = s.events[1:]
	return ev, true
}

// Cancel stops the submission as cancelling its context does.
func (s *Submission) Cancel() {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.cancelLocked()
}

func (s *Submission) emitLocked(ev Event) {
	s.events = append(s.events, ev)
	s.cond.Broadcast()
}

// cancelLocked stops scheduling the submission's jobs, drops its queued
// tests (their samples will not be reported) and kills its running ones.
func (s *Submission) cancelLocked() {
	if s.cancelled || s.done {
		return
	}
	s.cancelled = true
	s.cancel()
	for _, st := range s.pending[s.next:] {
		s.e.waiting.Add(-int64(st.tests))
	}
	for len(s.queue) > 0 {
		j := s.queue.pop()
		j.st.stopped = true
		s.e.waiting.Add(-1)
		s.finishRunLocked(j.st)
	}
	parked := s.rebuilds
	s.rebuilds = nil
	for key, list := range s.e.building {
		kept := list[:0]
		for _, st := range list {
			if st.sub == s {
				parked = append(parked, st)
			} else {
				kept = append(kept, st)
			}
		}
		s.e.building[key] = kept
	}
	for _, st := range parked {
		s.abandonLocked(st)
	}
	if s.raw != nil && !s.rawTaken {
		s.rawTaken = true
		s.active--
	}
	s.checkDoneLocked()
}

// checkDoneLocked ends the submission when no sample is left to run.
func (s *Submission) checkDoneLocked() {
	if s.done || s.active > 0 || (s.next < len(s.pending) && !s.cancelled) || (s.feedOpen && !s.cancelled) {
		return
	}
	s.finishLocked()
}

func (s *Submission) finishLocked() {
	s.done = true
	s.cancel()
	if s.stop != nil {
		s.stop()
	}
	s.cond.Broadcast()
	s.e.cond.Broadcast()
}

// rawJob is the run of a job made by Do.
const rawJob = -2

// job is a sample's build (run == -1), one of its runs, or Do's function
// (run == rawJob).
type job struct {
	sub *Submission
	st  *sampleState
	run int
}

type sampleState struct {
	sub   *Submission
	seq   int
	tests int // the problem's NumTests when the sample was accepted
	s     *benchmarks.Sample
	p     *benchmarks.Problem

	// gen is the builder the sample is built (and its checker run) with.
	gen *builderGen
	// Set by the build job before any run job exists.
	plan *benchmarks.Plan
	prog *runner.Program
	argv []string
	// exec is the sample's build as an Executor knows it.
	exec BuildJob

	// Guarded by Engine.mu.
	results  []*TestResult // by run index; nil until it finishes
	left     int           // runs neither finished nor skipped
	failedAt int           // lowest run index with a definite failure
	cancels  map[int]context.CancelFunc
	stopped  bool // interrupted: never reported
	result   *SampleResult
}

// worker runs jobs until the engine closes.
func (e *Engine) worker() {
	defer e.wg.Done()
	e.mu.Lock()
	for {
		j, ok := e.takeLocked()
		if !ok {
			if e.closed {
				e.mu.Unlock()
				return
			}
			e.cond.Wait()
			continue
		}
		e.mu.Unlock()
		e.do(j)
		e.mu.Lock()
	}
}

// takeLocked takes the next job: the best job of the first submission
// with one, starting after the one served last.
func (e *Engine) takeLocked() (job, bool) {
	var j job
	found := false
	for k := 0; k < len(e.subs) && !found; k++ {
		i := (e.rr + k) % len(e.subs)
		if j, found = e.subs[i].takeLocked(); found {
			e.rr = i + 1
		}
	}
	// Forget finished submissions.
	live := e.subs[:0]
	for i, s := range e.subs {
		if !s.done {
			live = append(live, s)
		} else if i < e.rr {
			e.rr--
		}
	}
	clear(e.subs[len(live):])
	e.subs = live
	if len(e.subs) > 0 {
		e.rr %= len(e.subs)
	} else {
		e.rr = 0
	}
	return j, found
}

// takeLocked removes the submission's best runnable job, skipping runs
// after a sample's first failure under early stop.
func (s *Submission) takeLocked() (job, bool) {
	if s.cancelled || s.done {
		return job{}, false
	}
	if s.raw != nil {
		if s.rawTaken {
			return job{}, false
		}
		s.rawTaken = true
		return job{sub: s, run: rawJob}, true
	}
	for len(s.queue) > 0 {
		j := s.queue.pop()
		s.e.waiting.Add(-1)
		if s.req.EarlyStop && j.run > j.st.failedAt {
			s.finishRunLocked(j.st)
			continue
		}
		return j, true
	}
	if len(s.rebuilds) > 0 {
		st := s.rebuilds[0]
		s.rebuilds = s.rebuilds[1:]
		return job{sub: s, st: st, run: -1}, true
	}
	if s.next >= len(s.pending) {
		return job{}, false
	}
	st := s.pending[s.next]
	s.next++
	s.active++
	s.e.useBuilderLocked(st)
	return job{sub: s, st: st, run: -1}, true
}

func (e *Engine) do(j job) {
	if j.run == rawJob {
		j.sub.raw()
		e.mu.Lock()
		j.sub.rawRan = true
		j.sub.active--
		j.sub.checkDoneLocked()
		e.mu.Unlock()
		return
	}
	if j.run < 0 {
		e.builds.Add(1)
		defer e.builds.Add(-1)
		j.sub.build(j.st)
		return
	}
	e.tests.Add(1)
	defer e.tests.Add(-1)
	j.sub.test(j.st, j.run)
}

// build resolves the toolchain, plans the sample and compiles it.
func (s *Submission) build(st *sampleState) {
	e, ctx, b := s.e, s.ctx, s.req.Benchmark
	builder := st.gen.b
	lang := b.SampleLanguage(st.p, st.s)
	res := &SampleResult{Sample: st.s, Language: lang, TestsTotal: st.tests}
	st.result = res

	tc, err := e.opts.Resolver.Toolchain(lang)
	if err != nil {
		var te *runner.ToolchainError
		if errors.As(err, &te) && !knownLanguage(e.opts.Resolver, lang) {
			s.finishEarly(st, judge.CE, err.Error())
		} else {
			s.finishEarly(st, judge.SE, err.Error())
		}
		return
	}
	plan, err := b.Plan(st.p, st.s, tc.Lang, benchmarks.PlanOptions{
		EarlyStop: s.req.EarlyStop, Sandbox: e.opts.Sandbox, Builder: builder, Resolver: e.opts.Resolver,
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
			s.finishEarly(st, judge.SE, err.Error())
		} else {
			s.finishEarly(st, judge.CE, err.Error())
		}
		return
	}
	// An identical build in progress (same builder, toolchain, command and
	// files): wait for it without a worker, then take it from the cache.
	key := fmt.Sprintf("%p\x00%s", builder, buildKey(tc, plan))
	e.mu.Lock()
	if _, inProgress := e.building[key]; inProgress && !s.cancelled {
		e.building[key] = append(e.building[key], st)
		e.mu.Unlock()
		return
	}
	e.building[key] = nil
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, w := range e.building[key] {
			w.sub.rebuilds = append(w.sub.rebuilds, w)
		}
		delete(e.building, key)
		e.cond.Broadcast()
	}()
	var br *runner.BuildResult
	var node string
	attempts, err := e.retry(ctx, func() error {
		var err error
		if x := e.opts.Executor; x != nil {
			st.exec = BuildJob{Toolchain: tc, Plan: plan, Key: buildKey(tc, plan)}
			br, node, err = x.Build(ctx, st.exec)
			return err
		}
		if plan.Stage {
			br, err = builder.Stage(ctx, tc, plan.Files)
			return err
		}
		release, err := e.admit(ctx, builder.Limits.MemoryBytes)
		if err != nil {
			return err
		}
		defer release()
		br, err = builder.BuildWith(ctx, tc, plan.Files, runner.BuildOptions{Compile: plan.Compile, Env: plan.Env})
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			s.abandon(st)
			return
		}
		s.finishEarly(st, judge.SE, fmt.Sprintf("build failed after %d attempts: %v", attempts, err))
		return
	}
	res.Compile = &CompileResult{OK: br.Program != nil, Message: br.Message, Cached: br.Cached, Ran: len(tc.Lang.Compile) > 0, Status: br.Status, Usage: br.Usage, Node: node}
	if !br.Cached {
		e.mu.Lock()
		e.builtLocked(st.gen)
		e.mu.Unlock()
	}
	if br.Program == nil {
		s.finishEarly(st, judge.CE, br.Message)
		return
	}
	st.plan, st.prog = plan, br.Program
	st.argv = br.Program.Argv
	if plan.Argv != nil {
		st.argv = tc.Expand(plan.Argv, runner.WorkDir)
	}
	n := len(plan.Runs)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.waiting.Add(int64(n - st.tests))
	if s.cancelled {
		e.waiting.Add(-int64(n))
		st.stopped = true
		s.active--
		s.e.releaseBuilderLocked(st)
		s.checkDoneLocked()
		return
	}
	st.results = make([]*TestResult, n)
	st.left = n
	st.failedAt = n
	st.cancels = map[int]context.CancelFunc{}
	for i := range plan.Runs {
		s.queue.push(job{sub: s, st: st, run: i})
	}
	if n == 0 {
		s.finishSampleLocked(st)
	}
	e.cond.Broadcast()
}

// buildKey identifies what a plan builds with a toolchain: language,
// version, whether it is staged, the compile command, the environment and
// the files. Two samples with one key get one build from the Builder.
func buildKey(tc *runner.Toolchain, plan *benchmarks.Plan) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%v\x00", tc.Lang.ID, tc.Version, plan.Stage)
	for _, part := range [][]string{plan.Compile, plan.Env} {
		fmt.Fprintf(h, "%d\x00", len(part))
		for _, a := range part {
			fmt.Fprintf(h, "%d\x00%s", len(a), a)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(plan.Files)) {
		fmt.Fprintf(h, "%d\x00%s\x00%d\x00", len(name), name, len(plan.Files[name]))
		h.Write(plan.Files[name])
	}
	return hex.EncodeToString(h.Sum(nil))
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

// test runs one test of a built sample, judges it and records it.
func (s *Submission) test(st *sampleState, i int) {
	e, ctx := s.e, s.ctx
	// run is the test as planned, lim its limits; first is what runs
	// first, runLim its limits: the same, or extended by the load
	// allowance and held to lim when judged.
	run := st.plan.Runs[i]
	lim := s.req.Benchmark.BaseLimits()
	if run.Limits != nil {
		lim = *run.Limits
	}
	first, runLim := run, lim
	allow := s.loadAllowance()
	if allow > 1 {
		first, runLim = extendRun(run, lim, allow)
	}
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e.mu.Lock()
	st.cancels[i] = cancel
	e.mu.Unlock()

	// alone: the run that was judged had no other test of this engine
	// beside it from start to end.
	r, node, alone, attempts, err := s.runTest(tctx, st, first, runLim)
	tr := &TestResult{Index: i, Attempts: attempts, Group: run.Group, Inputs: run.Inputs, Node: node}
	switch {
	case err != nil && ctx.Err() != nil:
		// Interrupted: the sample will not be reported.
		e.mu.Lock()
		st.stopped = true
		delete(st.cancels, i)
		s.finishRunLocked(st)
		e.mu.Unlock()
		return
	case err != nil && tctx.Err() != nil:
		// Cancelled by early stop: an earlier test failed.
		e.mu.Lock()
		delete(st.cancels, i)
		s.finishRunLocked(st)
		e.mu.Unlock()
		return
	case err != nil:
		tr.Verdict, tr.Message = judge.SE, fmt.Sprintf("sandbox failed after %d attempts: %v", attempts, err)
	default:
		var o benchmarks.Outcome
		// past: the run was stopped at the limits it ran under, extended
		// by the load allowance.
		past := false
		if allow > 1 {
			r, o, past = judgeExtended(tctx, first, r, lim)
		} else {
			o = judgeRun(tctx, run, r)
		}
		if o.Verdict == judge.TLE && s.req.ConfirmTLE > 0 && confirmable(run, r, lim) {
			switch {
			case alone:
				// It ran as a confirmation runs, alone: it confirms itself.
				tr.Confirmation = &TLEConfirmation{FirstCPU: r.Usage.CPUTime, CPU: r.Usage.CPUTime, Alone: true}
			case past:
				tr.Confirmation = &TLEConfirmation{FirstCPU: r.Usage.CPUTime, CPU: r.Usage.CPUTime, PastAllowance: true}
			case run.Part != nil && o.Input >= 0 && o.Input < run.Inputs:
				r, o, tr.Confirmation = s.confirmInputs(tctx, st, run, lim, r, o, allow)
			default:
				if cr, co, c, ok := s.confirmTLE(tctx, st, run, lim, r); ok {
					tr.Confirmation = c
					if c.Overturned {
						r, o = cr, co
					}
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
		if s.req.KeepOutput {
			tr.Output = &Output{Stdout: r.Stdout, Stderr: r.Stderr, Note: r.Note, Files: r.Files}
		}
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	s.emitLocked(Event{Sample: st.seq, Language: st.result.Language, Test: tr})
	delete(st.cancels, i)
	st.results[i] = tr
	if s.req.EarlyStop && tr.Verdict.Definite() && !tr.Verdict.Passed() && i < st.failedAt {
		st.failedAt = i
		for j, c := range st.cancels {
			if j > i {
				c()
			}
		}
	}
	s.finishRunLocked(st)
}

// runTest runs x, a test's run or part of it, under lim as a test: beside
// other tests (never beside a TLE confirmation), its memory admitted,
// retried after system errors. alone says no other test ran meanwhile.
func (s *Submission) runTest(ctx context.Context, st *sampleState, x benchmarks.Run, lim runner.Limits) (r *runner.Result, node string, alone bool, attempts int, err error) {
	e := s.e
	spec := s.spec(st, x, lim)
	if s.req.KeepOutput {
		// Fetched files are not judged: read them only to return them.
		spec.Fetch = x.Fetch
	}
	attempts, err = e.retry(ctx, func() error {
		if ex := e.opts.Executor; ex != nil {
			var err error
			j := RunJob{Build: st.exec, Stdin: x.Stdin, Limits: lim}
			if x.Watch != nil {
				j.Watch = x.Watch()
			}
			alone = e.asTest(func() { r, node, err = ex.Run(ctx, j) })
			return err
		}
		release, err := e.admit(ctx, lim.MemoryBytes)
		if err != nil {
			return err
		}
		defer release()
		if x.Watch != nil {
			spec.Watch = x.Watch()
		}
		alone = e.asTest(func() { r, err = e.opts.Sandbox.Run(ctx, spec) })
		return err
	})
	return r, node, alone, attempts, err
}

// spec is the sandbox's spec of x, a run of st's program, under lim.
func (s *Submission) spec(st *sampleState, x benchmarks.Run, lim runner.Limits) *runner.Spec {
	return &runner.Spec{
		Args:   st.argv,
		Env:    st.prog.Env,
		Dir:    runner.WorkDir,
		Mounts: st.prog.Mounts,
		Stdin:  x.Stdin,
		Limits: lim,
	}
}

// admit waits until a run with the given memory limit fits in the memory
// budget and returns the function that gives it back.
func (e *Engine) admit(ctx context.Context, limit int64) (func(), error) {
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
func (e *Engine) retry(ctx context.Context, f func() error) (int, error) {
	return retry(ctx, e.opts.Retries, e.opts.Logger, f)
}

// retry calls f until it succeeds, ctx ends, or 1+retries attempts failed.
func retry(ctx context.Context, retries int, log *slog.Logger, f func() error) (int, error) {
	var err error
	for attempt := 1; ; attempt++ {
		if err = f(); err == nil {
			return attempt, nil
		}
		if ctx.Err() != nil || attempt > retries {
			return attempt, err
		}
		log.Warn("system error, retrying", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return attempt, err
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
}

// finishEarly ends a sample that never ran a test.
func (s *Submission) finishEarly(st *sampleState, v judge.Verdict, msg string) {
	st.result.Verdict, st.result.Message = v, msg
	if st.p.Kind == benchmarks.KindFunction && v.Definite() {
		base := false
		st.result.BasePassed = &base
		st.result.GroupPassed = map[string]bool{}
		for _, g := range st.p.Groups {
			st.result.GroupPassed[g.Name] = false
		}
	}
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.e.waiting.Add(-int64(st.tests))
	s.finishSampleLocked(st)
}

// abandon drops a sample interrupted before it ran.
func (s *Submission) abandon(st *sampleState) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	s.abandonLocked(st)
	s.checkDoneLocked()
}

func (s *Submission) abandonLocked(st *sampleState) {
	s.e.waiting.Add(-int64(st.tests))
	st.stopped = true
	s.active--
	s.e.releaseBuilderLocked(st)
}

// finishRunLocked counts a finished or skipped run and finishes the sample
// after its last one.
func (s *Submission) finishRunLocked(st *sampleState) {
	st.left--
	if st.left > 0 {
		return
	}
	if st.stopped {
		s.active--
		s.e.releaseBuilderLocked(st)
		s.checkDoneLocked()
		return
	}
	s.decide(st)
	s.finishSampleLocked(st)
}

// decide sets the sample's verdict from its tests: the first definite
// failure in test order; else SE if a test had a system error; else AC.
// Under early stop only the tests up to the first failure are kept, so the
// report does not depend on how far later tests got.
func (s *Submission) decide(st *sampleState) {
	res := st.result
	limit := len(st.results)
	if s.req.EarlyStop && st.failedAt < limit {
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
	decideBase(st, limit)
}

// decideBase sets GroupPassed and BasePassed for samples whose runs cover
// input groups: a group passed when every run covering it says so, failed
// when one says it failed; it is left out when unknown (a run was skipped
// or had a system error). Only the first limit runs count: under early
// stop, how far the runs after the first failure got depends on timing.
func decideBase(st *sampleState, limit int) {
	passed, unknown := map[string]bool{}, map[string]bool{}
	any := false
	for i, run := range st.plan.Runs[:limit] {
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

// finishSampleLocked reports a finished sample.
func (s *Submission) finishSampleLocked(st *sampleState) {
	s.active--
	s.e.releaseBuilderLocked(st)
	s.emitLocked(Event{Sample: st.seq, Language: st.result.Language, Result: st.result})
	s.checkDoneLocked()
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
	old[n] = job{}
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

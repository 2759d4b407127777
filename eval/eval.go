// Package eval runs a benchmark's samples: it builds each sample once, runs
// every test as a fresh sandboxed process through one bounded scheduler at
// test-case granularity, judges each run, and assembles the report.
//
// The scheduler is an Engine: long-lived, shared by any number of
// submissions (the server's requests), fair between them. Run is one
// evaluation on an engine of its own (the command line).
package eval

import (
	"context"
	"errors"
	"log/slog"
	"time"

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
	// LoadAllowance, when above 1 (and ConfirmTLE positive), extends the
	// time limits of a test's first run by this factor when other tests may
	// run beside it; the run is judged against its own limits, and a TLE
	// that went past the allowance is not confirmed (see
	// TLEConfirmation.PastAllowance).
	LoadAllowance float64
	// Skip, when set, leaves out samples that are already judged (a
	// resumed run); they are neither run nor returned.
	Skip func(taskID string, index int) bool
	// Feed, when set, brings more samples while Run runs (samples a model
	// is generating): each is scheduled as soon as it is received, after
	// those already waiting, exactly as if it had been in Samples, and
	// Run returns only once Feed is closed and every sample is judged (or
	// ctx ends). An Observer that is a FeedObserver hears of them.
	Feed <-chan *benchmarks.Sample
	// Executor, when set, builds and runs the samples' tests elsewhere
	// (serve nodes; see EngineOptions.Executor).
	Executor Executor
	Logger   *slog.Logger
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
	// Confirmations counts the TLEs confirmed by running alone, Overturned
	// those found cut short by load, ConfirmCPU the CPU time of the runs
	// alone.
	Confirmations, Overturned int
	ConfirmCPU                time.Duration
	// ConfirmedAlone counts the TLEs not run again because their run had
	// the engine to itself (TLEConfirmation.Alone), PastAllowance those
	// stopped past the load allowance (TLEConfirmation.PastAllowance).
	ConfirmedAlone, PastAllowance int
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
	Ran bool
	// Status says how the compile step ended (for a failed one: exited
	// with an error, or stopped by a limit).
	Status runner.Status
	Usage  runner.Usage
	// Node names the serve node that built it (an Executor's); empty
	// for a local build.
	Node string
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
	// Output is the run's whole output, kept when the request asked
	// (Request.KeepOutput); nil otherwise.
	Output *Output
	// Confirmation records the confirmation of a TLE (nil: none).
	Confirmation *TLEConfirmation
	// Case is a failed test's input, expected and actual output, cut to
	// CaseBytes each; nil when the judge had none to give, and in a
	// sample's result for every test but the deciding one.
	Case *report.Case
	// Node names the serve node that ran it (an Executor's); empty for a
	// local run.
	Node string
}

// Output is what a run wrote, as far as the sandbox kept it.
type Output struct {
	Stdout, Stderr []byte
	// Note explains a non-obvious end of the run (runner.Result.Note).
	Note string
	// Files are the files the test fetched (benchmarks.Test.FetchFiles)
	// that were found.
	Files []runner.FetchedFile
}

// Run evaluates opts.Samples on an engine of its own. It returns an error
// only for invalid options; failures of the machinery become SE verdicts.
// When ctx is cancelled it stops scheduling, kills running sandboxes and
// returns what finished, with Interrupted set.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Benchmark == nil || opts.Sandbox == nil || opts.Resolver == nil || opts.Builder == nil {
		return nil, errors.New("eval: benchmark, sandbox, resolver and builder are required")
	}
	e, err := NewEngine(EngineOptions{
		Sandbox: opts.Sandbox, Resolver: opts.Resolver, Builder: opts.Builder, Jobs: opts.Jobs,
		Retries: opts.Retries, MemoryBudgetBytes: opts.MemoryBudgetBytes, Logger: opts.Logger, Executor: opts.Executor,
	})
	if err != nil {
		return nil, err
	}
	defer e.Close()
	res := &Result{Started: time.Now()}
	sub, err := e.Submit(ctx, Request{Benchmark: opts.Benchmark, Samples: opts.Samples, EarlyStop: opts.EarlyStop, Skip: opts.Skip, Feed: opts.Feed, ConfirmTLE: opts.ConfirmTLE, LoadAllowance: opts.LoadAllowance})
	if err != nil {
		return nil, err
	}
	if opts.Observer != nil {
		opts.Observer.Started(sub.Initial())
	}
	done := map[int]*SampleResult{}
	for {
		ev, ok := sub.Next()
		if !ok {
			break
		}
		if ev.Added {
			if fo, ok := opts.Observer.(FeedObserver); ok {
				fo.Added(1, ev.AddedTests)
			}
			continue
		}
		if ev.Test != nil {
			if c := ev.Test.Confirmation; c != nil {
				switch {
				case c.Alone:
					res.ConfirmedAlone++
				case c.PastAllowance && c.Runs == 0:
					res.PastAllowance++
				}
				if c.Runs > 0 {
					res.Confirmations++
					res.ConfirmCPU += c.CPU
					if c.Overturned {
						res.Overturned++
					}
				}
			}
			res.TestsRun++
			if opts.Observer != nil {
				opts.Observer.TestDone(ev.Test.Verdict)
			}
			continue
		}
		done[ev.Sample] = ev.Result
		if opts.Observer != nil {
			opts.Observer.SampleDone(ev.Result)
		}
	}
	n := len(sub.Samples())
	for seq := range n {
		if r := done[seq]; r != nil {
			res.Samples = append(res.Samples, r)
		}
	}
	res.Unknown = sub.Unknown()
	res.Interrupted = ctx.Err() != nil && len(res.Samples) < n
	res.Wall = time.Since(res.Started)
	return res, nil
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

// staged runs the staged Python scripts of PrepareReference and Sanitize.
type staged struct{ opts Options }

func (h staged) retry(ctx context.Context, f func() error) (int, error) {
	log := h.opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return retry(ctx, h.opts.Retries, log, f)
}

func (h staged) limits() runner.Limits { return h.opts.Benchmark.BaseLimits() }

// runStaged runs the Python script of a staged program (the reference
// recorder, the sanitizer) in the sandbox, retried after system errors.
func (h staged) runStaged(ctx context.Context, tc *runner.Toolchain, prog *runner.Program, script string, stdin []byte, lim runner.Limits) (*runner.Result, error) {
	spec := &runner.Spec{
		Args:   tc.Expand([]string{"{python}", "-I", runner.WorkDir + "/" + script}, runner.WorkDir),
		Env:    prog.Env,
		Dir:    runner.WorkDir,
		Mounts: prog.Mounts,
		Stdin:  stdin,
		Limits: lim,
	}
	var r *runner.Result
	_, err := h.retry(ctx, func() error {
		var err error
		r, err = h.opts.Sandbox.Run(ctx, spec)
		return err
	})
	return r, err
}

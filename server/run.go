package server

import (
	"context"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/judge"
)

// outcome is what a request's submission produced.
type outcome struct {
	samples []*benchmarks.Sample
	// results holds each sample's result by position; nil for a sample
	// that did not finish (the request was cancelled or timed out).
	results []*eval.SampleResult
	// tests holds the tests that finished, by sample and run index, as
	// their events came (a sample that did not finish has some).
	tests [][]*eval.TestResult
	// language is each sample's language, once its build started.
	language []string
}

// run admits the request's tests, submits it to the engine and gathers
// its events until every sample finished or ctx ended (a client that went
// away, a total timeout): the submission is then cancelled, its sandboxes
// killed. onResult, when set, is called as each sample finishes.
func (s *Server) run(ctx context.Context, rc *reqCtx, req eval.Request, onResult func(i int, r *eval.SampleResult)) (*outcome, *apiError) {
	n := 0
	for _, smp := range req.Samples {
		if p, ok := req.Benchmark.Problem(smp.TaskID); ok {
			n += p.NumTests()
		}
	}
	rc.tests = n
	release, aerr := s.admit(n)
	if aerr != nil {
		return nil, aerr
	}
	defer release(n)
	sub, err := s.cfg.Engine.Submit(ctx, req)
	if err != nil {
		return nil, &apiError{Status: 503, RetryAfter: 1, Msg: "the server is shutting down: " + err.Error()}
	}
	out := &outcome{samples: sub.Samples()}
	k := len(out.samples)
	out.results = make([]*eval.SampleResult, k)
	out.tests = make([][]*eval.TestResult, k)
	out.language = make([]string, k)
	for {
		ev, ok := sub.Next()
		if !ok {
			break
		}
		if ev.Added {
			continue // no feed here
		}
		out.language[ev.Sample] = ev.Language
		if t := ev.Test; t != nil {
			release(max(t.Inputs, 1))
			out.tests[ev.Sample] = append(out.tests[ev.Sample], t)
			s.metrics.test(ev.Language, t)
			s.stats.test(ev.Language, t.Verdict)
			continue
		}
		r := ev.Result
		out.results[ev.Sample] = r
		s.metrics.sample(ev.Language, r)
		rc.verdict(string(r.Verdict))
		if onResult != nil {
			onResult(ev.Sample, r)
		}
	}
	return out, nil
}

// inlineConfig is the configuration of a benchmark made of a request's
// own tests.
func (s *Server) inlineConfig(name, language string, cpu time.Duration, memory int64, comparator string, tol judge.ComparatorOptions, earlyStop bool) *benchmarks.Config {
	l := s.cfg.Limits
	if cpu <= 0 {
		cpu = l.CPUTime
	}
	if memory <= 0 {
		memory = l.MemoryBytes
	}
	es := benchmarks.EarlyStopNever
	if earlyStop {
		es = benchmarks.EarlyStopFirstFailure
	}
	return &benchmarks.Config{
		Name: name, Version: "inline", Format: "scalebox", Language: language, Origin: "request",
		Limits: benchmarks.LimitsConfig{
			CPUTime:   benchmarks.Duration(cpu),
			WallTime:  benchmarks.Duration(wallFor(cpu)),
			Memory:    benchmarks.ByteSize(memory),
			Output:    benchmarks.ByteSize(l.OutputBytes),
			FileSize:  benchmarks.ByteSize(l.FileSizeBytes),
			Processes: l.Processes,
			Tmpfs:     benchmarks.ByteSize(l.TmpfsBytes),
		},
		Judge: benchmarks.JudgeConfig{Comparator: comparator, AbsTol: tol.AbsTol, RelTol: tol.RelTol},
		Eval:  benchmarks.EvalConfig{EarlyStop: es, K: []int{1}},
		// Function problems (ScaleBox's function_call) take the test's
		// time limit per call.
		Function: benchmarks.FunctionConfig{Groups: []string{"base"}, MinTimeLimit: benchmarks.Duration(cpu), TimeLimitFactor: 1, TotalTimeLimit: benchmarks.Duration(cpu), ChunkSize: 1000},
	}
}

// wallFor is the wall-clock cap of a test with the given CPU time limit:
// the command line's rule (3 × CPU + 2 s), at most CPU + 20 s. Verdicts
// are judged on CPU time, so that load cannot turn a correct program into
// a TLE; the cap only ends programs that sleep or block, and the bound
// keeps it near the time clients wait (verl: compile + run + 10 s).
func wallFor(cpu time.Duration) time.Duration {
	return min(3*cpu+2*time.Second, cpu+20*time.Second)
}

package eval

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

func newEngine(t *testing.T, opts Options) *Engine {
	t.Helper()
	e, err := NewEngine(EngineOptions{Sandbox: opts.Sandbox, Resolver: opts.Resolver, Builder: opts.Builder, Jobs: opts.Jobs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// drain reads a submission's events to its end.
func drain(s *Submission) (tests int, results []*SampleResult) {
	for {
		ev, ok := s.Next()
		if !ok {
			return tests, results
		}
		if ev.Test != nil {
			tests++
		} else {
			results = append(results, ev.Result)
		}
	}
}

// runLog wraps the real sandbox and records the stdin of each run, in the
// order the runs start.
type runLog struct {
	runner.Sandbox
	mu    sync.Mutex
	stdin []string
}

func (l *runLog) Run(ctx context.Context, s *runner.Spec) (*runner.Result, error) {
	l.mu.Lock()
	l.stdin = append(l.stdin, string(s.Stdin))
	l.mu.Unlock()
	return l.Sandbox.Run(ctx, s)
}

// TestEngineFairness: a submission of one test, sent while another of many
// tests runs, is served in turn, not after all of the other's tests.
func TestEngineFairness(t *testing.T) {
	sb := &runLog{Sandbox: needSandbox(t)}
	var tests []string
	for i := range 30 {
		tests = append(tests, fmt.Sprintf(`{"input": "%d\n", "output": "%d\n"}`, i, i))
	}
	b := newBench(t, "", `{"task_id": "many", "kind": "stdio", "tests": [`+strings.Join(tests, ",")+`]}`,
		`{"task_id": "one", "kind": "stdio", "tests": [{"input": "small\n", "output": "small\n"}]}`)
	opts := options(t, sb, b, nil)
	opts.Jobs = 1
	e := newEngine(t, opts)
	big, err := e.Submit(context.Background(), Request{Benchmark: b, Samples: samples(t, `{"task_id": "many", "solution": "print(input())"}`), EarlyStop: true})
	if err != nil {
		t.Fatal(err)
	}
	if ev, ok := big.Next(); !ok || ev.Test == nil {
		t.Fatalf("first event %+v, %v: want a test", ev, ok)
	}
	sb.mu.Lock()
	before := len(sb.stdin)
	sb.mu.Unlock()
	small, err := e.Submit(context.Background(), Request{Benchmark: b, Samples: samples(t, `{"task_id": "one", "solution": "print(input())"}`)})
	if err != nil {
		t.Fatal(err)
	}
	_, res := drain(small)
	if len(res) != 1 || res[0].Verdict != judge.AC {
		t.Fatalf("small submission: %+v", res)
	}
	_, bigRes := drain(big)
	if len(bigRes) != 1 || bigRes[0].Verdict != judge.AC || len(bigRes[0].Tests) != 30 {
		t.Fatalf("big submission: %+v", bigRes)
	}
	// Runs of the big submission that started after the small one was
	// submitted and before its test: one per turn (its build and its test
	// are two turns), give or take the run in progress.
	at := slices.Index(sb.stdin, "small\n")
	if at < 0 || at-before > 4 {
		t.Errorf("the small submission's test was run %d of %d runs after it was submitted", at-before, len(sb.stdin)-before)
	}
	// The worker may still be returning from the last job.
	for i := 0; i < 100 && e.Load().Tests+e.Load().Builds > 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if l := e.Load(); l != (Load{}) {
		t.Errorf("load after both finished: %+v", l)
	}
}

// TestEngineCancelAndSharedCache: cancelling one submission kills its
// tests and leaves the others alone; the same program sent by two
// submissions is compiled once.
func TestEngineCancelAndSharedCache(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "[limits]\ncpu_time = \"20s\"\n", fiveTests, `{"task_id": "one", "kind": "stdio", "tests": [{"input": "", "output": "1\n"}]}`)
	opts := options(t, sb, b, nil)
	opts.Jobs = 2
	e := newEngine(t, opts)

	// One test: it holds one of the two workers until cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	slow, err := e.Submit(ctx, Request{Benchmark: b, Samples: samples(t, `{"task_id": "one", "solution": "while True: pass"}`), EarlyStop: true})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([][]*SampleResult, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := e.Submit(context.Background(), Request{Benchmark: b, Samples: samples(t, `{"task_id": "echo", "solution": "print(input())"}`)})
			if err != nil {
				t.Error(err)
				return
			}
			_, results[i] = drain(s)
		}()
	}
	wg.Wait()
	for i, r := range results {
		if len(r) != 1 || r[0].Verdict != judge.AC {
			t.Errorf("submission %d: %+v", i, r)
		}
	}
	if got := []bool{results[0][0].Compile.Cached, results[1][0].Compile.Cached}; got[0] == got[1] {
		t.Errorf("cached flags %v: one of the two identical programs must reuse the other's build", got)
	}
	start := time.Now()
	cancel()
	tests, res := drain(slow)
	if len(res) != 0 || tests != 0 {
		t.Errorf("cancelled submission reported %d tests and %d samples", tests, len(res))
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("cancel took %v", el)
	}
	if l := e.Load(); l.Waiting != 0 {
		t.Errorf("waiting tests after cancel: %+v", l)
	}
}

// TestEngineRotatesBuilders: after MaxBuilds new builds the engine builds
// with a fresh builder and removes the retired one once its samples end,
// so that a server does not keep every program it ever built.
func TestEngineRotatesBuilders(t *testing.T) {
	sb := needSandbox(t)
	// The sandbox's user must reach the builds: not under t.TempDir (0700).
	tmp, err := os.MkdirTemp("", "scalebox-rotate-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(tmp, 0o711)
	t.Cleanup(func() { os.RemoveAll(tmp) })
	t.Setenv("TMPDIR", tmp)
	b := newBench(t, "", fiveTests)
	opts := options(t, sb, b, nil)
	e, err := NewEngine(EngineOptions{Sandbox: sb, Resolver: opts.Resolver, Builder: opts.Builder, Jobs: 2, MaxBuilds: 2,
		NewBuilder: func() (*runner.Builder, error) { return runner.NewBuilder(sb, 0, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	first := e.Builder()
	var lines []string
	for i := range 7 {
		lines = append(lines, fmt.Sprintf(`{"task_id": "echo", "solution": "# %d\nprint(input())"}`, i))
	}
	sub, err := e.Submit(context.Background(), Request{Benchmark: b, Samples: samples(t, lines...)})
	if err != nil {
		t.Fatal(err)
	}
	_, res := drain(sub)
	for _, r := range res {
		if r.Verdict != judge.AC {
			t.Errorf("sample %d: %s %s", r.Sample.Index, r.Verdict, r.Message)
		}
	}
	if len(res) != 7 || e.Builder() == first {
		t.Errorf("%d results; builder rotated: %v", len(res), e.Builder() != first)
	}
	// The retired builders are removed once their samples ended: left are
	// the first (the caller's) and the current one.
	var dirs []string
	for i := 0; i < 100; i++ {
		dirs, _ = filepath.Glob(filepath.Join(tmp, "scalebox-build-*"))
		if len(dirs) <= 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(dirs) != 2 {
		t.Errorf("%d build directories left, want 2: %v", len(dirs), dirs)
	}
	e.Close()
	if dirs, _ = filepath.Glob(filepath.Join(tmp, "scalebox-build-*")); len(dirs) != 1 {
		t.Errorf("after Close, %d build directories left, want the caller's: %v", len(dirs), dirs)
	}
}

// gated wraps the real sandbox and holds every run whose command names
// main.cpp (a C++ sample's compile) until open is closed.
type gated struct {
	runner.Sandbox
	open chan struct{}
}

func (g *gated) Run(ctx context.Context, s *runner.Spec) (*runner.Result, error) {
	if slices.ContainsFunc(s.Args, func(a string) bool { return strings.Contains(a, "main.cpp") }) {
		select {
		case <-g.open:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return g.Sandbox.Run(ctx, s)
}

// TestEngineIdenticalBuildsWaitWithoutAWorker: verl sends a program once
// per test case, all at once; while it compiles for one request, the
// others wait for that build without holding a worker, so that other
// work goes on.
func TestEngineIdenticalBuildsWaitWithoutAWorker(t *testing.T) {
	sb := &gated{Sandbox: needSandbox(t), open: make(chan struct{})}
	b := newBench(t, "", fiveTests)
	opts := options(t, sb, b, nil)
	opts.Jobs = 2
	e := newEngine(t, opts)
	cpp := `{"task_id": "echo", "language": "cpp", "solution": "#include <iostream>\n#include <string>\nint main(){std::string s; std::cin >> s; std::cout << s << std::endl;}"}`
	var subs []*Submission
	for range 4 {
		sub, err := e.Submit(context.Background(), Request{Benchmark: b, Samples: samples(t, cpp)})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	py, err := e.Submit(context.Background(), Request{Benchmark: b, Samples: samples(t, `{"task_id": "echo", "solution": "print(input())"}`)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []*SampleResult)
	go func() { _, r := drain(py); done <- r }()
	select {
	case r := <-done:
		if len(r) != 1 || r[0].Verdict != judge.AC {
			t.Errorf("python sample: %+v", r)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the Python sample waited for the C++ compile: the other worker was held by an identical build")
	}
	close(sb.open)
	cached := 0
	for _, sub := range subs {
		_, r := drain(sub)
		if len(r) != 1 || r[0].Verdict != judge.AC {
			t.Fatalf("C++ sample: %+v", r)
		}
		if r[0].Compile.Cached {
			cached++
		}
	}
	if cached != 3 {
		t.Errorf("%d of 4 identical C++ samples reused the build, want 3", cached)
	}
}

// addCounter is a FeedObserver that counts what it hears.
type addCounter struct {
	started, added, addedTests, done int
}

func (c *addCounter) Started(samples, _ int)   { c.started = samples }
func (c *addCounter) TestDone(judge.Verdict)   {}
func (c *addCounter) SampleDone(*SampleResult) { c.done++ }
func (c *addCounter) Added(samples, tests int) { c.added += samples; c.addedTests += tests }

// TestRunFeed: samples fed while Run runs are judged as if they had been
// given at the start; one of an unknown task is reported as such.
func TestRunFeed(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", fiveTests)
	opts := options(t, sb, b, samples(t, `{"task_id": "echo", "solution": "print(input())"}`))
	feed := make(chan *benchmarks.Sample)
	opts.Feed = feed
	obs := &addCounter{}
	opts.Observer = obs
	go func() {
		defer close(feed)
		for _, line := range []string{`{"task_id": "echo", "solution": "# 2\nprint(input())"}`, `{"task_id": "nope", "solution": "x"}`, echoFailing13} {
			feed <- samples(t, line)[0]
			time.Sleep(50 * time.Millisecond)
		}
	}()
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Samples {
		got = append(got, string(r.Verdict))
	}
	if !slices.Equal(got, []string{"AC", "AC", "WA"}) || len(res.Unknown) != 1 || res.Interrupted {
		t.Errorf("verdicts %v, %d unknown, interrupted %v", got, len(res.Unknown), res.Interrupted)
	}
	if obs.started != 1 || obs.added != 2 || obs.addedTests != 10 || obs.done != 3 {
		t.Errorf("observer heard %+v", obs)
	}
}

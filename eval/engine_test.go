package eval

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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

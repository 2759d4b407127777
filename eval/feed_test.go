package eval

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
)

// feedObserver records what Run tells an Observer, with the time samples
// were added and finished.
type feedObserver struct {
	mu       sync.Mutex
	started  int
	added    int
	finished []*SampleResult
	at       map[string]time.Time
}

func (o *feedObserver) Started(samples, _ int) { o.started = samples }
func (o *feedObserver) TestDone(judge.Verdict) {}
func (o *feedObserver) Added(samples, _ int)   { o.added += samples }
func (o *feedObserver) SampleDone(r *SampleResult) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finished = append(o.finished, r)
	o.at[r.Sample.TaskID] = time.Now()
}

// TestFeed: samples received while Run runs are judged as they come,
// before the feed is closed, with the verdicts a plain run gives; unknown
// and skipped ones are handled as in Samples.
func TestFeed(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", `{"task_id": "echo", "kind": "stdio", "tests": [{"input": "a\n", "output": "a\n"}, {"input": "b\n", "output": "b\n"}]}`)
	ss := samples(t,
		`{"task_id": "echo", "solution": "print(input())"}`,
		`{"task_id": "echo", "solution": "print('a')"}`,
		`{"task_id": "nope", "solution": "print(1)"}`,
		`{"task_id": "echo", "solution": "print(input())"}`,
	)
	feed := make(chan *benchmarks.Sample)
	opts := options(t, sb, b, ss[:1])
	opts.Samples = ss[:1]
	opts.Feed = feed
	opts.Skip = func(_ string, index int) bool { return index == 2 }
	obs := &feedObserver{at: map[string]time.Time{}}
	opts.Observer = obs
	var closed time.Time
	go func() {
		for _, s := range ss[1:] {
			time.Sleep(50 * time.Millisecond)
			feed <- s
		}
		// Keep the feed open until the fed sample is judged: Run must
		// judge it without waiting for the end of the feed.
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			obs.mu.Lock()
			n := len(obs.finished)
			obs.mu.Unlock()
			if n == 2 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		closed = time.Now()
		close(feed)
	}()
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Samples) != 2 || res.Samples[0].Verdict != judge.AC || res.Samples[1].Verdict != judge.WA {
		for _, r := range res.Samples {
			t.Logf("%s#%d %s %s", r.Sample.TaskID, r.Sample.Index, r.Verdict, r.Message)
		}
		t.Fatalf("%d samples", len(res.Samples))
	}
	if len(res.Unknown) != 1 || res.Unknown[0].TaskID != "nope" {
		t.Errorf("unknown %v", res.Unknown)
	}
	if obs.started != 1 || obs.added != 1 || len(obs.finished) != 2 {
		t.Errorf("observer: started %d, added %d, finished %d", obs.started, obs.added, len(obs.finished))
	}
	if !obs.at["echo"].Before(closed) {
		t.Errorf("the fed sample was judged only after the feed closed")
	}
}

// TestFeedCancelled: cancelling stops Run while the feed is still open.
func TestFeedCancelled(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", `{"task_id": "echo", "kind": "stdio", "tests": [{"input": "a\n", "output": "a\n"}]}`)
	opts := options(t, sb, b, nil)
	feed := make(chan *benchmarks.Sample)
	opts.Feed = feed
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		feed <- samples(t, `{"task_id": "echo", "solution": "print(input())"}`)[0]
		cancel()
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := Run(ctx, opts); err != nil && !strings.Contains(err.Error(), "cancel") {
			t.Error(err)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancellation with the feed open")
	}
}

package eval

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestEngineDo: Do's functions take the engine's workers (no more run at
// once than Jobs), return their errors, and one cancelled while it waits
// never runs.
func TestEngineDo(t *testing.T) {
	sb := needSandbox(t)
	b := newBench(t, "", fiveTests)
	opts := options(t, sb, b, nil)
	opts.Jobs = 2
	e := newEngine(t, opts)

	var running, most atomic.Int32
	done := make(chan error, 6)
	for range 6 {
		go func() {
			done <- e.Do(context.Background(), 0, func(ctx context.Context) error {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(20 * time.Millisecond)
				running.Add(-1)
				return nil
			})
		}()
	}
	for range 6 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if m := most.Load(); m < 1 || m > 2 {
		t.Errorf("%d functions ran at once with 2 jobs", m)
	}
	want := errors.New("broken")
	if err := e.Do(context.Background(), 0, func(context.Context) error { return want }); err != want {
		t.Errorf("Do returned %v, want f's error", err)
	}

	// Both workers held: a third Do waits, and its cancellation ends it
	// without running f.
	release := make(chan struct{})
	held := make(chan struct{}, 2)
	for range 2 {
		go e.Do(context.Background(), 0, func(context.Context) error { held <- struct{}{}; <-release; return nil })
	}
	<-held
	<-held
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	err := e.Do(ctx, 0, func(context.Context) error { ran = true; return nil })
	close(release)
	if ran || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while waiting: ran %v, err %v", ran, err)
	}
}

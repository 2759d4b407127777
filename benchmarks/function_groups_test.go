package benchmarks

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// TestWatchedChunkGroupsDoNotDependOnTiming: a run its watcher stops at
// the first failure reports the later groups as far as it got before the
// stop landed; the groups judged must be the same however far that was.
func TestWatchedChunkGroupsDoNotDependOnTiming(t *testing.T) {
	ref := []RefResult{{}, {Err: "not judged"}}
	base := &InputGroup{Name: "base", Inputs: []json.RawMessage{[]byte("[1]"), []byte("[2]")}, Reference: ref}
	plus := &InputGroup{Name: "plus", Inputs: []json.RawMessage{[]byte("[3]"), []byte("[4]")}, Reference: []RefResult{{Err: "x"}, {Err: "x"}}}
	refs := []inputRef{{base, 0}, {base, 1}, {plus, 0}, {plus, 1}}
	const marker = "scalebox-done-t"
	head := "{\"ready\": true}\n{\"i\": 0, \"error\": \"boom\"}\n"
	stopped := &runner.Result{Status: runner.StatusStopped, Stdout: []byte(head + "{\"i\": 1, \"out\": 1}\n{\"i\": 2, \"ou")}
	finished := &runner.Result{Status: runner.StatusExited, Stdout: []byte(head + "{\"i\": 1, \"out\": 1}\n{\"i\": 2, \"out\": 1}\n{\"i\": 3, \"out\": 1}\n" + marker + "\n")}
	check := judge.EvalplusCheck{EntryPoint: "f"}
	watched := func() []bool { return []bool{false, true, true, true} }

	a, _ := judgeChunk(stopped, marker, refs, check, watched(), nil)
	b, _ := judgeChunk(finished, marker, refs, check, watched(), nil)
	want := map[string]bool{"base": false}
	for _, o := range []Outcome{a, b} {
		if o.Verdict != judge.RE || !maps.Equal(o.Groups, want) {
			t.Errorf("watched: verdict %s groups %v, want RE %v", o.Verdict, o.Groups, want)
		}
	}
	// Without a watcher the run goes to its end: every group is decided.
	c, _ := judgeChunk(finished, marker, refs, check, nil, nil)
	if want := map[string]bool{"base": false, "plus": true}; c.Verdict != judge.RE || !maps.Equal(c.Groups, want) {
		t.Errorf("unwatched: verdict %s groups %v, want RE %v", c.Verdict, c.Groups, want)
	}
}

// TestChunksByReferenceCPU: chunks end at the size, or before the
// reference's CPU time on them passes the budget, with one input at least.
func TestChunksByReferenceCPU(t *testing.T) {
	cpu := []float64{0.5, 0.5, 0.5, 3, 0.1, 0.1, 0.1, 0.1, 0.1}
	g := &InputGroup{Name: "base"}
	var all []inputRef
	for i, c := range cpu {
		g.Inputs = append(g.Inputs, json.RawMessage("[1]"))
		g.Reference = append(g.Reference, RefResult{CPU: c})
		all = append(all, inputRef{g, i})
	}
	chunks := func(size int, budget float64) []int {
		var ends []int
		for start, end := 0, 0; start < len(all); start = end {
			end = chunkEnd(all, start, size, budget)
			ends = append(ends, end)
		}
		return ends
	}
	for _, c := range []struct {
		size   int
		budget float64
		want   []int
	}{
		{1000, 0, []int{9}},
		{4, 0, []int{4, 8, 9}},
		{1000, 2, []int{3, 4, 9}}, // 1.5 s; the 3 s input alone; the rest
		{2, 2, []int{2, 3, 4, 6, 8, 9}},
	} {
		if got := chunks(c.size, c.budget); !slices.Equal(got, c.want) {
			t.Errorf("size %d, budget %v: chunks end at %v, want %v", c.size, c.budget, got, c.want)
		}
	}
}

package benchmarks

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
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

// TestFunctionRunParts: a chunk's part runs its inputs [from, to) with
// their limits, and the process's, multiplied by the factor, and judges
// against the original limits, counting inputs from the chunk's first.
func TestFunctionRunParts(t *testing.T) {
	cfg := &Config{Name: "f", Version: "1", Format: "scalebox", Language: "python3",
		Limits:   LimitsConfig{CPUTime: Duration(1e9), Memory: 64 << 20, Output: 1 << 20, Processes: 8},
		Judge:    JudgeConfig{Comparator: "scalebox"},
		Eval:     EvalConfig{EarlyStop: EarlyStopNever},
		Function: FunctionConfig{Groups: []string{"base", "plus"}, MinTimeLimit: Duration(1e9), TimeLimitFactor: 4, ChunkSize: 1000},
	}
	in := []json.RawMessage{[]byte("[1]"), []byte("[2]")}
	p := &Problem{TaskID: "t", Kind: KindFunction, EntryPoint: "f", Groups: []InputGroup{
		{Name: "base", Inputs: in, Reference: []RefResult{{Out: []byte("1"), CPU: 0.5}, {Out: []byte("2")}}},
		{Name: "plus", Inputs: in, Reference: []RefResult{{Out: []byte("1")}, {Out: []byte("2")}}},
	}}
	b, err := New(cfg, []*Problem{p}, "test")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := b.functionPlan(p, "def f(x): return x", &runner.Language{ID: "python3", Source: "main.py"}, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	whole := plan.Runs[0]
	x := whole.Part(1, 3, 1.5)
	var spec struct {
		Marker string            `json:"marker"`
		Limits []float64         `json:"limits"`
		Inputs []json.RawMessage `json:"inputs"`
	}
	if err := json.Unmarshal(x.Stdin, &spec); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(spec.Limits, []float64{1.5, 1.5}) || len(spec.Inputs) != 2 || x.Inputs != 2 || !slices.Equal(x.Groups, []string{"base", "plus"}) {
		t.Errorf("part [1, 3) × 1.5: limits %v, %d inputs, groups %v; want [1.5 1.5], 2, [base plus]", spec.Limits, len(spec.Inputs), x.Groups)
	}
	if x.Limits.CPUTime != whole.Limits.CPUTime*3/2 || x.Limits.WallTime != whole.Limits.WallTime*3/2 {
		t.Errorf("part's process limits %v / %v, want 1.5 × %v / %v", x.Limits.CPUTime, x.Limits.WallTime, whole.Limits.CPUTime, whole.Limits.WallTime)
	}
	// Input 2 (plus input 0) used 1.2 s: within the part's limit, over its
	// own; the outcome names it by its index in the chunk.
	marker := spec.Marker
	r := &runner.Result{Status: runner.StatusExited, Stdout: []byte("{\"ready\": true}\n{\"i\": 0, \"cpu\": 0.1, \"out\": 2}\n{\"i\": 1, \"cpu\": 1.2, \"out\": 1}\n" + marker + "\n")}
	o := x.Judge(r)
	if o.Verdict != judge.TLE || o.Input != 2 || o.Stopped || !strings.Contains(o.Message, "plus input 0") || o.Groups["plus"] || !o.Groups["base"] {
		t.Errorf("part's outcome %+v; want TLE on input 2 (plus input 0), not stopped, base passed", o)
	}
}

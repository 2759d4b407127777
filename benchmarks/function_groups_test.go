package benchmarks

import (
	"encoding/json"
	"maps"
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

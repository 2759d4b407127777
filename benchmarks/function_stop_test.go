package benchmarks

import (
	"testing"

	"github.com/scalebox-dev/scalebox/runner"
)

// TestHarnessStdoutStopped: a run its watcher stopped may end in half a
// line (the sandbox stopped reading mid-line); that half is not the
// program's output and must not make the harness output unreadable (an RE
// instead of the failure that stopped the run).
func TestHarnessStdoutStopped(t *testing.T) {
	out := []byte("{\"ready\": true}\n{\"i\": 0, \"out\": \"1\"}\n{\"i\": 1, \"ou")
	stopped := &runner.Result{Status: runner.StatusStopped, Stdout: out}
	lines, _, err := ParseHarness(harnessStdout(stopped), "marker")
	if err != nil || len(lines) != 2 {
		t.Errorf("stopped run: %d lines, %v; want the 2 whole ones", len(lines), err)
	}
	// A run that ended otherwise (killed at a limit, or exited while the
	// harness wrote) loses its cut line as well: the inputs before it
	// stand, the cut one has no result (ParseHarness drops it).
	for _, st := range []runner.Status{runner.StatusExited, runner.StatusTimeLimit} {
		r := &runner.Result{Status: st, Stdout: out}
		if lines, _, err := ParseHarness(harnessStdout(r), "marker"); err != nil || len(lines) != 2 {
			t.Errorf("%s run: %d lines, %v; want the 2 whole ones", st, len(lines), err)
		}
	}
	if got := harnessStdout(&runner.Result{Status: runner.StatusStopped, Stdout: []byte("{\"rea")}); len(got) != 0 {
		t.Errorf("no whole line: %q", got)
	}
}

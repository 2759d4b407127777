package benchmarks

import "testing"

// TestParseHarnessCutLastLine: a run may end in half a line, whether its
// watcher stopped it (the sandbox stopped reading mid-line), a limit killed
// it, or it exited while the harness wrote; that half is not a result and
// must not make the harness output unreadable (an RE instead of the
// failure that ended the run). The whole lines before it stand.
func TestParseHarnessCutLastLine(t *testing.T) {
	out := []byte("{\"ready\": true}\n{\"i\": 0, \"out\": \"1\"}\n{\"i\": 1, \"ou")
	lines, complete, err := ParseHarness(out, "marker")
	if err != nil || complete || len(lines) != 2 {
		t.Errorf("cut run: %d lines, complete %v, %v; want the 2 whole ones", len(lines), complete, err)
	}
	if lines, _, err := ParseHarness([]byte("{\"rea"), "marker"); err != nil || len(lines) != 0 {
		t.Errorf("no whole line: %d lines, %v", len(lines), err)
	}
	// The marker itself may end the output without its newline.
	if _, complete, err := ParseHarness([]byte("{\"ready\": true}\nmarker"), "marker"); err != nil || !complete {
		t.Errorf("marker without newline: complete %v, %v", complete, err)
	}
}

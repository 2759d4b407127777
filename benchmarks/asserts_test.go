package benchmarks_test

import (
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
)

// TestCheckWatcher: a run is stopped as soon as its test has failed, and
// only then.
func TestCheckWatcher(t *testing.T) {
	prog, err := judge.ParseCheck("def check(c):\n    assert c(1) == 1\n    assert c(2) == c(3)\n    assert c(4) == 4\n    assert c(5) == 5\n", "f")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		lines  []string
		stopAt int // index of the line after which it stops; -1: never
	}{
		{"all pass", []string{`{"ready": true}`, `{"i": 0, "out": 1}`, `{"i": 1, "out": 2}`, `{"i": 2, "out": 2}`, `{"i": 3, "out": 4}`, `{"i": 4, "out": 5}`}, -1},
		{"first fails", []string{`{"ready": true}`, `{"i": 0, "out": 0}`, `{"i": 1, "out": 2}`}, 1},
		// The asserts run after 1, 2, 4 ... results: the third decides, the
		// fourth runs them.
		{"a pair differs", []string{`{"ready": true}`, `{"i": 0, "out": 1}`, `{"i": 1, "out": 2}`, `{"i": 2, "out": 3}`, `{"i": 3, "out": 4}`}, 4},
		{"a call raised", []string{`{"ready": true}`, `{"i": 0, "out": 1}`, `{"i": 1, "error": "ValueError: x"}`}, 2},
		{"out of order", []string{`{"ready": true}`, `{"i": 1, "out": 1}`}, 1},
		{"load error", []string{`{"ready": true}`, `{"load_error": "NameError: f"}`}, 1},
	}
	for _, tt := range tests {
		w := benchmarks.CheckWatcher(prog)
		got := -1
		for i, l := range tt.lines {
			if w([]byte(l + "\n")) {
				got = i
				break
			}
		}
		if got != tt.stopAt {
			t.Errorf("%s: stopped after line %d, want %d", tt.name, got, tt.stopAt)
		}
	}
}

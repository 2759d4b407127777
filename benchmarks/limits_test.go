package benchmarks_test

import (
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/runner"
)

func TestTestIndex(t *testing.T) {
	p := &benchmarks.Problem{TaskID: "p", Tests: []benchmarks.Test{{Name: "sample/1"}, {Name: "secret/1"}, {Name: "7"}}}
	tests := []struct {
		ref, err string
		want     int
	}{
		{"0", "", 0},
		{"2", "", 2},
		{"secret/1", "", 1},
		{"7", `task p has tests 0 to 2, not 7`, 0}, // a number wins over a name
		{"-1", `task p has tests 0 to 2, not -1`, 0},
		{"secret/2", `task p has no test named "secret/2" (tests: sample/1, secret/1, 7)`, 0},
	}
	for _, tt := range tests {
		got, err := p.TestIndex(tt.ref)
		if errText(err) != tt.err || err == nil && got != tt.want {
			t.Errorf("TestIndex(%q) = %d, %v; want %d, %q", tt.ref, got, err, tt.want, tt.err)
		}
	}
	unnamed := &benchmarks.Problem{TaskID: "u", Tests: make([]benchmarks.Test, 3)}
	if _, err := unnamed.TestIndex("x"); errText(err) != `task u has no test named "x"; its tests are numbered 0 to 2` {
		t.Errorf("unnamed tests: %v", err)
	}
}

func TestProblemLimits(t *testing.T) {
	cfg := validConfig()
	cfg.Limits.CPUTime = benchmarks.Duration(2 * time.Second)
	cfg.Limits.Memory = 256 << 20
	own := &benchmarks.Problem{CPUTimeLimitMS: 500, MemoryLimitBytes: 64 << 20}
	b := &benchmarks.Benchmark{Config: &cfg}
	if lim := b.Limits(own); lim.CPUTime != 2*time.Second || lim.MemoryBytes != 256<<20 || lim.WallTime != 8*time.Second {
		t.Errorf("problem_limits off: %+v", lim)
	}
	cfg.Limits.ProblemLimits = true
	if lim := b.Limits(own); lim.CPUTime != 500*time.Millisecond || lim.MemoryBytes != 64<<20 || lim.WallTime != 3500*time.Millisecond {
		t.Errorf("problem_limits on: %+v", lim)
	}
	if lim := b.Limits(&benchmarks.Problem{}); lim.CPUTime != 2*time.Second || lim.MemoryBytes != 256<<20 {
		t.Errorf("problem_limits on, a problem without limits: %+v", lim)
	}
	// A stdio plan's runs carry the problem's limits; without them, none.
	lang := &runner.Language{ID: "python3", Source: "main.py"}
	for _, tt := range []struct {
		p   *benchmarks.Problem
		cpu time.Duration
	}{
		{&benchmarks.Problem{TaskID: "own", Kind: benchmarks.KindStdio, CPUTimeLimitMS: 500, Tests: []benchmarks.Test{{}}}, 500 * time.Millisecond},
		{&benchmarks.Problem{TaskID: "none", Kind: benchmarks.KindStdio, Tests: []benchmarks.Test{{}}}, 0},
	} {
		plan, err := b.Plan(tt.p, &benchmarks.Sample{TaskID: tt.p.TaskID, Code: "pass"}, lang, benchmarks.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		switch l := plan.Runs[0].Limits; {
		case tt.cpu == 0 && l != nil, tt.cpu != 0 && (l == nil || l.CPUTime != tt.cpu):
			t.Errorf("%s: run limits %+v, want CPU %v", tt.p.TaskID, l, tt.cpu)
		}
	}
	// A configured wall-clock cap stays, raised to the CPU limit if need be.
	cfg.Limits.WallTime = benchmarks.Duration(3 * time.Second)
	if lim := b.Limits(own); lim.WallTime != 3*time.Second {
		t.Errorf("wall_time 3s, problem CPU 0.5s: wall %v", lim.WallTime)
	}
	if lim := b.Limits(&benchmarks.Problem{CPUTimeLimitMS: 5000}); lim.WallTime != 5*time.Second {
		t.Errorf("wall_time 3s, problem CPU 5s: wall %v", lim.WallTime)
	}
}

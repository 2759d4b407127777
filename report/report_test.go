package report

import (
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// exactPassAtK computes 1 - C(n-c,k)/C(n,k) with big rationals.
func exactPassAtK(n, c, k int) float64 {
	if n-c < k {
		return 1
	}
	num := new(big.Int).Binomial(int64(n-c), int64(k))
	den := new(big.Int).Binomial(int64(n), int64(k))
	r := new(big.Rat).SetFrac(num, den)
	f, _ := new(big.Rat).Sub(big.NewRat(1, 1), r).Float64()
	return f
}

func TestPassAtK(t *testing.T) {
	tests := []struct{ n, c, k int }{
		{1, 0, 1}, {1, 1, 1}, {10, 3, 1}, {10, 3, 5}, {10, 3, 8}, {10, 0, 10}, {10, 10, 10},
		{200, 1, 1}, {200, 17, 10}, {200, 17, 100}, {200, 199, 100}, {1000, 5, 100},
	}
	for _, tt := range tests {
		got, want := PassAtK(tt.n, tt.c, tt.k), exactPassAtK(tt.n, tt.c, tt.k)
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("PassAtK(%d, %d, %d) = %.15f, want %.15f", tt.n, tt.c, tt.k, got, want)
		}
	}
	if got := PassAtK(10, 3, 1); math.Abs(got-0.3) > 1e-15 {
		t.Errorf("pass@1 with 3 of 10 = %v, want 0.3", got)
	}
	for _, bad := range [][3]int{{0, 0, 1}, {5, 2, 6}, {5, 2, 0}} {
		if got := PassAtK(bad[0], bad[1], bad[2]); got != 0 {
			t.Errorf("PassAtK%v = %v, want 0", bad, got)
		}
	}
}

func TestMeanPassAtK(t *testing.T) {
	tasks := []TaskCount{{N: 2, C: 1}, {N: 3, C: 0}, {N: 0, C: 0}, {N: 2, C: 2}}
	got := MeanPassAtK(tasks, []int{10, 2, 1})
	want := map[string]float64{"1": (0.5 + 0 + 1) / 3, "2": (1 + 0 + 1) / 3.0}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := MeanPassAtK(nil, []int{1}); len(got) != 0 {
		t.Errorf("no tasks: %v", got)
	}
}

func sampleReport() *Report {
	r := &Report{SchemaVersion: SchemaVersion, Benchmark: Benchmark{Name: "b", Version: "1", Problems: 3}}
	r.Problems = []Problem{
		{TaskID: "a", Samples: []Sample{
			{Index: 0, Verdict: "AC", Passed: true, Tests: []Test{{Verdict: "AC", Usage: &Usage{CPUTimeMS: 1}}}},
			{Index: 1, Verdict: "WA", Tests: []Test{{Verdict: "AC"}, {Verdict: "WA"}}, Compile: &Compile{OK: true, Cached: true, Usage: &Usage{}}},
		}},
		{TaskID: "b", Samples: []Sample{{Index: 0, Verdict: "SE", Tests: []Test{{Verdict: "SE"}}}, {Index: 1, Verdict: "SE"}}},
	}
	r.UnknownSamples = []SampleRef{{TaskID: "z", Line: 9}}
	r.Timing = &Timing{WallSeconds: 1}
	return r
}

func TestSummarize(t *testing.T) {
	r := sampleReport()
	r.Summarize([]int{1, 2, 10})
	want := Summary{
		Tasks: 3, Samples: 4, ScoredTasks: 1,
		PassAtK:             map[string]float64{"1": 0.5, "2": 1},
		Verdicts:            map[string]int{"AC": 1, "WA": 1, "SE": 2},
		TestVerdicts:        map[string]int{"AC": 2, "WA": 1, "SE": 1},
		SystemErrors:        2,
		UnknownSamples:      1,
		TasksWithoutSamples: 1,
	}
	if diff := cmp.Diff(want, r.Summary); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var b strings.Builder
	if err := r.WriteText(&b, true); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"pass@1", "50.00%", "2 samples ended in system errors", "1 samples name tasks", "1 tasks have no sample", "a     1       "} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, b.String())
		}
	}
}

func TestWriteReadStrip(t *testing.T) {
	r := sampleReport()
	r.Summarize([]int{1})
	path := filepath.Join(t.TempDir(), "r.json")
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.Summary, got.Summary); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	got.StripTimings()
	data, _ := got.Marshal()
	for _, field := range []string{`"usage"`, `"timing"`, `"cached": true`} {
		if strings.Contains(string(data), field) {
			t.Errorf("stripped report still has %s", field)
		}
	}
	os.WriteFile(path, []byte(`{"schema_version": 99}`), 0o644)
	if _, err := Read(path); err == nil || !strings.Contains(err.Error(), "schema_version 99") {
		t.Errorf("future schema: err = %v", err)
	}
	os.WriteFile(path, []byte(`not json`), 0o644)
	if _, err := Read(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("garbage: err = %v", err)
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"short": "short",
		"Traceback\n  File x\nZeroDivisionError: x":   "ZeroDivisionError: x",
		"main.cpp: In function\nmain.cpp:3: error: x": "main.cpp:3: error: x",
		"a\nb\nc": "c",
	} {
		if got := oneLine(in, 70); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	r := sampleReport()
	r.Summarize([]int{1, 10})
	data, _ := r.Marshal()
	f.Add(data)
	f.Add([]byte(`{"schema_version": 1, "problems": [{"task_id": "x", "samples": [{"verdict": "AC", "tests": null}]}]}`))
	f.Add([]byte(`{"schema_version": 2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Parse(data)
		if err != nil {
			return
		}
		// A parsed report can be summarised, rendered, stripped and written.
		rep.Summarize([]int{1, 2})
		var b strings.Builder
		if err := rep.WriteText(&b, true); err != nil {
			t.Fatal(err)
		}
		rep.StripTimings()
		if _, err := rep.Marshal(); err != nil {
			t.Fatal(err)
		}
	})
}

package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/scalebox-dev/scalebox/report"
)

// sharedDir holds what tests of this package share: the real runs'
// reports. TestMain removes it.
var sharedDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scalebox-cmd-test-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// The real data and samples of realRuns.
const (
	humanEvalPlusData    = "../../shared/data/humanevalplus/v0.1.9/HumanEvalPlus.jsonl.gz"
	qwenHumanEvalSamples = "../../shared/data/generations/qwen2.5-coder-1.5b-base/evalplus/humaneval/generated.jsonl"
)

var realRunsOnce struct {
	sync.Once
	base, next string
	broken     []string
	err        error
}

// realRuns evaluates the Qwen2.5-Coder-1.5B HumanEval+ samples, and a copy
// of them with the completions of the first eight tasks whose sample
// passed replaced by one that raises, and returns both reports' paths and
// the broken tasks. The two runs take minutes on a small machine, so they
// run once per test binary and the tests that need real reports share
// them. Without the sandbox or the data it skips, except in CI.
func realRuns(t *testing.T) (base, next string, broken []string) {
	t.Helper()
	needSandbox(t)
	if testing.Short() {
		t.Skip("slow: two HumanEval+ runs")
	}
	for _, p := range []string{humanEvalPlusData, qwenHumanEvalSamples} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing", p)
			}
			t.Skip(p + " missing")
		}
	}
	r := &realRunsOnce
	r.Do(func() { r.base, r.next, r.broken, r.err = evalRealRuns(t) })
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.base, r.next, r.broken
}

func evalRealRuns(t *testing.T) (base, next string, broken []string, err error) {
	dir := filepath.Join(sharedDir, "real-runs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", nil, err
	}
	config := filepath.Join(dir, "config")
	base = filepath.Join(dir, "base.json")
	if _, stderr, code := run(t, context.Background(), config, "eval", "--bench", "humanevalplus", "--data", humanEvalPlusData, "--samples", qwenHumanEvalSamples, "--out", base, "-q"); code != 0 {
		return "", "", nil, fmt.Errorf("base run: exit %d: %s", code, stderr)
	}
	rep, err := report.Read(base)
	if err != nil {
		return "", "", nil, err
	}
	for _, p := range rep.Problems {
		if p.Samples[0].Passed && len(broken) < 8 {
			broken = append(broken, p.TaskID)
		}
	}
	// The copy: the same lines, the chosen tasks' completions replaced.
	in, err := os.ReadFile(qwenHumanEvalSamples)
	if err != nil {
		return "", "", nil, err
	}
	var out bytes.Buffer
	for _, line := range bytes.Split(bytes.TrimSpace(in), []byte("\n")) {
		var s map[string]any
		if err := json.Unmarshal(line, &s); err != nil {
			return "", "", nil, err
		}
		if slices.Contains(broken, s["task_id"].(string)) {
			s["completion"] = "    raise ValueError('broken on purpose')\n"
		}
		b, _ := json.Marshal(s)
		out.Write(append(b, '\n'))
	}
	brokenSamples := filepath.Join(dir, "broken.jsonl")
	if err := os.WriteFile(brokenSamples, out.Bytes(), 0o644); err != nil {
		return "", "", nil, err
	}
	next = filepath.Join(dir, "new.json")
	if _, stderr, code := run(t, context.Background(), config, "eval", "--bench", "humanevalplus", "--data", humanEvalPlusData, "--samples", brokenSamples, "--out", next, "-q"); code != 0 {
		return "", "", nil, fmt.Errorf("new run: exit %d: %s", code, stderr)
	}
	return base, next, broken, nil
}

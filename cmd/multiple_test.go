package cmd

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/report"
)

// TestEvalMultiple runs the command line on MultiPL-E: bench list shows
// the seven languages; eval scores Qwen2.5-Coder's first PHP generations
// on Qwen's copy of the data (a folder), and bad samples or data are
// errors that name the file, the line and the field.
func TestEvalMultiple(t *testing.T) {
	stdout, stderr, code := run(t, context.Background(), "", "bench", "list")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	for _, l := range []string{"cpp", "cs", "java", "js", "php", "sh", "ts"} {
		if !strings.Contains(stdout, "multiple-"+l+" ") {
			t.Errorf("bench list has no multiple-%s:\n%s", l, stdout)
		}
	}

	needSandbox(t)
	data := filepath.Join(sharedData, "multipl-e", "qwen-multiple-eval")
	pred := filepath.Join(sharedData, "generations", "qwen2.5-coder-1.5b-base", "multipl-e", "pred_php_output.jsonl")
	needData(t, data)
	needData(t, pred)
	dir := t.TempDir()
	f, err := os.Open(pred)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() && len(lines) < 12 {
		lines = append(lines, sc.Text())
	}
	samples := filepath.Join(dir, "s.jsonl")
	os.WriteFile(samples, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	out := filepath.Join(dir, "r.json")
	_, stderr, code = run(t, context.Background(), "", "eval", "--bench", "multiple-php", "--data", data, "--samples", samples, "--out", out, "-q")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Benchmark.Version != "qwen2.5-coder-d5ead97" || rep.Benchmark.Problems != 161 || rep.Summary.Samples != len(lines) {
		t.Errorf("benchmark %+v, %d samples; want version qwen2.5-coder-d5ead97, 161 problems, %d samples", rep.Benchmark, rep.Summary.Samples, len(lines))
	}
	if p := rep.Summary.PassAtK["1"]; p <= 0 || p >= 1 {
		t.Errorf("pass@1 %v: want some of the first generations to pass and some to fail", p)
	}

	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(lines[0]+"\n"+`{"task_id": "HumanEval_23_strlen", "generation": 5}`+"\n"), 0o644)
	_, stderr, code = run(t, context.Background(), "", "eval", "--bench", "multiple-php", "--data", data, "--samples", bad, "-q")
	if code == 0 || !strings.Contains(stderr, "bad.jsonl:2:") || !strings.Contains(stderr, "generation") {
		t.Errorf("bad samples: exit %d, stderr %q: want the file, line and field named", code, stderr)
	}
	badData := filepath.Join(dir, "humaneval-php.jsonl")
	os.WriteFile(badData, []byte(`{"name": "HumanEval_0_x", "language": "php", "prompt": "<?php\n", "stop_tokens": []}`+"\n"), 0o644)
	_, stderr, code = run(t, context.Background(), "", "eval", "--bench", "multiple-php", "--data", badData, "--samples", samples, "-q")
	if code == 0 || !strings.Contains(stderr, "humaneval-php.jsonl:1:") || !strings.Contains(stderr, `field "tests"`) {
		t.Errorf("bad data: exit %d, stderr %q: want the file, line and field named", code, stderr)
	}
}

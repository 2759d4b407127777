// Package familytest holds what the dataset families' tests share: the
// reference prompts built by the reference harnesses' own code
// (../shared/data/prompts/reference_prompts.json) and a loader of real
// benchmark data.
package familytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	// Load reads the families' formats, which the registry registers.
	_ "github.com/scalebox-dev/scalebox/benchmarks/registry"
)

// SharedData is the shared data folder (../shared/data from the
// repository root).
func SharedData() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "../../../../shared/data")
}

// Need skips the test when a shared data file is missing, and fails it
// when CI=true.
func Need(t testing.TB, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing", p)
			}
			t.Skipf("%s missing", p)
		}
	}
}

// References are the prompts of reference_prompts.json.
type References struct {
	Evalplus []struct {
		TaskID   string           `json:"task_id"`
		Messages []family.Message `json:"messages"`
	} `json:"evalplus_openai_chat"`
	LiveCodeBench []struct {
		QuestionID      string          `json:"question_id"`
		QuestionContent string          `json:"question_content"`
		StarterCode     string          `json:"starter_code"`
		LMStyle         string          `json:"lm_style"`
		Prompt          json.RawMessage `json:"prompt"`
	} `json:"livecodebench_openai_chat"`
}

// ReadReferences reads reference_prompts.json.
func ReadReferences(t testing.TB) *References {
	t.Helper()
	path := filepath.Join(SharedData(), "prompts/reference_prompts.json")
	Need(t, path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r References
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// Load loads a builtin benchmark on a data file or folder of the shared
// data.
func Load(t testing.TB, bench, data string) *benchmarks.Benchmark {
	t.Helper()
	Need(t, data)
	cfg, err := (&benchmarks.Registry{}).Load(bench)
	if err != nil {
		t.Fatal(err)
	}
	b, err := benchmarks.Load(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

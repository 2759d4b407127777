package multiple_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/benchmarks/family/familytest"
	"github.com/scalebox-dev/scalebox/benchmarks/multiple"
)

// TestPromptIsTheProblemsPrompt: on real MultiPL-E data the prompt is the
// problem's prompt unchanged and the stop sequences its stop tokens; a
// completion is cut at the first of them.
func TestPromptIsTheProblemsPrompt(t *testing.T) {
	b := familytest.Load(t, "multiple-js", filepath.Join(familytest.SharedData(), "multipl-e/qwen-multiple-eval/humaneval-js.jsonl"))
	p := b.Problems[0]
	pr, err := multiple.Family{}.Prompt(p, multiple.StyleBase, family.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if pr.Text != p.Prompt || !cmp.Equal(pr.Stop, p.StopTokens) || len(pr.Stop) == 0 || pr.API() != family.APICompletions {
		t.Errorf("prompt %+v\nproblem prompt %q, stop tokens %q", pr, p.Prompt, p.StopTokens)
	}
	answer := "  return 1;\n}" + p.StopTokens[0] + "console.log(2);"
	if s := (multiple.Family{}).Extract(p, multiple.StyleBase, answer); s.Code != "  return 1;\n}" || !s.Completion {
		t.Errorf("sample %+v", s)
	}
}

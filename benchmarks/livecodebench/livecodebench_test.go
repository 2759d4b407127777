package livecodebench_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/benchmarks/family/familytest"
	"github.com/scalebox-dev/scalebox/benchmarks/livecodebench"
)

// lmStyles maps lcb_runner's LM styles to scalebox's prompt styles.
var lmStyles = map[string]string{
	"OpenAIChat":           livecodebench.StyleChat,
	"OpenAIReasonPreview":  livecodebench.StyleReason,
	"DeepSeekCodeInstruct": livecodebench.StyleDeepSeek,
	"CodeQwenInstruct":     livecodebench.StyleCodeQwen,
}

// TestPromptsMatchLCBRunner: for every reference prompt (built by
// lcb_runner's format_prompt_generation), the style's prompt is the same,
// byte for byte, with and without starter code.
func TestPromptsMatchLCBRunner(t *testing.T) {
	refs := familytest.ReadReferences(t)
	if len(refs.LiveCodeBench) == 0 {
		t.Fatal("no LiveCodeBench reference prompts")
	}
	seen := map[string]bool{}
	for _, ref := range refs.LiveCodeBench {
		style, ok := lmStyles[ref.LMStyle]
		if !ok {
			t.Fatalf("LM style %s has no scalebox style", ref.LMStyle)
		}
		seen[style+"/"+map[bool]string{true: "starter", false: "stdin"}[ref.StarterCode != ""]] = true
		p := &benchmarks.Problem{TaskID: ref.QuestionID, Statement: ref.QuestionContent, Prompt: ref.StarterCode}
		got, err := livecodebench.Family{}.Prompt(p, style, family.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Messages != nil {
			var want []family.Message
			if err := json.Unmarshal(ref.Prompt, &want); err != nil {
				t.Fatalf("%s %s: %v", ref.QuestionID, ref.LMStyle, err)
			}
			if diff := cmp.Diff(want, got.Messages); diff != "" {
				t.Errorf("%s %s (-lcb_runner +scalebox):\n%s", ref.QuestionID, ref.LMStyle, diff)
			}
			continue
		}
		var want string
		if err := json.Unmarshal(ref.Prompt, &want); err != nil {
			t.Fatalf("%s %s: the reference is not a string: %v", ref.QuestionID, ref.LMStyle, err)
		}
		if diff := cmp.Diff(want, got.Text); diff != "" {
			t.Errorf("%s %s (-lcb_runner +scalebox):\n%s", ref.QuestionID, ref.LMStyle, diff)
		}
	}
	if len(seen) != 8 {
		t.Errorf("covered %v; want 4 styles with and without starter code", seen)
	}
}

// TestBasePrompt: GenericBase quotes the first few-shot example of
// lcb_runner's func.json or stdin.json (real copies in the shared data).
func TestBasePrompt(t *testing.T) {
	dir := t.TempDir()
	shared := filepath.Join(familytest.SharedData(), "livecodebench")
	familytest.Need(t, filepath.Join(shared, "few_shot_examples_func.json"))
	for _, n := range []string{"func", "stdin"} {
		linkOrCopy(t, filepath.Join(shared, "few_shot_examples_"+n+".json"), filepath.Join(dir, n+".json"))
	}
	p := &benchmarks.Problem{TaskID: "x", Statement: "Print 1."}
	if _, err := (livecodebench.Family{}).Prompt(p, livecodebench.StyleBase, family.Options{}); err == nil || !strings.Contains(err.Error(), "--few-shot") {
		t.Errorf("no few-shot folder: %v", err)
	}
	pr, err := livecodebench.Family{}.Prompt(p, livecodebench.StyleBase, family.Options{FewShotDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	q, _, a, _ := livecodebench.ReadFewShot(dir, false)
	want := "### Question\n" + q + "\n\n### Answer\n\n" + a + "\n\n### Question\nPrint 1.\n\n### Answer\n\n"
	if pr.Text != want || !cmp.Equal(pr.Stop, []string{"###"}) {
		t.Errorf("stdin base prompt:\n%q\nwant\n%q", pr.Text, want)
	}
	p.Prompt = "class Solution:\n    def f(self) -> int:\n        "
	pr, _ = livecodebench.Family{}.Prompt(p, livecodebench.StyleBase, family.Options{FewShotDir: dir})
	q, code, a, _ := livecodebench.ReadFewShot(dir, true)
	want = "### Question\n" + q + "\n\n### Starter Code\n" + code + "\n\n### Answer\n\n" + a + "\n\n### Question\nPrint 1.\n\n### Starter Code\n" + p.Prompt + "\n\n### Answer\n\n"
	if pr.Text != want {
		t.Errorf("functional base prompt:\n%q\nwant\n%q", pr.Text, want)
	}
}

func TestExtract(t *testing.T) {
	p := &benchmarks.Problem{TaskID: "x"}
	for _, c := range []struct{ style, answer, want string }{
		// The last two fence lines, whatever their tags.
		{livecodebench.StyleChat, "Idea:\n```python\nprint(1)\n```\nBetter:\n```\nprint(2)\n```\n", "print(2)"},
		{livecodebench.StyleChat, "```python\nimport sys\nprint(sys.stdin.read())\n```", "import sys\nprint(sys.stdin.read())"},
		// A line merely mentioning ``` counts as a fence.
		{livecodebench.StyleChat, "Use ```python blocks:\nx = 1\n```", "x = 1"},
		// One fence, or none: no code.
		{livecodebench.StyleChat, "```python\nprint(1)", ""},
		{livecodebench.StyleChat, "print(1)", ""},
		{livecodebench.StyleBase, "\n  print(1)\n\n", "print(1)"},
	} {
		if got := (livecodebench.Family{}).Extract(p, c.style, c.answer); got.Code != c.want || got.Completion {
			t.Errorf("%s %q: %+v, want %q", c.style, c.answer, got, c.want)
		}
	}
}

func linkOrCopy(t *testing.T, from, to string) {
	t.Helper()
	abs, err := filepath.Abs(from)
	if err == nil {
		err = os.Symlink(abs, to)
	}
	if err != nil {
		t.Fatal(err)
	}
}

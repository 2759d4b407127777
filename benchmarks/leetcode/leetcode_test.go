package leetcode_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/benchmarks/family/familytest"
	"github.com/scalebox-dev/scalebox/benchmarks/leetcode"
)

// TestPromptIsPromptSFT: on the real data, the chat prompt is the
// problem's prompt_sft, one user message, as vllm_inference.py sends it.
func TestPromptIsPromptSFT(t *testing.T) {
	b := familytest.Load(t, "leetcode", filepath.Join(familytest.SharedData(), "leetcode_contest_deepseek/20240121-Jul.jsonl"))
	p := b.Problems[0]
	pr, err := leetcode.Family{}.Prompt(p, leetcode.StyleChat, family.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Messages) != 1 || pr.Messages[0].Role != "user" || pr.Messages[0].Content != p.Statement ||
		!strings.HasSuffix(p.Statement, "Please complete the code below to solve above prblem:\n```python\nclass Solution:\n    def minimumPushes(self, word: str) -> int:\n        \n```") {
		t.Errorf("prompt %+v", pr)
	}
	pr, _ = leetcode.Family{}.Prompt(p, leetcode.StyleChatCoT, family.Options{})
	if pr.Messages[0].Content != p.Statement+"\nYou need first write a step-by-step outline and then write the code." {
		t.Errorf("CoT prompt %q", pr.Messages[0].Content)
	}
	pr, _ = leetcode.Family{}.Prompt(p, leetcode.StyleBase, family.Options{})
	if pr.Text != p.Prompt || pr.API() != family.APICompletions {
		t.Errorf("base prompt %+v", pr)
	}
}

func TestGeneration(t *testing.T) {
	sft := "Solve it.\nPlease complete the code below to solve above prblem:\n```python\nclass Solution:\n    def f(self, x: int) -> int:\n        \n```"
	for _, c := range []struct{ name, output, want string }{
		{"first python block", "Sure.\n```python\nclass Solution:\n    pass\n```\nor\n```python\nx = 2\n```", "class Solution:\n    pass"},
		{"PYTHON tags", "[PYTHON]\nclass Solution: pass\n[/PYTHON]", "class Solution: pass"},
		{"continues the starter code", "\n        return x\n", "class Solution:\n    def f(self, x: int) -> int:\n\n        return x\n"},
		{"unfenced, cut at a top-level def", "class Solution:\n    def f(self, x):\n        return x\ndef main():\n    pass", "class Solution:\n    def f(self, x):\n        return x"},
		{"unclosed block: the whole output", "```python\nclass Solution: pass", "```python\nclass Solution: pass"},
		{"an untagged block is not a python block: cut at the class", "```\nclass A: pass\n```", "```"},
	} {
		if got := leetcode.Generation(sft, c.output); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	p := &benchmarks.Problem{TaskID: "x", Statement: sft}
	if s := (leetcode.Family{}).Extract(p, leetcode.StyleBase, "return x\n# test\nprint(1)"); s.Code != "return x" || !s.Completion {
		t.Errorf("base sample %+v", s)
	}
}

// FuzzGeneration: any answer becomes a program without panicking.
func FuzzGeneration(f *testing.F) {
	f.Add("```python\nclass Solution: pass\n```")
	f.Add("\n        return 1")
	f.Add("[PYTHON]x[/PYTHON]")
	f.Fuzz(func(t *testing.T, out string) {
		leetcode.Generation("```python\nclass Solution:\n    def f(self):\n        \n```", out)
	})
}

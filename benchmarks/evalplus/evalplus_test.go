package evalplus_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/evalplus"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/benchmarks/family/familytest"
)

// TestChatPromptsMatchEvalplus: the chat messages are byte for byte those
// evalplus's own code built from the same tasks (HumanEval+ v0.1.9,
// MBPP+ v0.1.0).
func TestChatPromptsMatchEvalplus(t *testing.T) {
	refs := familytest.ReadReferences(t)
	he := familytest.Load(t, "humanevalplus", filepath.Join(familytest.SharedData(), "humanevalplus/v0.1.9/HumanEvalPlus.jsonl.gz"))
	mbpp := familytest.Load(t, "mbppplus", filepath.Join(familytest.SharedData(), "mbppplus/MbppPlus-v0.1.0.jsonl"))
	if len(refs.Evalplus) == 0 {
		t.Fatal("no evalplus reference prompts")
	}
	for _, ref := range refs.Evalplus {
		b := he
		if strings.HasPrefix(ref.TaskID, "Mbpp/") {
			b = mbpp
		}
		p, ok := b.Problem(ref.TaskID)
		if !ok {
			t.Fatalf("%s not in the data", ref.TaskID)
		}
		got, err := evalplus.Family{}.Prompt(p, evalplus.StyleChat, family.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ref.Messages, got.Messages); diff != "" {
			t.Errorf("%s (-evalplus +scalebox):\n%s", ref.TaskID, diff)
		}
	}
}

func TestBasePromptAndExtract(t *testing.T) {
	p := &benchmarks.Problem{TaskID: "HumanEval/9", Prompt: "\n\ndef f(x):\n    \"\"\"doc\"\"\"\n    "}
	pr, err := evalplus.Family{}.Prompt(p, evalplus.StyleBase, family.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if pr.Text != "def f(x):\n    \"\"\"doc\"\"\"\n" || pr.API() != family.APICompletions || !contains(pr.Stop, "\ndef ") || !contains(pr.Stop, "\nif __name__") {
		t.Errorf("prompt %+v", pr)
	}
	s := evalplus.Family{}.Extract(p, evalplus.StyleBase, "\treturn x\n\ndef g():\n    pass\n")
	if want := "def f(x):\n    \"\"\"doc\"\"\"\n    return x\n"; s.Code != want || s.Completion {
		t.Errorf("sample %+v, want code %q", s, want)
	}
	mbpp := &benchmarks.Problem{TaskID: "Mbpp/2", Prompt: "\"\"\"\nWrite f.\nassert f(1) == 1\n\"\"\"\n"}
	pr, _ = evalplus.Family{}.Prompt(mbpp, evalplus.StyleBase, family.Options{})
	if !contains(pr.Stop, "\nassert") || contains(pr.Stop, "\ndef ") {
		t.Errorf("MBPP stop sequences %q", pr.Stop)
	}
	if s := (evalplus.Family{}).Extract(p, evalplus.StyleChat, "Here:\n```python\ndef f(x): return x\n```"); s.Code != "Here:\n```python\ndef f(x): return x\n```" {
		t.Errorf("a chat answer goes to the sanitizer whole: %q", s.Code)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

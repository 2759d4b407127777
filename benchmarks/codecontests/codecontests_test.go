package codecontests_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks/codecontests"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/benchmarks/family/familytest"
	"github.com/scalebox-dev/scalebox/benchmarks/livecodebench"
)

// TestPythonPromptIsLCBs: in Python the prompt is lcb_runner's for a stdin
// problem, byte for byte (checked against lcb_runner's own output in the
// LiveCodeBench package); in C++ only the language's name and fence tag
// differ.
func TestPythonPromptIsLCBs(t *testing.T) {
	b := familytest.Load(t, "codecontests", filepath.Join(familytest.SharedData(), "codecontests/scalebox_code_eval_code_contests.jsonl"))
	p := b.Problems[0]
	py, err := codecontests.Family{}.Prompt(p, codecontests.StyleChat, family.Options{Language: "python3"})
	if err != nil {
		t.Fatal(err)
	}
	lcb, _ := livecodebench.Build(livecodebench.Question{Content: p.Statement}, livecodebench.StyleChat, family.Options{})
	if diff := cmp.Diff(lcb.Messages, py.Messages); diff != "" || py.Style != codecontests.StyleChat {
		t.Errorf("Python prompt (-lcb +codecontests):\n%s", diff)
	}
	cpp, err := codecontests.Family{}.Prompt(p, codecontests.StyleChat, family.Options{Language: "cpp"})
	if err != nil {
		t.Fatal(err)
	}
	replace := strings.NewReplacer("Python programmer", "C++ programmer", "Python program", "C++ program", "python program runs", "C++ program runs", "```python\n", "```cpp\n")
	for i, m := range lcb.Messages {
		if want := replace.Replace(m.Content); cpp.Messages[i].Content != want {
			t.Errorf("C++ message %d:\n%q\nwant\n%q", i, cpp.Messages[i].Content, want)
		}
	}
	if _, err := (codecontests.Family{}).Prompt(p, codecontests.StyleBase, family.Options{Language: "cpp", FewShotDir: "x"}); err == nil {
		t.Error("the base style asked for C++")
	}
	if s := (codecontests.Family{}).Extract(p, codecontests.StyleChat, "```cpp\nint main(){}\n```"); s.Code != "int main(){}" {
		t.Errorf("extracted %q", s.Code)
	}
}

package benchmarks_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scalebox-dev/scalebox/benchmarks"
)

func TestExtractCode(t *testing.T) {
	const f = "```" // a fence
	tests := []struct {
		name, text, lang, want string
	}{
		{"no fence", "def f():\n    return 1\n", "python3", "def f():\n    return 1\n"},
		{"no fence, empty", "", "python3", ""},
		{"no fence, prose kept", "Sure! print(1)\n", "", "Sure! print(1)\n"},
		{"inline backticks are not a fence", "use " + f + "x" + f + " here\nprint(1)", "python3", "use " + f + "x" + f + " here\nprint(1)"},
		{"four-space indent is not a fence", "    " + f + "python\n    x\n    " + f + "\n", "python3", "    " + f + "python\n    x\n    " + f + "\n"},
		{"tab indent is not a fence", "\t" + f + "python\nx\n\t" + f, "python3", "\t" + f + "python\nx\n\t" + f},

		{"python block", f + "python\nprint(1)\n" + f, "python3", "print(1)\n"},
		{"prose around", "Here is the code:\n\n" + f + "python\nx = 1\ny = 2\n" + f + "\n\nThis works because x is 1.\n", "python3", "x = 1\ny = 2\n"},
		{"python chosen over a longer other block", f + "bash\npip install a-long-package-name\n" + f + "\n" + f + "python\nx\n" + f, "python3", "x\n"},
		{"python chosen over a longer untagged block", f + "\nlong untagged text here\n" + f + "\n" + f + "py\nx\n" + f, "python3", "x\n"},
		{"empty language means python", f + "text\nnot code at all\n" + f + "\n" + f + "py3\nx\n" + f, "", "x\n"},
		{"python aliases", f + "python3\nx\n" + f, "python3", "x\n"},
		{"tag case ignored", f + "Python\nx\n" + f + "\n" + f + "text\nlonger text\n" + f, "python3", "x\n"},
		{"info string words after the tag", f + "python title=\"a.py\" {.numberLines}\nx\n" + f, "python3", "x\n"},
		{"longest matching block", f + "python\na\n" + f + "\n" + f + "python\nbbb\nccc\n" + f + "\n" + f + "python\nd\n" + f, "python3", "bbb\nccc\n"},
		{"first of equally long blocks", f + "py\na\n" + f + "\n" + f + "py\nb\n" + f, "python3", "a\n"},
		{"untagged used when no tagged matches", f + "\nx = 1\n" + f + "\n" + f + "text\nlonger output text\n" + f, "python3", "x = 1\n"},
		{"longest untagged", f + "\nx\n" + f + "\n" + f + "\nyy\n" + f, "python3", "yy\n"},
		{"any block as a last resort", f + "js\nconsole.log(1)\n" + f, "python3", "console.log(1)\n"},
		{"longest block as a last resort", f + "js\na\n" + f + "\n" + f + "rust\nbb\n" + f, "python3", "bb\n"},

		{"cpp", f + "python\nprint()\n" + f + "\n" + f + "cpp\nint main(){}\n" + f, "cpp", "int main(){}\n"},
		{"cpp alias c++", f + "python\nprint('a long line')\n" + f + "\n" + f + "c++\nint main(){}\n" + f, "cpp", "int main(){}\n"},
		{"cpp alias cc", f + "cc\nint main(){}\n" + f + "\n" + f + "\nuntagged and long\n" + f, "cpp", "int main(){}\n"},
		{"cpp alias cxx", f + "CXX\nint x;\n" + f, "cpp", "int x;\n"},
		{"cpp alias hpp", f + "hpp\nint x;\n" + f + "\n" + f + "python\nlonger python\n" + f, "cpp", "int x;\n"},
		{"cpp ignores python tags", f + "python\nprint('a long line')\n" + f + "\n" + f + "\nint main(){}\n" + f, "cpp", "int main(){}\n"},

		{"unclosed fence runs to the end", "Here:\n" + f + "python\ndef f():\n    return", "python3", "def f():\n    return"},
		{"unclosed after a closed block", f + "python\na\n" + f + "\n" + f + "python\nbb\ncc", "python3", "bb\ncc"},
		{"empty block", f + "python\n" + f, "python3", ""},
		{"fence only", f, "python3", ""},
		{"indented fences up to 3 spaces", "   " + f + "python\n  x\n   " + f + "\n", "python3", "  x\n"},
		{"one-space fences", " " + f + "python\nx\n " + f, "python3", "x\n"},
		{"four backticks", "````python\nx\n````", "python3", "x\n"},
		{"CRLF", f + "python\r\nx = 1\r\n" + f + "\r\n", "python3", "x = 1\r\n"},
		{"code keeps its indentation and blank lines", f + "python\ndef f():\n\n    return 1\n" + f, "python3", "def f():\n\n    return 1\n"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, benchmarks.ExtractCode(tt.text, tt.lang)); diff != "" {
			t.Errorf("%s: ExtractCode(%q, %q) mismatch (-want +got):\n%s", tt.name, tt.text, tt.lang, diff)
		}
	}
}

// FuzzExtractCode checks that ExtractCode never panics, returns a part of
// its input, and returns text without a fence unchanged.
func FuzzExtractCode(f *testing.F) {
	f.Add("def f():\n    return 1\n", "python3")
	f.Add("Here:\n```python\nx = 1\n```\nDone.", "")
	f.Add("```cpp\nint main(){}\n```\n```\nx\n```", "cpp")
	f.Add("   ```py\r\nx\r\n   ```", "python3")
	f.Add("```python\nunclosed", "go")
	f.Fuzz(func(t *testing.T, text, lang string) {
		got := benchmarks.ExtractCode(text, lang)
		if !strings.Contains(text, got) {
			t.Errorf("ExtractCode(%q, %q) = %q, not a part of the input", text, lang, got)
		}
		if !strings.Contains(text, "```") && got != text {
			t.Errorf("ExtractCode(%q, %q) = %q, want the text without a fence unchanged", text, lang, got)
		}
	})
}

func TestExtractCodeCompletionClosedByFence(t *testing.T) {
	got := benchmarks.ExtractCode("    return a + b\n```\n\nThis adds the numbers.\n", "python3")
	if got != "    return a + b\n" {
		t.Errorf("got %q, want the code before the closing fence", got)
	}
	// With a later tagged block, the tagged block still wins.
	got = benchmarks.ExtractCode("    pass\n```\nAlso:\n```python\ndef f():\n    return 1\n```\n", "python3")
	if got != "def f():\n    return 1\n" {
		t.Errorf("got %q, want the python block", got)
	}
}

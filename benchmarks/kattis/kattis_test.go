package kattis_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/benchmarks/family/familytest"
	"github.com/scalebox-dev/scalebox/benchmarks/kattis"
)

func TestStatementText(t *testing.T) {
	in := `<html><head><style>.x{}</style><script>var a = "<p>";</script></head><body>
<h2>Problem</h2>
<p>Given   N values
 x<sub>i</sub> with 2<sup>10</sup> &lt; N.</p>
<pre>1 2
  3</pre>
<ul><li>one</li><li>two</li></ul>
<!-- note --></body></html>`
	want := "Problem\n\nGiven N values x_i with 2^10 < N.\n\n1 2\n  3\n\n- one\n- two\n"
	if got := kattis.StatementText(in); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if md := "# Title\n\nSome *text*.\n"; kattis.StatementText(md) != md {
		t.Errorf("Markdown changed")
	}
}

// TestCodeJamPrompt: a real Code Jam statement becomes a prompt without
// markup, keeping the sample input and output and asking for a program in
// the chosen language.
func TestCodeJamPrompt(t *testing.T) {
	root := filepath.Join(familytest.SharedData(), "codejam/float_tolerance/codejam/2014/round_3/magical_marvelous_tour")
	path := filepath.Join(root, "problem_statement/problem.html")
	familytest.Need(t, path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &benchmarks.Problem{TaskID: "x", Statement: string(data)}
	pr, err := kattis.Family{}.Prompt(p, "stdin-chat", family.Options{Language: "cpp"})
	if err != nil {
		t.Fatal(err)
	}
	user := pr.Messages[1].Content
	for _, bad := range []string{"<p>", "<div", "MathJax", "&lt;", ".sample-header", "save_alt", "Copied!", "\n "} {
		if strings.Contains(user, bad) {
			t.Errorf("the prompt holds %q", bad)
		}
	}
	for _, want := range []string{"Case #", "Sample", "C++ program runs", "```cpp\n# YOUR CODE HERE\n```"} {
		if !strings.Contains(user, want) {
			t.Errorf("the prompt lacks %q:\n%s", want, user)
		}
	}
	if !strings.Contains(pr.Messages[0].Content, "You are an expert C++ programmer") {
		t.Errorf("system message %q", pr.Messages[0].Content)
	}
}

// FuzzStatementText: any statement converts without panicking, and text
// without markup is left as it is.
func FuzzStatementText(f *testing.F) {
	f.Add("<html><body><p>a<sub>1</sub></p><pre>x\n y</pre></body></html>")
	f.Add("<p>unclosed <pre>")
	f.Add("# markdown")
	f.Fuzz(func(t *testing.T, s string) {
		out := kattis.StatementText(s)
		if !strings.Contains(s, "<") && out != s {
			t.Fatalf("plain text changed: %q -> %q", s, out)
		}
	})
}

// Package registry maps a benchmark to its dataset family: the family
// package that prompts a model on its problems and reads the answers (see
// benchmarks/family). The map is keyed by the benchmark's data format,
// the name of the loader that reads its data.
package registry

import (
	"fmt"
	"sort"
	"strings"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/codecontests"
	"github.com/scalebox-dev/scalebox/benchmarks/evalplus"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/benchmarks/kattis"
	"github.com/scalebox-dev/scalebox/benchmarks/leetcode"
	"github.com/scalebox-dev/scalebox/benchmarks/livecodebench"
	"github.com/scalebox-dev/scalebox/benchmarks/multiple"
)

// Entry is a family and its name.
type Entry struct {
	// Name is the family's name in reports ("evalplus").
	Name   string
	Family family.Family
}

// families maps data formats (loader names) to families.
var families = map[string]Entry{
	"humaneval":     {"evalplus", evalplus.Family{}},
	"evalplus":      {"evalplus", evalplus.Family{}},
	"livecodebench": {"livecodebench", livecodebench.Family{}},
	"leetcode":      {"leetcode", leetcode.Family{}},
	"codecontests":  {"codecontests", codecontests.Family{}},
	"kattis":        {"kattis", kattis.Family{}},
	"multipl-e":     {"multiple", multiple.Family{}},
	"scalebox":      {"scalebox", native{}},
}

// ForFormat returns the family of a data format.
func ForFormat(format string) (Entry, error) {
	e, ok := families[format]
	if !ok {
		return Entry{}, fmt.Errorf("benchmarks of format %q have no prompts (formats with prompts: %s)", format, strings.Join(Formats(), ", "))
	}
	return e, nil
}

// For returns the family of a benchmark.
func For(b *benchmarks.Benchmark) (Entry, error) { return ForFormat(b.Config.Format) }

// Formats lists the data formats that have a family, sorted.
func Formats() []string {
	var out []string
	for f := range families {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// native prompts scalebox's own problem format: problems with a prompt
// (assert and function problems) as evalplus does, stdin/stdout problems
// by their statement as CodeContests' are.
type native struct{}

func (native) Styles() []family.Style {
	return append(evalplus.Family{}.Styles(), codecontests.Styles()...)
}

func (native) forProblem(p *benchmarks.Problem, style string) (family.Family, error) {
	var f family.Family = codecontests.Family{}
	if p.Kind != benchmarks.KindStdio {
		f = evalplus.Family{}
	}
	if _, ok := family.StyleByName(f, style); !ok {
		kind := "stdin/stdout problems"
		if p.Kind != benchmarks.KindStdio {
			kind = "problems with a prompt"
		}
		var names []string
		for _, s := range f.Styles() {
			names = append(names, s.Name)
		}
		return nil, fmt.Errorf("task %s: %s take the prompt styles %s, not %s", p.TaskID, kind, strings.Join(names, ", "), style)
	}
	return f, nil
}

func (n native) Prompt(p *benchmarks.Problem, style string, opts family.Options) (*family.Prompt, error) {
	f, err := n.forProblem(p, style)
	if err != nil {
		return nil, err
	}
	return f.Prompt(p, style, opts)
}

func (n native) Extract(p *benchmarks.Problem, style, answer string) family.Sample {
	f, err := n.forProblem(p, style)
	if err != nil {
		return family.Sample{Code: answer}
	}
	return f.Extract(p, style, answer)
}

// Package registry maps a benchmark to its dataset family: the family
// package that loads its data, prompts a model on its problems and reads
// the answers (see benchmarks/family). The map is keyed by the benchmark's
// data format, the name of the loader that reads its data.
//
// Importing registry registers every family's loader with package
// benchmarks (benchmarks.RegisterFormat): a program that loads benchmarks
// of the families' formats imports it, as cmd does.
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

// Entry is a data format's family, its name and its loader.
type Entry struct {
	// Name is the family's name in reports ("evalplus").
	Name   string
	Family family.Family
	// Format reads the format's data; it is registered with package
	// benchmarks when this package is initialized. The zero Format is
	// scalebox's own, which package benchmarks reads itself.
	Format benchmarks.Format
}

// families maps data formats (loader names) to families and loaders.
var families = map[string]Entry{
	"humaneval":     {"evalplus", evalplus.Family{}, benchmarks.Format{File: evalplus.LoadHumanEval}},
	"evalplus":      {"evalplus", evalplus.Family{}, benchmarks.Format{File: evalplus.Load}},
	"livecodebench": {"livecodebench", livecodebench.Family{}, benchmarks.Format{File: livecodebench.Load, Files: livecodebench.Files}},
	"leetcode":      {"leetcode", leetcode.Family{}, benchmarks.Format{File: leetcode.Load}},
	"codecontests":  {"codecontests", codecontests.Family{}, benchmarks.Format{File: codecontests.Load}},
	"kattis":        {"kattis", kattis.Family{}, benchmarks.Format{Dir: kattis.Load}},
	"multipl-e":     {"multiple", multiple.Family{}, benchmarks.Format{File: multiple.Load}},
	"scalebox":      {"scalebox", native{}, benchmarks.Format{}},
}

// init registers the families' loaders, so that benchmarks.Load reads
// every format of a program that imports this package.
func init() {
	for name, e := range families {
		if e.Format.File != nil || e.Format.Dir != nil {
			benchmarks.RegisterFormat(name, e.Format)
		}
	}
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

// native prompts scalebox's own problem format, whose benchmarks may mix
// problems with a prompt (assert and function problems), prompted as
// evalplus prompts them, and stdin/stdout problems, prompted by their
// statement as CodeContests' are.
type native struct{}

// Native style names.
const (
	nativeChat = "chat"
	nativeBase = "base"
)

// nativeStyles maps a native style to the styles it uses for problems
// with a prompt and for stdin/stdout problems.
var nativeStyles = map[string][2]string{
	nativeChat: {evalplus.StyleChat, codecontests.StyleChat},
	nativeBase: {evalplus.StyleBase, codecontests.StyleBase},
}

func (native) Styles() []family.Style {
	ep, _ := family.StyleByName(evalplus.Family{}, evalplus.StyleChat)
	cc, _ := family.StyleByName(codecontests.Family{}, codecontests.StyleChat)
	epBase, _ := family.StyleByName(evalplus.Family{}, evalplus.StyleBase)
	ccBase, _ := family.StyleByName(codecontests.Family{}, codecontests.StyleBase)
	return []family.Style{
		{Name: nativeChat, API: family.APIChat, Sanitize: true, Defaults: cc.Defaults,
			Source: "problems with a prompt: " + ep.Source + "; stdin/stdout problems: " + cc.Source,
			Doc:    "problems with a prompt as evalplus-chat, stdin/stdout problems as stdin-chat"},
		{Name: nativeBase, Base: true, API: family.APICompletions, Sanitize: true, Defaults: ccBase.Defaults,
			Source: "problems with a prompt: " + epBase.Source + "; stdin/stdout problems: " + ccBase.Source,
			Doc:    "problems with a prompt as evalplus-base, stdin/stdout problems as stdin-base"},
	}
}

// forProblem is the family and style that prompt p in a native style.
func (native) forProblem(p *benchmarks.Problem, style string) (family.Family, string, error) {
	s, ok := nativeStyles[style]
	if !ok {
		return nil, "", fmt.Errorf("unknown prompt style %q (chat or base)", style)
	}
	if p.Kind == benchmarks.KindStdio {
		return codecontests.Family{}, s[1], nil
	}
	return evalplus.Family{}, s[0], nil
}

func (n native) Prompt(p *benchmarks.Problem, style string, opts family.Options) (*family.Prompt, error) {
	f, s, err := n.forProblem(p, style)
	if err != nil {
		return nil, err
	}
	pr, err := f.Prompt(p, s, opts)
	if err != nil {
		return nil, err
	}
	pr.Style = style
	return pr, nil
}

func (n native) Extract(p *benchmarks.Problem, style, answer string) family.Sample {
	f, s, err := n.forProblem(p, style)
	if err != nil {
		return family.Sample{Code: answer}
	}
	return f.Extract(p, s, answer)
}

// Package judgegen finds the problems that need a special judge, writes
// one (from a template, or through a language model), and proves it before
// it is trusted: the checker must compile, accept the reference output and
// other correct outputs of every test, and reject wrong outputs derived
// from them (mutants).
package judgegen

import (
	"html"
	"regexp"
	"slices"
	"strings"

	"github.com/scalebox-dev/scalebox/benchmarks"
)

// Categories of problems.
const (
	MultipleSolutions = "multiple_solutions"
	FloatComparison   = "float_comparison"
	Other             = "other"
	// Interactive problems need an interactor, which judgegen does not
	// write.
	Interactive = "interactive"
	None        = "none"
)

// Task is one problem as judge generation sees it.
type Task struct {
	Benchmark string
	ID        string
	// Statement is the problem text (HTML is reduced to text).
	Statement string
	Tests     []benchmarks.Test
	// Validation is what a Kattis problem.yaml says of its validation:
	// "custom" when the problem has an output validator of its own,
	// "custom interactive" (or a type "interactive") for an interactive
	// one, "default" or empty otherwise. ValidatorFlags are its output
	// validator flags ("float_tolerance 1e-6").
	Validation     string
	ValidatorFlags string
	// Alternatives are other correct outputs, by test index (the outputs
	// of other reference solutions).
	Alternatives map[int][]string
}

// Meta keys a loader may set on a problem for TaskFromProblem: the Kattis
// problem.yaml validation, and validator flags for a loader that has no
// Problem.ValidatorFlags to give.
const (
	MetaValidation     = "validation"
	MetaValidatorFlags = "output_validator_flags"
)

// TaskFromProblem describes a benchmark's stdio problem: its statement,
// tests, validation (the Kattis loader's meta "validation", or "custom"
// for a problem marked custom) and validator flags (the problem's, then
// those its tests' groups add when every test has the same).
func TaskFromProblem(bench string, p *benchmarks.Problem) Task {
	t := Task{
		Benchmark:  bench,
		ID:         p.TaskID,
		Statement:  StatementText(p.Statement),
		Tests:      p.Tests,
		Validation: p.Meta[MetaValidation],
	}
	if t.Validation == "" && p.Validation == benchmarks.ValidationCustom {
		t.Validation = "custom"
	}
	flags := append([]string(nil), p.ValidatorFlags...)
	if len(p.Tests) > 0 {
		same := true
		for _, x := range p.Tests[1:] {
			same = same && slices.Equal(x.ValidatorFlags, p.Tests[0].ValidatorFlags)
		}
		if same {
			flags = append(flags, p.Tests[0].ValidatorFlags...)
		}
	}
	t.ValidatorFlags = strings.Join(flags, " ")
	if t.ValidatorFlags == "" {
		t.ValidatorFlags = p.Meta[MetaValidatorFlags]
	}
	return t
}

var (
	scriptRE = regexp.MustCompile(`(?is)<(script|style)\b[^>]*>.*?</(script|style)>`)
	supRE    = regexp.MustCompile(`(?is)<(sup|sub)\b[^>]*>(.*?)</(?:sup|sub)>`)
	tagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE  = regexp.MustCompile(`[ \t\r\f\v]+`)
	blankRE  = regexp.MustCompile(`\n\s*\n+`)
)

// StatementText reduces an HTML statement to text (scripts and styles
// dropped, superscripts written ^x and subscripts _x so that 10<sup>-6</sup>
// reads 10^-6, tags removed, entities decoded, spaces collapsed); text
// without tags is returned trimmed.
func StatementText(s string) string {
	if !strings.Contains(s, "<") || !tagRE.MatchString(s) {
		return strings.TrimSpace(s)
	}
	s = scriptRE.ReplaceAllString(s, " ")
	s = supRE.ReplaceAllStringFunc(s, func(m string) string {
		g := supRE.FindStringSubmatch(m)
		mark := "^"
		if strings.EqualFold(g[1], "sub") {
			mark = "_"
		}
		return mark + strings.TrimSpace(g[2])
	})
	s = tagRE.ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, "$$$", "")
	s = spaceRE.ReplaceAllString(s, " ")
	s = blankRE.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}

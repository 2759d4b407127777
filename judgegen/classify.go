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
	"strconv"
	"strings"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge/registry"
)

// Categories of problems.
const (
	MultipleSolutions = "multiple_solutions"
	FloatComparison   = "float_comparison"
	Other             = "other"
	None              = "none"
)

// Task is one problem as judge generation sees it.
type Task struct {
	Benchmark string
	ID        string
	// Statement is the problem text (HTML is reduced to text).
	Statement string
	Tests     []benchmarks.Test
	// Validation is "custom" when the problem declares an output validator
	// of its own (Kattis problem.yaml), ValidatorFlags its Kattis
	// output validator flags ("float_tolerance 1e-6").
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

// Phrases that say a problem accepts several answers.
var multipleRE = regexp.MustCompile(`(?i)(` + strings.Join([]string{
	`(output|print|choose|give|provide|return)\s+any\s+(one\s+)?(of\s+)?(them|those|these|such|valid|correct|possible|one|answer|solution|arrangement|configuration)`,
	`(you\s+)?(may|can)\s+(output|print|choose|give|return)\s+any`,
	`any\s+(one\s+)?of\s+them`,
	`if\s+there\s+(are|is)\s+(multiple|several|many|more\s+than\s+one)\s+(possible\s+|valid\s+|correct\s+|acceptable\s+|optimal\s+)?(answers?|solutions?|ways|outputs?|orders?|arrangements?|configurations?|assignments?|plans?|sets?|choices?|words?|schedules?)`,
	`if\s+(multiple|several|many)\s+(possible\s+|valid\s+|correct\s+)?(answers?|solutions?|arrangements?|evacuation\s+plans?)\s+(are|exist|is)`,
	`more\s+than\s+one\s+(valid\s+|possible\s+|correct\s+|such\s+)?(answer|solution|way|order|word)`,
	`any\s+(valid|correct|such|acceptable)\s+(answer|solution|one|output|configuration|arrangement|assignment|order|set|positioning)`,
	`any\s+(choice|solution|answer)\s+(is\s+acceptable|will\s+(be\s+accepted|make))`,
	`(many|multiple|several)\s+(possible\s+|valid\s+|correct\s+)+(answers|solutions)`,
	`one\s+of\s+(multiple|many|several)\s+(possible\s+)?(valid\s+)?(answers|solutions)`,
	`(multiple|many|several)\s+valid\s+solutions`,
	`there\s+(are|may\s+be)\s+(multiple|many|several)\s+(ways|solutions)`,
	`other\s+(sets|answers|solutions)\s+\w*\s*could\s+have\s+been\s+used`,
	`would\s+also\s+be\s+an?\s+(acceptable|valid|correct)\s+answer`,
	`another\s+(valid\s+|correct\s+)?(answer|solution)\s+(is|would\s+be)`,
	`the\s+only\s+other\s+possible\s+answers`,
}, "|") + `)`)

// Phrases that say real numbers are compared with a tolerance.
var floatRE = regexp.MustCompile(`(?i)(absolute\s+or\s+relative|relative\s+or\s+absolute|absolute\s+error|relative\s+error|within\s+an?\s+(absolute|relative)|error\s+of\s+at\s+most|precision\s+of\s+at\s+least|to\s+within\s+10)`)

// Classify decides by rules whether a task needs a special judge: Kattis
// validator flags first (float tolerances), then the problem's declaring a
// custom validator, then phrases of the statement.
func Classify(t *Task) registry.Classification {
	if tol, ok, err := FlagTolerance(strings.Fields(t.ValidatorFlags)); err == nil && ok {
		return registry.Classification{NeedsJudge: true, Category: FloatComparison, Confidence: 0.99, By: "rules",
			Reason: tol.String() + " from " + tol.Source, AbsTol: tol.Abs, RelTol: tol.Rel}
	}
	custom := strings.EqualFold(strings.TrimSpace(t.Validation), "custom")
	if m := multipleRE.FindString(t.Statement); m != "" {
		c := registry.Classification{NeedsJudge: true, Category: MultipleSolutions, Confidence: 0.85, By: "rules",
			Reason: "statement: " + strconv.Quote(squeeze(m))}
		if custom {
			c.Confidence, c.Reason = 0.97, "custom output validator; "+c.Reason
		}
		return c
	}
	if loc := floatRE.FindStringIndex(t.Statement); loc != nil {
		c := registry.Classification{NeedsJudge: true, Category: FloatComparison, Confidence: 0.85, By: "rules",
			Reason: "statement: " + strconv.Quote(squeeze(t.Statement[loc[0]:loc[1]]))}
		tol := ResolveTolerance(nil, t.Statement)
		c.AbsTol, c.RelTol = tol.Abs, tol.Rel
		c.Reason += "; " + tol.String() + " from " + tol.Source
		if custom {
			c.Confidence, c.Reason = 0.9, "custom output validator; "+c.Reason
		}
		return c
	}
	if custom {
		return registry.Classification{NeedsJudge: true, Category: Other, Confidence: 0.9, By: "rules",
			Reason: "the problem declares a custom output validator"}
	}
	return registry.Classification{NeedsJudge: false, Category: None, Confidence: 0.6, By: "rules",
		Reason: "no validator flags, custom validator or statement phrase calls for one"}
}

func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

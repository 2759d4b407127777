// Package judgegen finds the problems that need a special judge, writes
// one (from a template, or through a language model), and proves it before
// it is trusted: the checker must compile, accept the reference output and
// other correct outputs of every test, and reject wrong outputs derived
// from them (mutants).
package judgegen

import (
	"html"
	"regexp"
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
	// output_validator_flags ("float_tolerance 1e-6").
	Validation     string
	ValidatorFlags string
	// Alternatives are other correct outputs, by test index (the outputs
	// of other reference solutions).
	Alternatives map[int][]string
}

// Meta keys a loader sets on a problem for TaskFromProblem: the Kattis
// problem.yaml validation and output_validator_flags.
const (
	MetaValidation     = "validation"
	MetaValidatorFlags = "output_validator_flags"
)

// TaskFromProblem describes a benchmark's stdio problem.
func TaskFromProblem(bench string, p *benchmarks.Problem) Task {
	return Task{
		Benchmark:      bench,
		ID:             p.TaskID,
		Statement:      StatementText(p.Statement),
		Tests:          p.Tests,
		Validation:     p.Meta[MetaValidation],
		ValidatorFlags: p.Meta[MetaValidatorFlags],
	}
}

var (
	scriptRE = regexp.MustCompile(`(?is)<(script|style)\b[^>]*>.*?</(script|style)>`)
	tagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE  = regexp.MustCompile(`[ \t\r\f\v]+`)
	blankRE  = regexp.MustCompile(`\n\s*\n+`)
)

// StatementText reduces an HTML statement to text (scripts and styles
// dropped, tags removed, entities decoded, spaces collapsed); text without
// tags is returned trimmed.
func StatementText(s string) string {
	if !strings.Contains(s, "<") || !tagRE.MatchString(s) {
		return strings.TrimSpace(s)
	}
	s = scriptRE.ReplaceAllString(s, " ")
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

// tolRE finds a tolerance such as 10^-6, 10^{-6}, 10 -6 (a stripped
// superscript) or 1e-6 near a float phrase.
var tolRE = regexp.MustCompile(`(?i)(?:10\s*\^?\s*\{?\s*[-−–]\s*(\d+)\}?|(\d(?:\.\d+)?)\s*[eE]\s*[-−–]\s*(\d+)|\b(0\.0*1)\b)`)

// Classify decides by rules whether a task needs a special judge: Kattis
// validator flags first (float tolerances), then the problem's declaring a
// custom validator, then phrases of the statement.
func Classify(t *Task) registry.Classification {
	if abs, rel, ok := flagTolerances(t.ValidatorFlags); ok {
		return registry.Classification{NeedsJudge: true, Category: FloatComparison, Confidence: 0.99, By: "rules",
			Reason: "output_validator_flags: " + strings.TrimSpace(t.ValidatorFlags), AbsTol: abs, RelTol: rel}
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
		c.AbsTol, c.RelTol = statementTolerance(t.Statement[loc[0]:], t.Statement[loc[0]:loc[1]])
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

// flagTolerances reads Kattis float tolerance flags: float_tolerance is
// absolute or relative, the others one of them.
func flagTolerances(flags string) (abs, rel float64, ok bool) {
	f := strings.Fields(flags)
	for i := 0; i+1 < len(f); i++ {
		v, err := strconv.ParseFloat(f[i+1], 64)
		if err != nil || v < 0 {
			continue
		}
		switch f[i] {
		case "float_tolerance":
			abs, rel, ok = v, v, true
		case "float_absolute_tolerance":
			abs, ok = v, true
		case "float_relative_tolerance":
			rel, ok = v, true
		}
	}
	return abs, rel, ok
}

// statementTolerance reads the tolerance that follows a float phrase (in
// the next 200 bytes); 1e-6 when none is found. Which of absolute and
// relative apply follows the phrase.
func statementTolerance(after, phrase string) (abs, rel float64) {
	if len(after) > 200 {
		after = after[:200]
	}
	v := 1e-6
	if m := tolRE.FindStringSubmatch(after); m != nil {
		switch {
		case m[1] != "":
			if n, err := strconv.Atoi(m[1]); err == nil && n > 0 && n < 20 {
				v, _ = strconv.ParseFloat("1e-"+m[1], 64)
			}
		case m[3] != "":
			if x, err := strconv.ParseFloat(m[2]+"e-"+m[3], 64); err == nil && x > 0 {
				v = x
			}
		case m[4] != "":
			if x, err := strconv.ParseFloat(m[4], 64); err == nil && x > 0 {
				v = x
			}
		}
	}
	p := strings.ToLower(phrase)
	switch {
	case strings.Contains(p, "absolute") && strings.Contains(p, "relative"):
		return v, v
	case strings.Contains(p, "relative"):
		return 0, v
	case strings.Contains(p, "absolute"):
		return v, 0
	}
	return v, v
}

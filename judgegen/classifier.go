package judgegen

import (
	_ "embed"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/scalebox-dev/scalebox/judge/registry"
)

//go:generate go run ./internal/train -data ../../shared/data/codejam-statements -o model.json

// modelJSON is the statement model trained on the labelled Code Jam
// statements (../shared/data/codejam-statements) by internal/train.
//
//go:embed model.json
var modelJSON []byte

var (
	defaultModel     *Model
	defaultModelErr  error
	defaultModelOnce sync.Once
)

// DefaultModel returns the embedded statement model. It is safe for
// concurrent use; the model must not be changed.
func DefaultModel() (*Model, error) {
	defaultModelOnce.Do(func() {
		defaultModel, defaultModelErr = UnmarshalModel(modelJSON)
		if defaultModelErr != nil {
			defaultModelErr = fmt.Errorf("the embedded statement model: %w", defaultModelErr)
		}
	})
	return defaultModel, defaultModelErr
}

// Phrases that say a problem accepts several answers. They name the
// category of a problem that needs a judge (multiple_solutions rather than
// other) and the reason; whether it needs one is the model's call.
var multipleRE = regexp.MustCompile(`(?i)(` + strings.Join([]string{
	`(output|print|choose|give|provide|return)\s+any\s+(one\s+)?(of\s+)?(them|those|these|such|valid|correct|possible|one|answer|solution|arrangement|configuration)`,
	`(you\s+)?(may|can)\s+(output|print|choose|give|return)\s+any`,
	`any\s+(one\s+)?of\s+them`,
	`if\s+there\s+(are|is)\s+(multiple|several|many|more\s+than\s+one)\s+(possible\s+|valid\s+|correct\s+|acceptable\s+|optimal\s+)?(answers?|solutions?|ways|outputs?)`,
	`if\s+(multiple|several|many)\s+(possible\s+|valid\s+|correct\s+)?(answers?|solutions?)\s+(are|exist|is)`,
	`more\s+than\s+one\s+(valid\s+|possible\s+|correct\s+|such\s+)?(answer|solution)`,
	`any\s+(valid|correct|such|acceptable)\s+(answer|solution|one|output)`,
	`(many|multiple|several)\s+(possible\s+|valid\s+|correct\s+)+(answers|solutions)`,
}, "|") + `)`)

// interactiveRE finds the words that make a statement an interactive
// problem's.
var interactiveRE = regexp.MustCompile(`(?i)\b(?:(?:this|the)\s+(?:problem|task)\s+is\s+(?:an\s+)?interactive|an?\s+interactive\s+(?:problem|task)|interactive\s+(?:judge|runner|protocol)|local\s+testing\s+tool)\b`)

// LLMThreshold is the confidence below which judgegen asks the LLM, when
// one is configured.
const LLMThreshold = 0.9

// Classifier decides whether a problem needs a special judge: exact rules
// on what the problem package states (an interactive or custom
// validation, the validator flags' tolerance), the interactive markers of
// a statement, and otherwise the statement model.
type Classifier struct {
	Model *Model
}

// Classify decides by the embedded statement model and the rules (see
// Classifier) whether a task needs a special judge.
func Classify(t *Task) registry.Classification {
	m, err := DefaultModel()
	if err != nil {
		// The embedded model is part of the build; a broken one is a bug
		// that tests catch.
		panic(err)
	}
	return (&Classifier{Model: m}).Classify(t)
}

// Classify classifies a task:
//
//  1. problem.yaml says interactive (validation custom interactive, type
//     interactive): interactive;
//  2. the statement says it is interactive ("this is an interactive
//     problem", "local testing tool"): interactive;
//  3. problem.yaml says custom: it needs a judge (multiple_solutions when
//     the statement says so, else other), with the statement's tolerance
//     recorded when it states one;
//  4. a task without a statement is a float one when its validator flags
//     set a tolerance, else taken for exact (confidence 0.5);
//  5. otherwise the statement model decides (Model.Decide, with its
//     confidence); but where problem.yaml says
//     validation default (the jury judges with the default validator) a
//     problem is at most a float one: a float one when the model says
//     float, or says custom and the statement bounds an answer's error. A float problem's tolerance comes
//     from ResolveTolerance: the validator flags, else the statement. A
//     float tolerance flag alone does not make a problem a float one:
//     archives (the Code Jam one) write it on integer problems too.
func (k *Classifier) Classify(t *Task) registry.Classification {
	return k.classify(t, nil)
}

// classify is Classify with the statement's Features when they are known
// (nil: computed when needed).
func (k *Classifier) classify(t *Task, feats []string) registry.Classification {
	v := strings.ToLower(strings.TrimSpace(t.Validation))
	if strings.Contains(v, "interactive") || strings.Contains(v, "multi-pass") {
		return registry.Classification{NeedsJudge: true, Category: Interactive, Confidence: 0.99, By: "rules",
			Reason: "problem.yaml: validation " + strconv.Quote(t.Validation) + "; an interactor is needed"}
	}
	if m := interactiveRE.FindString(t.Statement); m != "" {
		return registry.Classification{NeedsJudge: true, Category: Interactive, Confidence: 0.95, By: "rules",
			Reason: "statement: " + strconv.Quote(squeeze(m)) + "; an interactor is needed"}
	}
	if strings.TrimSpace(t.Statement) == "" {
		// Nothing to read: the package's facts alone.
		if tol, ok, err := FlagTolerance(strings.Fields(t.ValidatorFlags)); err == nil && ok {
			return registry.Classification{NeedsJudge: true, Category: FloatComparison, Confidence: 0.9, By: "rules",
				Reason: "no statement; " + tol.String() + " from " + tol.Source, AbsTol: tol.Abs, RelTol: tol.Rel}
		}
		return registry.Classification{Category: None, Confidence: 0.5, By: "rules",
			Reason: "no statement to tell from, and no custom validation or float tolerance in the package"}
	}
	if strings.HasPrefix(v, "custom") {
		c := registry.Classification{NeedsJudge: true, Category: Other, Confidence: 0.99, By: "rules",
			Reason: "problem.yaml: a custom output validator"}
		if m := multipleRE.FindString(t.Statement); m != "" {
			c.Category, c.Reason = MultipleSolutions, c.Reason+"; statement: "+strconv.Quote(squeeze(m))
		}
		if tol, ok := StatementTolerance(t.Statement); ok {
			c.AbsTol, c.RelTol = tol.Abs, tol.Rel
			c.Reason += "; " + tol.String() + " (" + tol.Source + ")"
		}
		return c
	}
	if feats == nil {
		feats = Features(t.Statement)
	}
	label, probs, conf := k.Model.decide(feats)
	best := slices.Index(k.Model.Labels, label)
	p := probs[best]
	why := k.explain(feats, best)
	c := registry.Classification{Confidence: round3(conf), By: "model"}
	if v == "default" && (label == LabelCustom || label == LabelInteractive) {
		// The package judges with the default validator: whatever the
		// statement suggests, the jury's own judge compares the answer,
		// with a tolerance when the statement states one.
		c.Confidence = 0.99
		c.By = "rules"
		c.Category = None
		c.Reason = fmt.Sprintf("problem.yaml: validation default (the statement model says %s %.2f: %s)", label, p, why)
		if _, ok := StatementTolerance(t.Statement); ok {
			tol := ResolveTolerance(strings.Fields(t.ValidatorFlags), t.Statement)
			c.NeedsJudge, c.Category, c.AbsTol, c.RelTol = true, FloatComparison, tol.Abs, tol.Rel
			c.Reason += fmt.Sprintf("; the statement bounds the error: %s from %s", tol, tol.Source)
		}
		return c
	}
	switch label {
	case LabelFloat:
		tol := ResolveTolerance(strings.Fields(t.ValidatorFlags), t.Statement)
		c.NeedsJudge, c.Category, c.AbsTol, c.RelTol = true, FloatComparison, tol.Abs, tol.Rel
		c.Reason = fmt.Sprintf("statement model: float %.2f (%s); %s from %s", p, why, tol, tol.Source)
	case LabelCustom:
		c.NeedsJudge, c.Category = true, Other
		c.Reason = fmt.Sprintf("statement model: custom %.2f (%s)", p, why)
		if m := multipleRE.FindString(t.Statement); m != "" {
			c.Category = MultipleSolutions
			c.Reason += "; statement: " + strconv.Quote(squeeze(m))
		}
		if tol, ok := StatementTolerance(t.Statement); ok {
			c.AbsTol, c.RelTol = tol.Abs, tol.Rel
		}
	case LabelInteractive:
		c.NeedsJudge, c.Category = true, Interactive
		c.Reason = fmt.Sprintf("statement model: interactive %.2f (%s); an interactor is needed", p, why)
	default:
		c.Category = None
		c.Reason = fmt.Sprintf("statement model: exact %.2f (%s)", p, why)
	}
	return c
}

// explain names the three features of the statement that weigh most for
// the label against the others.
func (k *Classifier) explain(feats []string, label int) string {
	type fw struct {
		f string
		w float64
	}
	var fs []fw
	for _, f := range feats {
		w, ok := k.Model.Weights[f]
		if !ok {
			continue
		}
		d := w[label]
		for c := range w {
			if c != label {
				d -= w[c] / float64(len(w)-1)
			}
		}
		if d > 0 {
			fs = append(fs, fw{f, d})
		}
	}
	sort.SliceStable(fs, func(a, b int) bool { return fs[a].w > fs[b].w })
	var names []string
	for i := 0; i < len(fs) && i < 3; i++ {
		names = append(names, strconv.Quote(fs[i].f))
	}
	if len(names) == 0 {
		return "no telling words"
	}
	return strings.Join(names, ", ")
}

func argmax(p []float64) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

// LabelOf maps a classification to the label set of the labelled
// statements: none is exact, float_comparison float, interactive
// interactive, and the other categories custom.
func LabelOf(c registry.Classification) string {
	switch {
	case !c.NeedsJudge || c.Category == None:
		return LabelExact
	case c.Category == FloatComparison:
		return LabelFloat
	case c.Category == Interactive:
		return LabelInteractive
	}
	return LabelCustom
}

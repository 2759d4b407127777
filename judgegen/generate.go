package judgegen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/internal/llm"
	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/judge/registry"
)

// Options configure a generation run.
type Options struct {
	// Registry stores accepted judges; existing validated ones are kept
	// unless Force.
	Registry *registry.Dir
	Env      *checker.Env
	// LLM, when set, classifies what the rules and the statement model
	// are unsure of (confidence below LLMBelow) and writes checkers no
	// template covers; nil means rules and templates only.
	LLM *llm.Client
	// LLMBelow is the confidence below which the LLM classifies a task
	// (default LLMThreshold; above 1: every task).
	LLMBelow float64
	// Language is the language LLM checkers are written in (python3 or
	// cpp; default python3). They use the Kattis validator protocol.
	Language string
	// RepairRounds is how many times a failing LLM checker is sent back
	// with its failures (default 0: no repair).
	RepairRounds int
	// Validate tunes validation.
	Validate ValidateOptions
	// Tasks is how many tasks are worked on at once (default 1).
	Tasks int
	Force bool
	// Now stamps records (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// Row is what happened to one task.
type Row struct {
	TaskID         string                  `json:"task_id"`
	Classification registry.Classification `json:"classification"`
	// Generated is how the checker was made: template:<name>, llm,
	// existing (kept from the registry) or empty.
	Generated string `json:"generated,omitempty"`
	Validated bool   `json:"validated"`
	Stored    bool   `json:"stored"`
	Rounds    int    `json:"repair_rounds,omitempty"`
	// Reason says why a task got no judge, or what its validation found.
	Reason     string               `json:"reason,omitempty"`
	Validation *registry.Validation `json:"validation,omitempty"`
}

// Summary is the outcome of a run, rows in task order.
type Summary struct {
	Rows       []Row `json:"rows"`
	Classified int   `json:"classified"`
	NeedJudge  int   `json:"need_judge"`
	Generated  int   `json:"generated"`
	Validated  int   `json:"validated"`
	Rejected   int   `json:"rejected"`
	Skipped    int   `json:"skipped"`
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Run classifies each task and, for those that need one, generates,
// validates and stores a judge. Failures of a task's checker are rows, not
// errors; the error is for the machinery (the registry, the sandbox) or
// cancellation, after which the rows finished so far are returned.
func Run(ctx context.Context, tasks []Task, opts Options) (*Summary, error) {
	if opts.Registry == nil || opts.Env == nil {
		return nil, errors.New("judgegen: a registry and a checker environment are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Validate.Now == nil {
		opts.Validate.Now = opts.Now
	}
	rows := make([]*Row, len(tasks))
	n := opts.Tasks
	if n <= 0 {
		n = 1
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(n)
	for i := range tasks {
		g.Go(func() error {
			row, err := opts.one(gctx, &tasks[i])
			if err != nil {
				return fmt.Errorf("task %s: %w", tasks[i].ID, err)
			}
			rows[i] = row
			return nil
		})
	}
	err := g.Wait()
	s := &Summary{}
	for _, r := range rows {
		if r == nil {
			continue
		}
		s.Rows = append(s.Rows, *r)
		s.Classified++
		if r.Classification.NeedsJudge {
			s.NeedJudge++
		}
		if r.Generated != "" && r.Generated != "existing" {
			s.Generated++
		}
		switch {
		case r.Validated:
			s.Validated++
		case r.Generated != "":
			s.Rejected++
		case r.Classification.NeedsJudge:
			s.Skipped++
		}
	}
	return s, err
}

func (o *Options) one(ctx context.Context, t *Task) (*Row, error) {
	if !o.Force {
		if rec, err := o.Registry.Get(t.Benchmark, t.ID); err == nil && rec.Status() == "validated" {
			row := &Row{TaskID: t.ID, Generated: "existing", Validated: true, Stored: true, Reason: "kept the validated judge in the registry", Validation: rec.Validation}
			if rec.Classification != nil {
				row.Classification = *rec.Classification
			}
			return row, nil
		}
	}
	cls := Classify(t)
	below := o.LLMBelow
	if below == 0 {
		below = LLMThreshold
	}
	if o.LLM != nil && cls.Confidence < below {
		if c, err := o.classifyLLM(ctx, t); err == nil {
			cls = c
		} else if ctx.Err() != nil {
			return nil, ctx.Err()
		} else {
			o.Logger.Warn("LLM classification failed; keeping the rules' answer", "task", t.ID, "err", err)
		}
	}
	row := &Row{TaskID: t.ID, Classification: cls}
	if !cls.NeedsJudge {
		row.Reason = "exact comparison suffices"
		return row, nil
	}
	if cls.Category == Interactive {
		row.Reason = "interactive: it needs an interactor, and judgegen writes output checkers only"
		return row, nil
	}
	if spec, name, ok := Template(t, &cls); ok {
		row.Generated = "template:" + name
		v, err := Validate(ctx, o.Env, spec, t, &cls, o.Validate)
		if err != nil {
			return nil, err
		}
		row.Validation = v
		if v.Passed {
			return row, o.store(t, row, spec, registry.Provenance{Kind: registry.FromTemplate, Template: name, Date: o.stamp()}, &cls, v)
		}
		row.Reason = "template failed validation: " + first(v.Failures)
		if o.LLM == nil {
			return row, nil
		}
	}
	if o.LLM == nil {
		row.Reason = "no template fits; needs an LLM (--llm-url) or a checker of your own (scalebox judge import)"
		return row, nil
	}
	return row, o.generateLLM(ctx, t, &cls, row)
}

func (o *Options) stamp() string { return o.now().UTC().Format(time.RFC3339) }

func (o *Options) store(t *Task, row *Row, spec *checker.Spec, prov registry.Provenance, cls *registry.Classification, v *registry.Validation) error {
	rec := &registry.Record{Benchmark: t.Benchmark, TaskID: t.ID, Checker: *spec, Provenance: prov, Classification: cls, Validation: v}
	if err := o.Registry.Put(rec); err != nil {
		return err
	}
	row.Validated, row.Stored = true, true
	row.Reason = fmt.Sprintf("accepted %d/%d references, %d/%d alternatives; rejected %d/%d mutants",
		v.ReferenceAccepted, v.Tests, v.AlternativesAccepted, v.Alternatives, v.MutantsRejected, v.Mutants)
	return nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func (o *Options) language() string {
	if o.Language == "" {
		return "python3"
	}
	return o.Language
}

// generateLLM asks the model for a checker, validates it, and sends the
// failures back for up to RepairRounds more tries.
func (o *Options) generateLLM(ctx context.Context, t *Task, cls *registry.Classification, row *Row) error {
	row.Generated = "llm"
	lang := o.language()
	msgs := []llm.Message{{Role: "system", Content: systemPrompt}, {Role: "user", Content: checkerPrompt(t, cls, lang)}}
	promptKey := o.LLM.RequestKey(msgs)
	for round := 0; ; round++ {
		ans, err := o.LLM.Chat(ctx, msgs)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			row.Reason = "LLM: " + err.Error()
			return nil
		}
		code := benchmarks.ExtractCode(ans.Content, lang)
		spec := &checker.Spec{Protocol: checker.Kattis, Language: lang, Source: code}
		var v *registry.Validation
		if strings.TrimSpace(code) == "" {
			v = &registry.Validation{Date: o.stamp(), Kind: "full", Tests: len(t.Tests), Failures: []string{"the answer holds no code"}}
		} else if v, err = Validate(ctx, o.Env, spec, t, cls, o.Validate); err != nil {
			return err
		}
		row.Validation, row.Rounds = v, round
		if v.Passed {
			prov := registry.Provenance{Kind: registry.FromLLM, Model: o.LLM.Model, PromptSHA256: promptKey, Endpoint: o.LLM.Endpoint(), Rounds: round, Date: o.stamp()}
			return o.store(t, row, spec, prov, cls, v)
		}
		if round >= o.RepairRounds {
			row.Reason = fmt.Sprintf("rejected after %d repair rounds: %s", round, first(v.Failures))
			return nil
		}
		msgs = append(msgs, llm.Message{Role: "assistant", Content: ans.Content}, llm.Message{Role: "user", Content: repairPrompt(v)})
	}
}

const systemPrompt = `You write output checkers (special judges) for programming contest problems. A checker decides whether a contestant's output is a correct answer for the given input, accepting every correct answer, not only the jury's. Answer with one complete program in a single fenced code block.`

// checkerPrompt asks for a Kattis output validator.
func checkerPrompt(t *Task, cls *registry.Classification, lang string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Problem statement:\n%s\n\n", clip(t.Statement, 12000))
	fmt.Fprintf(&b, "Why it needs a checker: %s (%s).\n\n", cls.Category, cls.Reason)
	if len(t.Tests) > 0 {
		fmt.Fprintf(&b, "An example input:\n```\n%s\n```\nThe jury's answer for it (one correct answer among possibly many):\n```\n%s\n```\n\n", clip(t.Tests[0].Input, 1500), clip(t.Tests[0].Output, 1500))
	}
	name := map[string]string{"python3": "Python 3 (standard library only)", "cpp": "C++17 (standard library only)"}[lang]
	if name == "" {
		name = lang
	}
	fmt.Fprintf(&b, `Write the checker in %s as a Kattis output validator:
- it is run as: checker INPUT_FILE ANSWER_FILE FEEDBACK_DIR < contestant_output
- INPUT_FILE is the test's input, ANSWER_FILE the jury's answer; the contestant's output is on standard input;
- exit with code 42 when the contestant's output is correct, 43 when it is wrong; you may write an explanation to FEEDBACK_DIR/judgemessage.txt;
- check the whole output: every test case, the exact case labels ("Case #i:"), no missing or extra output; tolerate differences of whitespace;
- verify the contestant's answer against the input and the problem's rules, and use the jury's answer where it helps (an optimal value, whether a solution exists);
- never crash on malformed output: reject it with 43.
`, name)
	return b.String()
}

func repairPrompt(v *registry.Validation) string {
	var b strings.Builder
	b.WriteString("The checker failed validation:\n")
	for _, f := range v.Failures {
		fmt.Fprintf(&b, "- %s\n", f)
	}
	b.WriteString("\nFix it and answer with the whole corrected program in one fenced code block.")
	return b.String()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "\n… (truncated)"
}

// classifyLLM asks the model whether a task needs a special judge.
func (o *Options) classifyLLM(ctx context.Context, t *Task) (registry.Classification, error) {
	prompt := fmt.Sprintf(`Does this programming problem need a special judge (a checker program) instead of comparing the output with the jury's answer exactly?
Answer with one JSON object: {"needs_special_judge": true|false, "category": "multiple_solutions"|"float_comparison"|"interactive"|"other"|"none", "reason": "...", "confidence": 0.0-1.0}.

Problem statement:
%s
`, clip(t.Statement, 12000))
	if t.ValidatorFlags != "" || t.Validation != "" {
		prompt += fmt.Sprintf("\nThe problem package says: validation %q, output_validator_flags %q.\n", t.Validation, t.ValidatorFlags)
	}
	ans, err := o.LLM.Chat(ctx, []llm.Message{{Role: "user", Content: prompt}})
	if err != nil {
		return registry.Classification{}, err
	}
	return parseClassification(ans.Content, o.LLM.Model, t)
}

func parseClassification(content, model string, t *Task) (registry.Classification, error) {
	i, j := strings.Index(content, "{"), strings.LastIndex(content, "}")
	if i < 0 || j < i {
		return registry.Classification{}, errors.New("no JSON object in the answer")
	}
	var a struct {
		Needs      *bool   `json:"needs_special_judge"`
		Category   string  `json:"category"`
		Reason     string  `json:"reason"`
		Confidence float64 `json:"confidence"`
	}
	if err := json.Unmarshal([]byte(content[i:j+1]), &a); err != nil {
		return registry.Classification{}, fmt.Errorf("the answer's JSON: %w", err)
	}
	if a.Needs == nil {
		return registry.Classification{}, errors.New("the answer lacks needs_special_judge")
	}
	switch a.Category {
	case MultipleSolutions, FloatComparison, Other, Interactive, None:
	default:
		return registry.Classification{}, fmt.Errorf("unknown category %q", a.Category)
	}
	c := registry.Classification{NeedsJudge: *a.Needs, Category: a.Category, Reason: a.Reason, Confidence: min(max(a.Confidence, 0), 1), By: "llm:" + model}
	if !c.NeedsJudge {
		c.Category = None
	}
	if c.Category == FloatComparison {
		tol := ResolveTolerance(strings.Fields(t.ValidatorFlags), t.Statement)
		c.AbsTol, c.RelTol = tol.Abs, tol.Rel
	}
	return c, nil
}

// WriteTable prints the summary for people: one row per task, then totals
// and the reasons tasks got no judge.
func (s *Summary) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tJUDGE?\tCATEGORY\tCONF\tBY\tGENERATED\tVALIDATED\tNOTE")
	for _, r := range s.Rows {
		need := "no"
		if r.Classification.NeedsJudge {
			need = "yes"
		}
		gen, val := r.Generated, "-"
		if gen == "" {
			gen = "-"
		}
		if r.Validation != nil || r.Validated {
			val = "no"
			if r.Validated {
				val = "yes"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%s\t%s\t%s\t%s\n", r.TaskID, need, r.Classification.Category, r.Classification.Confidence,
			r.Classification.By, gen, val, clip1(r.Reason, 100))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nclassified %d, need a judge %d, generated %d, validated %d, rejected %d, skipped %d\n",
		s.Classified, s.NeedJudge, s.Generated, s.Validated, s.Rejected, s.Skipped)
	return err
}

func clip1(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

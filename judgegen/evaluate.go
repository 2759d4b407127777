package judgegen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"golang.org/x/sync/errgroup"

	"github.com/scalebox-dev/scalebox/benchmarks/kattis"
)

// Labelled is a problem of a labelled folder: its label (exact, float,
// custom, interactive) and what the classifier reads of it.
type Labelled struct {
	ID    string
	Label string
	// Task holds the statement's text, problem.yaml's validation (an
	// interactive type folded in as "custom interactive") and validator
	// flags; it has no tests.
	Task Task
}

// LabelsFile is the file of a labelled folder that gives each problem's
// label: a header line, then "problem<TAB>label" lines, the problem a
// Kattis package folder relative to the labelled folder.
const LabelsFile = "LABELS.tsv"

// LoadLabelled reads a labelled folder (the layout of
// ../shared/data/codejam-statements): LABELS.tsv and, for each problem,
// its problem.yaml (read by the loader's tolerant reader: a file that is
// not valid YAML is read in part, and the warnings name file and line) and
// its statement. A missing problem, statement or unknown label is an error
// naming the line of LABELS.tsv.
func LoadLabelled(dir string) ([]Labelled, []string, error) {
	fsys := os.DirFS(dir)
	raw, err := fs.ReadFile(fsys, LabelsFile)
	if err != nil {
		return nil, nil, err
	}
	var out []Labelled
	var warnings []string
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		where := fmt.Sprintf("%s:%d", filepath.Join(dir, LabelsFile), n)
		if strings.TrimSpace(line) == "" || n == 1 && strings.HasPrefix(line, "problem\t") {
			continue
		}
		id, label, ok := strings.Cut(line, "\t")
		id, label = strings.TrimSpace(id), strings.TrimSpace(label)
		if !ok || id == "" || !slices.Contains(ModelLabels, label) {
			return nil, warnings, fmt.Errorf("%s: want \"problem<TAB>label\" with a label among %s, got %q", where, strings.Join(ModelLabels, ", "), line)
		}
		if !fs.ValidPath(id) {
			return nil, warnings, fmt.Errorf("%s: %q is not a folder under %s", where, id, dir)
		}
		if first, dup := seen[id]; dup {
			return nil, warnings, fmt.Errorf("%s: %s appears twice (first on line %d)", where, id, first)
		}
		seen[id] = n
		yamlFile := path.Join(id, "problem.yaml")
		y, err := fs.ReadFile(fsys, yamlFile)
		if err != nil {
			return nil, warnings, fmt.Errorf("%s: %w", where, err)
		}
		facts, w, err := kattis.ReadFacts(filepath.Join(dir, yamlFile), y)
		warnings = append(warnings, w...)
		if err != nil {
			return nil, warnings, err
		}
		st := kattis.Statement(fsys, id)
		if st == "" {
			return nil, warnings, fmt.Errorf("%s: %s has no statement (problem_statement/problem.html, .md or .tex)", where, id)
		}
		validation := facts.Validation
		if validation == "" {
			validation = "default" // Kattis's default
		}
		if strings.Contains(facts.Type, "interactive") && !strings.Contains(validation, "interactive") {
			validation = "custom interactive"
		}
		out = append(out, Labelled{ID: id, Label: label, Task: Task{
			Benchmark: "labelled", ID: id, Statement: StatementText(st),
			Validation: validation, ValidatorFlags: strings.Join(facts.ValidatorFlags, " "),
		}})
	}
	if err := sc.Err(); err != nil {
		return nil, warnings, fmt.Errorf("%s: %w", filepath.Join(dir, LabelsFile), err)
	}
	if len(out) == 0 {
		return nil, warnings, fmt.Errorf("%s: no problems", filepath.Join(dir, LabelsFile))
	}
	return out, warnings, nil
}

// Examples are the labelled problems as training examples.
func Examples(ps []Labelled) []Example {
	out := make([]Example, len(ps))
	for i, p := range ps {
		out[i] = Example{ID: p.ID, Label: p.Label, Text: p.Task.Statement}
	}
	return out
}

// Evaluation modes: what of problem.yaml the classifier sees.
const (
	// ModeAsIs gives the classifier problem.yaml as it is.
	ModeAsIs = "problem.yaml as it is"
	// ModeStatement gives it the statement only: problem.yaml without its
	// validation, type and validator flags.
	ModeStatement = "statement only"
)

// EvalOptions tune EvaluateClassifier.
type EvalOptions struct {
	// Model is evaluated as it is when CrossValidate is false (default:
	// the embedded model).
	Model *Model
	// CrossValidate trains a model on k-1 folds of the problems and
	// classifies the held-out fold, for each of Folds stratified folds
	// (default 5) drawn with Seed (default 1).
	CrossValidate bool
	Folds         int
	Seed          int64
	Train         TrainOptions
	// Jobs is how many folds are trained at once (default 1).
	Jobs int
}

// ClassScore is how one class (or "needs a judge": every class but exact)
// fared.
type ClassScore struct {
	Label string `json:"label"`
	// Support is how many problems have the label, Predicted how many were
	// given it, Correct how many of those have it.
	Support   int     `json:"support"`
	Predicted int     `json:"predicted"`
	Correct   int     `json:"correct"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// Miss is a problem the classifier got wrong.
type Miss struct {
	ID         string  `json:"id"`
	Label      string  `json:"label"`
	Predicted  string  `json:"predicted"`
	Confidence float64 `json:"confidence"`
	Reason     string  `json:"reason"`
}

// ModeScore is the evaluation in one mode.
type ModeScore struct {
	Mode    string       `json:"mode"`
	Classes []ClassScore `json:"classes"`
	// NeedsJudge scores float, custom and interactive together against
	// exact: its precision is the share of flagged problems that do need a
	// judge.
	NeedsJudge ClassScore `json:"needs_judge"`
	Accuracy   float64    `json:"accuracy"`
	// Confusion counts problems by label, then by predicted label.
	Confusion map[string]map[string]int `json:"confusion"`
	// Unsure counts predictions below LLMThreshold (the LLM, when
	// configured, would decide them).
	Unsure int    `json:"unsure"`
	Misses []Miss `json:"misses"`
}

// ClassifierReport is the evaluation of the classifier on a labelled
// folder.
type ClassifierReport struct {
	Dir      string `json:"dir"`
	Problems int    `json:"problems"`
	Method   string `json:"method"`
	// Evaluation says how the figures were made: cross-validation, or the
	// given model on problems it was not trained on.
	Evaluation string `json:"evaluation"`
	// Thresholds are the models' thresholds on P(exact): one per fold in
	// cross-validation.
	Thresholds []float64   `json:"thresholds"`
	Modes      []ModeScore `json:"modes"`
}

// EvaluateClassifier classifies labelled problems in both modes and
// scores the result per class. With CrossValidate, no problem is
// classified by a model trained on it.
func EvaluateClassifier(ctx context.Context, ps []Labelled, opts EvalOptions) (*ClassifierReport, error) {
	if len(ps) == 0 {
		return nil, errors.New("no labelled problems")
	}
	models := make([]*Model, len(ps)) // the model that classifies each problem
	rep := &ClassifierReport{Problems: len(ps)}
	examples := Examples(ps)
	for i := range examples {
		examples[i].features() // once, for every fold and mode
	}
	if opts.CrossValidate {
		k, seed := opts.Folds, opts.Seed
		if k == 0 {
			k = 5
		}
		if seed == 0 {
			seed = 1
		}
		if k < 2 || k > len(ps) {
			return nil, fmt.Errorf("%d folds for %d problems", k, len(ps))
		}
		fold := StratifiedFolds(ps, k, seed)
		jobs := max(opts.Jobs, 1)
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(jobs)
		fms := make([]*Model, k)
		for f := 0; f < k; f++ {
			g.Go(func() error {
				if gctx.Err() != nil {
					return gctx.Err()
				}
				var train []Example
				for i := range ps {
					if fold[i] != f {
						train = append(train, examples[i])
					}
				}
				m, err := Train(train, opts.Train)
				if err != nil {
					return fmt.Errorf("fold %d: %w", f+1, err)
				}
				fms[f] = m
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		for i := range ps {
			models[i] = fms[fold[i]]
		}
		rep.Method = fms[0].Method
		if i := strings.Index(rep.Method, "; needs a judge when"); i >= 0 {
			rep.Method = rep.Method[:i] + "; needs a judge when P(exact) is at or below a threshold chosen for its target precision by cross-validation on the training folds alone"
		}
		for _, m := range fms {
			rep.Thresholds = append(rep.Thresholds, round3(m.ExactThreshold))
		}
		rep.Evaluation = fmt.Sprintf("%d-fold stratified cross-validation (seed %d): each problem classified by a model trained on the other %d folds", k, seed, k-1)
	} else {
		m := opts.Model
		if m == nil {
			var err error
			if m, err = DefaultModel(); err != nil {
				return nil, err
			}
		}
		seen := 0
		for i, p := range ps {
			models[i] = m
			if m.Saw(p.Task.Statement) {
				seen++
			}
		}
		if seen > 0 {
			return nil, fmt.Errorf("%d of the %d problems were in the model's training set: evaluate by cross-validation", seen, len(ps))
		}
		rep.Method = m.Method
		rep.Thresholds = []float64{round3(m.ExactThreshold)}
		rep.Evaluation = "the model as it is (" + m.Trained + "), on problems it was not trained on"
	}
	for _, mode := range []string{ModeAsIs, ModeStatement} {
		ms := ModeScore{Mode: mode, Confusion: map[string]map[string]int{}}
		for i, p := range ps {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			t := p.Task
			if mode == ModeStatement {
				t.Validation, t.ValidatorFlags = "", ""
			}
			c := (&Classifier{Model: models[i]}).classify(&t, examples[i].feats)
			got := LabelOf(c)
			if ms.Confusion[p.Label] == nil {
				ms.Confusion[p.Label] = map[string]int{}
			}
			ms.Confusion[p.Label][got]++
			if c.Confidence < LLMThreshold {
				ms.Unsure++
			}
			if got != p.Label {
				ms.Misses = append(ms.Misses, Miss{ID: p.ID, Label: p.Label, Predicted: got, Confidence: c.Confidence, Reason: c.Reason})
			}
		}
		ms.score(len(ps))
		rep.Modes = append(rep.Modes, ms)
	}
	return rep, nil
}

// StratifiedFolds assigns each problem one of k folds: each label's
// problems are shuffled with the seed and dealt round the folds in turn,
// continuing where the previous label stopped, so that every fold holds
// about 1/k of each label.
func StratifiedFolds(ps []Labelled, k int, seed int64) []int {
	labels := make([]string, len(ps))
	for i, p := range ps {
		labels[i] = p.Label
	}
	return stratifyLabels(labels, k, seed)
}

func stratifyLabels(labels []string, k int, seed int64) []int {
	r := rand.New(rand.NewSource(seed))
	fold := make([]int, len(labels))
	next := 0
	for _, l := range ModelLabels {
		var idx []int
		for i, x := range labels {
			if x == l {
				idx = append(idx, i)
			}
		}
		r.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for _, i := range idx {
			fold[i] = next % k
			next++
		}
	}
	return fold
}

func (ms *ModeScore) score(n int) {
	correct := 0
	score := func(label string, has func(string) bool) ClassScore {
		s := ClassScore{Label: label}
		for want, row := range ms.Confusion {
			for got, c := range row {
				if has(want) {
					s.Support += c
				}
				if has(got) {
					s.Predicted += c
					if has(want) {
						s.Correct += c
					}
				}
			}
		}
		if s.Predicted > 0 {
			s.Precision = float64(s.Correct) / float64(s.Predicted)
		}
		if s.Support > 0 {
			s.Recall = float64(s.Correct) / float64(s.Support)
		}
		return s
	}
	for _, l := range ModelLabels {
		ms.Classes = append(ms.Classes, score(l, func(x string) bool { return x == l }))
		correct += ms.Confusion[l][l]
	}
	ms.NeedsJudge = score("needs a judge", func(x string) bool { return x != LabelExact })
	ms.Accuracy = float64(correct) / float64(n)
}

// WriteTable prints the report for people: per mode, each class's
// support, precision and recall, "needs a judge" against exact, the
// confusion matrix, and with misses the problems classified wrong.
func (r *ClassifierReport) WriteTable(w io.Writer, misses bool) error {
	fmt.Fprintf(w, "classifier: %s\n", r.Method)
	fmt.Fprintf(w, "evaluated: %s\n", r.Evaluation)
	if len(r.Thresholds) > 1 {
		var ts []string
		for _, t := range r.Thresholds {
			ts = append(ts, fmt.Sprintf("%.3f", t))
		}
		fmt.Fprintf(w, "thresholds on P(exact) by fold: %s\n", strings.Join(ts, " "))
	}
	fmt.Fprintf(w, "data: %s (%d problems)\n", r.Dir, r.Problems)
	for _, m := range r.Modes {
		desc := "problem.yaml's validation, type and validator flags as written, then the statement"
		if m.Mode == ModeStatement {
			desc = "problem.yaml without its validation, type and validator flags"
		}
		fmt.Fprintf(w, "\nmode: %s (%s)\n", m.Mode, desc)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "class\tproblems\tpredicted\tcorrect\tprecision\trecall\t")
		for _, c := range append(append([]ClassScore(nil), m.Classes...), m.NeedsJudge) {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t\n", c.Label, c.Support, c.Predicted, c.Correct, pct(c.Correct, c.Predicted), pct(c.Correct, c.Support))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "accuracy %.1f%%; %d below confidence %.2f (the LLM decides those when configured)\n", 100*m.Accuracy, m.Unsure, LLMThreshold)
		fmt.Fprintf(w, "confusion (rows: label, columns: predicted):\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "\t%s\t\n", strings.Join(ModelLabels, "\t"))
		for _, l := range ModelLabels {
			row := []string{l}
			for _, g := range ModelLabels {
				row = append(row, fmt.Sprint(m.Confusion[l][g]))
			}
			fmt.Fprintf(tw, "%s\t\n", strings.Join(row, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if misses && len(m.Misses) > 0 {
			fmt.Fprintf(w, "misclassified:\n")
			for _, x := range m.Misses {
				fmt.Fprintf(w, "  %s: %s classified %s (%.2f): %s\n", x.ID, x.Label, x.Predicted, x.Confidence, clip1(x.Reason, 160))
			}
		}
	}
	return nil
}

// WriteJSON prints the report as JSON.
func (r *ClassifierReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

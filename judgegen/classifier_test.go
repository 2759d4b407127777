package judgegen_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/judgegen"
)

// fixtureDir is a small labelled folder: two or three problems of each
// label, one problem.yaml that is not valid YAML.
const fixtureDir = "testdata/labelled"

// TestClassifyRules: the exact rules come before the statement model and
// the tolerance comes from the flags, else the statement.
func TestClassifyRules(t *testing.T) {
	anyOf := "Output: for each test case, print two positive integers A and B with A + B = N. If there are several answers, print any of them."
	float := "Output: for each test case print the area. Answers within an absolute error of 0.03 are accepted."
	tests := []struct {
		name string
		task judgegen.Task
		// want: category, needs a judge, by, abs, rel
		category string
		needs    bool
		by       string
		abs, rel float64
	}{
		{"interactive validation", judgegen.Task{Validation: "custom interactive", Statement: anyOf}, judgegen.Interactive, true, "rules", 0, 0},
		{"interactive type from the loader", judgegen.Task{Validation: "custom (interactive)"}, judgegen.Interactive, true, "rules", 0, 0},
		{"interactive statement", judgegen.Task{Statement: "This is an interactive problem. Guess the number."}, judgegen.Interactive, true, "rules", 0, 0},
		{"custom validation, several answers", judgegen.Task{Validation: "custom", Statement: anyOf}, judgegen.MultipleSolutions, true, "rules", 0, 0},
		{"custom validation with a tolerance", judgegen.Task{Validation: "custom", Statement: float}, judgegen.Other, true, "rules", 0.03, 0},
		{"default validation caps at exact", judgegen.Task{Validation: "default", Statement: anyOf}, judgegen.None, false, "rules", 0, 0},
		{"default validation with a stated tolerance is float", judgegen.Task{Validation: "default", Statement: anyOf + " Answers within an absolute error of 0.03 are accepted."}, judgegen.FloatComparison, true, "rules", 0.03, 0},
		{"flags without a statement", judgegen.Task{ValidatorFlags: "float_tolerance 1e-4"}, judgegen.FloatComparison, true, "rules", 1e-4, 1e-4},
		{"nothing at all", judgegen.Task{}, judgegen.None, false, "rules", 0, 0},
		{"the statement's tolerance", judgegen.Task{Statement: float}, judgegen.FloatComparison, true, "model", 0.03, 0},
		{"the flags' tolerance wins", judgegen.Task{Statement: float, ValidatorFlags: "float_relative_tolerance 1e-9"}, judgegen.FloatComparison, true, "model", 0, 1e-9},
		{"several answers", judgegen.Task{Statement: anyOf}, judgegen.MultipleSolutions, true, "model", 0, 0},
		{"plain", judgegen.Task{Statement: "Read two integers and print their sum."}, judgegen.None, false, "model", 0, 0},
	}
	for _, tt := range tests {
		c := judgegen.Classify(&tt.task)
		if c.Category != tt.category || c.NeedsJudge != tt.needs || c.By != tt.by || c.AbsTol != tt.abs || c.RelTol != tt.rel || c.Reason == "" || c.Confidence <= 0 || c.Confidence > 1 {
			t.Errorf("%s: %+v; want %s, needs %v, by %s, abs %g, rel %g", tt.name, c, tt.category, tt.needs, tt.by, tt.abs, tt.rel)
		}
	}
}

// TestTrainDeterministic: the same examples give the same model, byte for
// byte, and a model reads back as written.
func TestTrainDeterministic(t *testing.T) {
	ps, _, err := judgegen.LoadLabelled(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	opts := judgegen.TrainOptions{Iterations: 50, MinDocs: 1, InnerFolds: 2}
	var out [2][]byte
	for i := range out {
		m, err := judgegen.Train(judgegen.Examples(ps), opts)
		if err != nil {
			t.Fatal(err)
		}
		if out[i], err = judgegen.MarshalModel(m); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Fatal("two trainings on the same examples differ")
	}
	m, err := judgegen.UnmarshalModel(out[0])
	if err != nil {
		t.Fatal(err)
	}
	if m.ExactThreshold <= 0 || m.ExactThreshold > 1 || len(m.Seen) != len(ps) || !m.Saw(ps[0].Task.Statement) || m.Saw("another statement") {
		t.Errorf("model %s: threshold %v, %d seen", m.Method, m.ExactThreshold, len(m.Seen))
	}
	for _, p := range ps {
		label, probs, conf := m.Decide(p.Task.Statement)
		if !slices.Contains(judgegen.ModelLabels, label) || len(probs) != 4 || conf < 0.5 || conf > 1 {
			t.Errorf("%s: %s %v %v", p.ID, label, probs, conf)
		}
	}
	if _, err := judgegen.Train([]judgegen.Example{{ID: "x", Label: "maybe"}}, opts); err == nil || !strings.Contains(err.Error(), `example x: unknown label "maybe"`) {
		t.Errorf("unknown label: %v", err)
	}
}

// TestEmbeddedModelIsCurrent: the embedded model was trained on the
// labelled statements as they are now; when they change, run
// `go generate ./judgegen`.
func TestEmbeddedModelIsCurrent(t *testing.T) {
	m, err := judgegen.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	needData(t, statementsDir)
	ps, _, err := judgegen.LoadLabelled(statementsDir)
	if err != nil {
		t.Fatal(err)
	}
	var hashes []string
	for _, p := range ps {
		hashes = append(hashes, judgegen.TextHash(p.Task.Statement))
	}
	sort.Strings(hashes)
	hashes = slices.Compact(hashes)
	if diff := cmp.Diff(hashes, m.Seen); diff != "" {
		t.Errorf("the embedded model was trained on other statements: run go generate ./judgegen (-data +model):\n%s", diff)
	}
	if !strings.HasPrefix(m.Trained, "472 statements") || m.TargetPrecision != 0.9 || len(m.Weights) == 0 {
		t.Errorf("model %q, target %v, %d weights", m.Trained, m.TargetPrecision, len(m.Weights))
	}
}

// TestLoadLabelled reads the fixture: every problem with its label,
// problem.yaml's facts (an absent validation is Kattis's default) and the
// statement's text, and a warning for the problem.yaml that is not valid
// YAML.
func TestLoadLabelled(t *testing.T) {
	ps, warnings, err := judgegen.LoadLabelled(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.ID+" "+p.Label+" "+p.Task.Validation+" ["+p.Task.ValidatorFlags+"]")
		if p.Task.Statement == "" || strings.Contains(p.Task.Statement, "<") {
			t.Errorf("%s: statement %q", p.ID, p.Task.Statement)
		}
	}
	want := []string{
		"exact/sum exact default [float_tolerance 1e-6]",
		"exact/count exact default [float_tolerance 1e-6]",
		"exact/words exact default []",
		"float/area float default [float_tolerance 1e-4]",
		"float/mean float default [float_tolerance 1e-6]",
		"custom/split custom custom []",
		"custom/path custom custom []",
		"interactive/guess interactive custom interactive []",
		"interactive/probe interactive custom interactive []",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], fixtureDir+"/exact/count/problem.yaml:1: not valid YAML") {
		t.Errorf("warnings %q", warnings)
	}
}

// TestLoadLabelledErrors: a bad LABELS.tsv line is an error naming the
// file and line.
func TestLoadLabelledErrors(t *testing.T) {
	for _, tt := range []struct{ labels, want string }{
		{"problem\tlabel\nexact/sum\tmaybe\n", "LABELS.tsv:2: want \"problem<TAB>label\" with a label among exact, float, custom, interactive"},
		{"problem\tlabel\nnowhere\texact\n", "LABELS.tsv:2: open nowhere/problem.yaml"},
		{"problem\tlabel\nexact/sum\texact\nexact/sum\texact\n", "LABELS.tsv:3: exact/sum appears twice (first on line 2)"},
		{"problem\tlabel\n", "LABELS.tsv: no problems"},
	} {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS(fixtureDir)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir+"/LABELS.tsv", []byte(tt.labels), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := judgegen.LoadLabelled(dir)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.labels, err, tt.want)
		}
	}
}

// TestEvaluateClassifierFixture: cross-validation on the fixture scores
// every problem once per mode; evaluating a model on problems it was
// trained on is refused.
func TestEvaluateClassifierFixture(t *testing.T) {
	ps, _, err := judgegen.LoadLabelled(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	train := judgegen.TrainOptions{Iterations: 50, MinDocs: 1, InnerFolds: 2}
	rep, err := judgegen.EvaluateClassifier(context.Background(), ps, judgegen.EvalOptions{CrossValidate: true, Folds: 2, Seed: 7, Train: train, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Modes) != 2 || rep.Modes[0].Mode != judgegen.ModeAsIs || rep.Modes[1].Mode != judgegen.ModeStatement || !strings.HasPrefix(rep.Evaluation, "2-fold stratified cross-validation (seed 7)") {
		t.Fatalf("report %+v", rep)
	}
	for _, m := range rep.Modes {
		n := 0
		for _, row := range m.Confusion {
			for _, c := range row {
				n += c
			}
		}
		if n != len(ps) || m.NeedsJudge.Support != 6 || len(m.Classes) != 4 {
			t.Errorf("%s: %d classified, needs-judge support %d", m.Mode, n, m.NeedsJudge.Support)
		}
	}
	// problem.yaml says custom and interactive: those are exact rules.
	for _, c := range rep.Modes[0].Classes {
		if (c.Label == judgegen.LabelCustom || c.Label == judgegen.LabelInteractive) && (c.Recall != 1 || c.Precision != 1) {
			t.Errorf("problem.yaml as it is: %+v", c)
		}
	}
	var b strings.Builder
	if err := rep.WriteTable(&b, true); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"mode: problem.yaml as it is", "mode: statement only", "needs a judge", "confusion (rows: label, columns: predicted)"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, b.String())
		}
	}
	m, err := judgegen.Train(judgegen.Examples(ps), train)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := judgegen.EvaluateClassifier(context.Background(), ps, judgegen.EvalOptions{Model: m}); err == nil || !strings.Contains(err.Error(), "9 of the 9 problems were in the model's training set") {
		t.Errorf("evaluating on the training problems: %v", err)
	}
	m2, err := judgegen.Train(judgegen.Examples(ps[:5]), train)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := judgegen.EvaluateClassifier(context.Background(), ps[5:], judgegen.EvalOptions{Model: m2}); err != nil {
		t.Errorf("evaluating on unseen problems: %v", err)
	}
}

// TestClassifierCrossValidated measures the classifier on the labelled
// Code Jam statements by 5-fold stratified cross-validation (seed 1), the
// figures of docs/judges.md, and guards them against regressions (the
// floors are below the figures; those of custom recall and "needs a
// judge" precision, statement only, are issue 15's targets).
func TestClassifierCrossValidated(t *testing.T) {
	if raceEnabled {
		t.Skip("arithmetic only, ten times slower under the race detector: make test runs it without (go test -run TestClassifierCrossValidated ./judgegen)")
	}
	needData(t, statementsDir)
	ps, _, err := judgegen.LoadLabelled(statementsDir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := judgegen.EvaluateClassifier(context.Background(), ps, judgegen.EvalOptions{CrossValidate: true, Folds: 5, Seed: 1, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.WriteTable(&b, false)
	t.Log("\n" + b.String())
	score := func(mode int, label string) judgegen.ClassScore {
		for _, c := range rep.Modes[mode].Classes {
			if c.Label == label {
				return c
			}
		}
		return rep.Modes[mode].NeedsJudge
	}
	for _, f := range []struct {
		mode      int
		label     string
		precision float64
		recall    float64
	}{
		{0, judgegen.LabelCustom, 1, 1},
		{0, judgegen.LabelInteractive, 1, 1},
		{0, "needs a judge", 0.97, 0.97},
		{1, judgegen.LabelFloat, 0.9, 0.93},
		{1, judgegen.LabelCustom, 0.8, 0.9},
		{1, judgegen.LabelInteractive, 0.95, 1},
		{1, "needs a judge", 0.9, 0.95},
	} {
		s := score(f.mode, f.label)
		if s.Precision < f.precision || s.Recall < f.recall {
			t.Errorf("%s: %s: precision %.3f, recall %.3f; want at least %.2f, %.2f", rep.Modes[f.mode].Mode, f.label, s.Precision, s.Recall, f.precision, f.recall)
		}
	}
}

// TestClassifierHoldout repeats the check made once the method was fixed:
// a model trained on 80% of the labelled statements, classifying the 20%
// held out before the method was designed (each label's problems in the
// order of sha256("holdout-v1:"+id), every fifth). SCALEBOX_CLASSIFIER_HOLDOUT=1
// runs it.
func TestClassifierHoldout(t *testing.T) {
	if os.Getenv("SCALEBOX_CLASSIFIER_HOLDOUT") == "" {
		t.Skip("SCALEBOX_CLASSIFIER_HOLDOUT=1 runs it")
	}
	needData(t, statementsDir)
	ps, _, err := judgegen.LoadLabelled(statementsDir)
	if err != nil {
		t.Fatal(err)
	}
	byLabel := map[string][]judgegen.Labelled{}
	for _, p := range ps {
		byLabel[p.Label] = append(byLabel[p.Label], p)
	}
	key := func(id string) string {
		h := sha256.Sum256([]byte("holdout-v1:" + id))
		return hex.EncodeToString(h[:])
	}
	var dev, held []judgegen.Labelled
	for _, l := range judgegen.ModelLabels {
		g := byLabel[l]
		sort.Slice(g, func(a, b int) bool { return key(g[a].ID) < key(g[b].ID) })
		for i, p := range g {
			if i%5 == 0 {
				held = append(held, p)
			} else {
				dev = append(dev, p)
			}
		}
	}
	m, err := judgegen.Train(judgegen.Examples(dev), judgegen.TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := judgegen.EvaluateClassifier(context.Background(), held, judgegen.EvalOptions{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	rep.Dir = statementsDir + " (held out)"
	var b strings.Builder
	rep.WriteTable(&b, true)
	t.Log("\n" + b.String())
}

// TestFeaturesConstruction: the indicators of a construction, each with a
// statement that has it and one that must not.
func TestFeaturesConstruction(t *testing.T) {
	const out = "Problem\nFind a path.\n\nOutput\n"
	tests := []struct {
		name, text, feature string
		want                bool
	}{
		{"another answer in the sample's notes", out + "For each test case, output one line containing Case #x: y.\n\nSample Output\nCase #1: ZZY\n\nIn Sample Case #1, another possible answer is YYXXY.", "phrase:alternative", true},
		{"other answers may be possible", out + "Output Case #x: y.\n\nSample Output\nCase #1: 3\n\nOther answers may be possible.", "phrase:alternative", true},
		{"would also work", out + "Output Case #x: y.\n\nSample Output\nCase #1: ZZY\n\nXZZX and ZYYZY would also work.", "phrase:alternative", true},
		{"other ways to reach one answer", out + "Output Case #x: y, the fewest flips.\n\nSample Output\nCase #1: 3\n\nThere are other ways to do it with 3 flips or more.", "phrase:alternative", false},
		{"your valid path", out + "Output Case #x: y, where y is a string representing your valid path through the maze.", "phrase:chosen", true},
		{"the permutations you have chosen", out + "Output one integer P': the number of permutations you have chosen to use.", "phrase:chosen", true},
		{"giving a valid order", out + "Output Case #x: y, where y is an ordering of the integers giving a valid order in which to build the fences.", "phrase:chosen", true},
		{"the answer asked for", out + "Output Case #x: y, where y is the minimum number of flips.", "phrase:chosen", false},
		{"no Output heading", "Write a program. We encourage you to add your own test cases; you want to win.", "phrase:chosen", false},
		{"an answer of several lines", out + "Output Case #x: y, then y lines.\n\nSample Output\nCase #1: 2\n1 4\n2 3\nCase #2: IMPOSSIBLE\n\nThe pictures show the fences.", "sample:multiline", true},
		{"one line a case", out + "Output Case #x: y.\n\nSample Output\nCase #1: 2\nCase #2: 3\n\nIn Sample Case #1, 2 is the answer.", "sample:multiline", false},
		{"in any order, far from the verb", out + "On each of the next R lines output N digits. You can print the numbers for each set in any order.", "phrase:any", true},
	}
	for _, tt := range tests {
		if got := slices.Contains(judgegen.Features(tt.text), tt.feature); got != tt.want {
			t.Errorf("%s: %s is %v, want %v", tt.name, tt.feature, got, tt.want)
		}
	}
}

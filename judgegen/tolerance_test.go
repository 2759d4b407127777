package judgegen_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/judge/registry"
	"github.com/scalebox-dev/scalebox/judgegen"
)

// tol is a tolerance without its source, for comparisons.
type tol struct{ Abs, Rel float64 }

// TestStatementTolerance: each phrasing of a tolerance that the labelled
// Code Jam statements use (../shared/data/codejam-statements, as
// StatementText gives them), the same with the superscript's tag stripped
// as other converters leave it, and the other usual ways to write one.
func TestStatementTolerance(t *testing.T) {
	either := func(v float64) tol { return tol{v, v} }
	tests := []struct {
		text string
		want tol
	}{
		// The labelled statements' phrasings.
		{"A profit will be considered correct if it is within an absolute or relative error of 10^-6 of the correct answer.", either(1e-6)},
		{"Your answer will be considered correct if it is within an absolute or relative error of 10^-6 of the correct answer.", either(1e-6)},
		{"y_i will be considered correct if it is within an absolute error of 0.03 of the correct answer.", tol{0.03, 0}},
		{"Your answer will be considered correct if it is within an absolute or relative error of 10^-4 of the correct answer.", either(1e-4)},
		{"y will be considered correct if it is within an absolute or relative error of 10^-3 of the correct answer.", either(1e-3)},
		{"Answers with a relative or absolute error of at most 10^-5 will be considered correct.", either(1e-5)},
		{"Answers within an absolute or relative error of 10^-5 of the correct answer will be accepted.", either(1e-5)},
		{"Any answer with a relative or absolute error at most 10^-5 will be accepted.", either(1e-5)},
		{"Any answer with absolute or relative error of at most 10^-5 will be accepted.", either(1e-5)},
		{"An answer will be considered correct if it is within 10^-6 of the exact answer, in absolute or relative error.", either(1e-6)},
		{"Answers that are precise to within an absolute or relative error of 10^-6 will be considered correct.", either(1e-6)},
		{"Answers with a relative or absolute error of at most 10^−6 will be considered correct.", either(1e-6)},
		{"Answers with absolute or relative error no larger than 10^-6 will be accepted.", either(1e-6)},
		{"Answers with an absolute or relative error of at most 10^-6 will be considered correct.", either(1e-6)},
		{"Answers with relative or absolute error of at most 10^-6 will be accepted.", either(1e-6)},
		{"Each y_k will be considered correct if it is within an absolute or relative error of 10^-6 of the correct answer.", either(1e-6)},
		{"y must be correct to within an absolute or relative error of 10^-6.", either(1e-6)},
		{"y will be considered correct if it is close enough to the correct number: within an absolute or relative error of 10^-6. See the FAQ for an explanation of what that means.", either(1e-6)},
		{"y will be considered correct if it is within an absolute or relative error of 10^{-6} of the correct answer.", either(1e-6)},
		{"y will be considered correct if y is within an absolute or relative error of 10^-6 of the correct answer.", either(1e-6)},
		{"Each y_n will be considered correct if it is within an absolute or relative error of 10^-9 of the correct answer.", either(1e-9)},
		{"Her home is in a unit cell that we denote as (0, 0) — that is, all coordinates are given relative to Bleatrix's home cell.\n\n y will be considered correct if it is within an absolute or relative error of 10^-6 of the correct answer.", either(1e-6)},
		// The superscript's tag stripped: "10 -6", a Unicode minus, an en dash.
		{"Answers with a relative or absolute error of at most 10 -6 will be considered correct.", either(1e-6)},
		{"Answers with a relative or absolute error of at most 10 −6 will be considered correct.", either(1e-6)},
		{"y will be considered correct if it is within an absolute or relative error of 10 –9 of the correct answer.", either(1e-9)},
		// Other usual forms.
		{"Your answer is considered correct if its absolute or relative error does not exceed 10^{-6}.", either(1e-6)},
		{"The answer is accepted if its absolute or relative error does not exceed 1e-6.", either(1e-6)},
		{"Print the answer with an absolute or relative error of at most 1E−7.", either(1e-7)},
		{"Answers within a relative error of 10^(-9) are accepted.", tol{0, 1e-9}},
		{"Your answer is correct if the relative error is at most 10⁻⁶.", tol{0, 1e-6}},
		{"Outputs with an absolute error of at most 5·10^-7 are accepted.", tol{5e-7, 0}},
		{"Outputs with an absolute error of at most 2 × 10^{-9} are accepted.", tol{2e-9, 0}},
		{"An answer with an absolute error of at most 0.000001 is correct.", tol{1e-6, 0}},
		{"Your answer will be accepted if its absolute error is within one millionth of the correct answer.", tol{1e-6, 0}},
		{"Answers within an absolute error of 10^-6 or a relative error of 10^-9 are accepted.", tol{1e-6, 1e-9}},
		{"The answer is considered correct if the absolute and/or relative error is at most 10^-6.", either(1e-6)},
		{"Answers with an error of at most 10^-4 will be considered correct.", either(1e-4)},
		{"An answer within 10^-6 of the correct answer will be accepted.", either(1e-6)},
		{"Answers with an absolute or relative error will be accepted; see the FAQ.", either(1e-6)},
	}
	for _, tt := range tests {
		got, ok := judgegen.StatementTolerance(tt.text)
		if !ok || (tol{got.Abs, got.Rel}) != tt.want || got.Source == "" {
			t.Errorf("StatementTolerance(%q) = %+v, %v; want %+v", tt.text, got, ok, tt.want)
		}
	}
	for _, text := range []string{
		"Print the absolute value of the difference.",
		"All coordinates are given relative to the origin.",
		"No party will have an absolute majority.",
		"Output the number of errors in the log, or 0 if there are none.",
		"",
	} {
		if got, ok := judgegen.StatementTolerance(text); ok {
			t.Errorf("StatementTolerance(%q) = %+v, want none", text, got)
		}
	}
}

// TestStatementToleranceHTML: a tolerance written with a superscript tag
// reads through StatementText ("10<sup>-6</sup>" is 10^-6).
func TestStatementToleranceHTML(t *testing.T) {
	for _, html := range []string{
		"<p>Answers with a relative or absolute error of at most 10<sup>-6</sup> will be considered correct.</p>",
		"<p>Answers with a relative or absolute error of at most 10<sup>&minus;6</sup> will be considered correct.</p>",
		"<p>y will be considered correct if it is within an absolute or relative error of $$$10^{-6}$$$ of the correct answer.</p>",
	} {
		got, ok := judgegen.StatementTolerance(judgegen.StatementText(html))
		if !ok || got.Abs != 1e-6 || got.Rel != 1e-6 {
			t.Errorf("%q: %+v %v", html, got, ok)
		}
	}
}

// TestFlagTolerance: Kattis flags with the default validator's semantics.
func TestFlagTolerance(t *testing.T) {
	tests := []struct {
		flags string
		want  tol
		ok    bool
	}{
		{"float_tolerance 1e-6", tol{1e-6, 1e-6}, true},
		{"float_absolute_tolerance 1e-4", tol{1e-4, 0}, true},
		{"float_relative_tolerance 1e-9", tol{0, 1e-9}, true},
		{"float_absolute_tolerance 1e-4 float_relative_tolerance 1e-9", tol{1e-4, 1e-9}, true},
		{"case_sensitive float_tolerance 3e-2", tol{0.03, 0.03}, true},
		{"case_sensitive", tol{}, false},
		{"", tol{}, false},
		{"float_tolerance 0", tol{}, false},
	}
	for _, tt := range tests {
		got, ok, err := judgegen.FlagTolerance(strings.Fields(tt.flags))
		if err != nil || ok != tt.ok || (tol{got.Abs, got.Rel}) != tt.want {
			t.Errorf("FlagTolerance(%q) = %+v, %v, %v; want %+v, %v", tt.flags, got, ok, err, tt.want, tt.ok)
		}
	}
	if _, _, err := judgegen.FlagTolerance([]string{"float_tolerance"}); err == nil {
		t.Error("a flag without its value is accepted")
	}
}

// TestResolveTolerance: the flags decide when they set a tolerance, else
// the statement, else the default (absolute or relative 10^-6).
func TestResolveTolerance(t *testing.T) {
	st := "Answers within an absolute error of 0.03 are accepted."
	tests := []struct {
		flags, statement string
		want             tol
	}{
		{"float_tolerance 1e-4", st, tol{1e-4, 1e-4}},
		{"case_sensitive", st, tol{0.03, 0}},
		{"", "Print the area.", tol{1e-6, 1e-6}},
		{"float_tolerance", st, tol{0.03, 0}}, // a flag the validator refuses is passed over
	}
	for _, tt := range tests {
		got := judgegen.ResolveTolerance(strings.Fields(tt.flags), tt.statement)
		if (tol{got.Abs, got.Rel}) != tt.want {
			t.Errorf("ResolveTolerance(%q, %q) = %+v, want %+v", tt.flags, tt.statement, got, tt.want)
		}
	}
}

// TestLabelledStatementTolerances: every float problem of the labelled
// statements states a tolerance that reads as its problem.yaml's
// float_tolerance flag (absolute or relative, the same value), except
// where the archive disagrees with itself: one statement says absolute
// alone, two state 10^-6 where the flags give 1e-4 and 1e-5 (the flags
// win: they are what the archive's judge applies). The one float-labelled
// statement with no tolerance has IP ranges for answers.
func TestLabelledStatementTolerances(t *testing.T) {
	dir := statementsDir
	needData(t, dir)
	ps, _, err := judgegen.LoadLabelled(dir)
	if err != nil {
		t.Fatal(err)
	}
	stated, absolute := 0, 0
	var none, differ []string
	for _, p := range ps {
		if p.Label != judgegen.LabelFloat {
			continue
		}
		st, ok := judgegen.StatementTolerance(p.Task.Statement)
		if !ok {
			none = append(none, filepath.Base(p.ID))
			continue
		}
		stated++
		fl, fok, err := judgegen.FlagTolerance(strings.Fields(p.Task.ValidatorFlags))
		if err != nil || !fok {
			t.Errorf("%s: flags %q: %v", p.ID, p.Task.ValidatorFlags, err)
			continue
		}
		switch {
		case st.Abs == fl.Abs && st.Rel == fl.Rel:
		case st.Abs == fl.Abs && st.Rel == 0:
			absolute++
			t.Logf("%s: the statement says absolute %g; the flags absolute or relative %g", p.ID, st.Abs, fl.Abs)
		default:
			differ = append(differ, filepath.Base(p.ID))
			t.Logf("%s: the statement's %s (%s), the flags' %s", p.ID, st, st.Source, fl)
		}
	}
	t.Logf("%d float statements state their tolerance (%d absolute only); none in %v", stated, absolute, none)
	if diff := cmp.Diff([]string{"ip_address_summarization"}, none); diff != "" {
		t.Errorf("float statements without a tolerance (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"decision_tree", "google_royale"}, differ); diff != "" || absolute != 1 {
		t.Errorf("statements whose tolerance is not their flags' (-want +got):\n%s; %d absolute only, want 1", diff, absolute)
	}
}

// TestValidateUsesTheJudgesTolerance: the case. A statement says
// "absolute error", the problem's judge compares absolute or relative (its
// flags): a number moved by ten times the absolute tolerance is still
// within the relative one for a large answer, so a mutant derived from
// the classification would be accepted and a correct judge rejected.
// Validation derives its variants from the judge under test instead.
func TestValidateUsesTheJudgesTolerance(t *testing.T) {
	task := &judgegen.Task{ID: "t", Tests: []benchmarks.Test{
		{Input: "1\n", Output: "Case #1: 1234567.25\n"},
		{Input: "2\n", Output: "Case #1: 0.5\nCase #2: 98765.4321\n"},
	}}
	c := &registry.Classification{NeedsJudge: true, Category: judgegen.FloatComparison, AbsTol: 1e-6}
	for _, spec := range []*checker.Spec{
		judgegen.Tolerance{Abs: 1e-6, Rel: 1e-6}.Spec(),
		judgegen.Tolerance{Rel: 1e-4}.Spec(),
		judgegen.Tolerance{Abs: 1e-3}.Spec(),
		{Protocol: checker.Builtin, Comparator: "kattis", AbsTol: 1e-6, RelTol: 1e-6},
	} {
		v, err := judgegen.Validate(context.Background(), &checker.Env{}, spec, task, c, judgegen.ValidateOptions{Mutants: 20})
		if err != nil {
			t.Fatal(err)
		}
		if !v.Passed || v.StrictMutants == 0 || v.Alternatives < 6 {
			t.Errorf("%s: %+v", spec.Name(), v)
		}
	}
}

// FuzzToleranceVariants: for any reference and any tolerance (absolute,
// relative or either), the float comparator with that tolerance accepts
// every alternative and rejects every perturbed number: the variants and
// the judge share one semantics.
func FuzzToleranceVariants(f *testing.F) {
	f.Add("Case #1: 1234567.25\nCase #2: 0.5\n", 1e-6, 0.0)
	f.Add("Case #1: 1234567.25\nCase #2: 0\n", 0.0, 1e-6)
	f.Add("3.5 -2e10 7\n", 1e-6, 1e-9)
	f.Add("1e308 -1e-300\n", 1e-3, 1e-3)
	f.Fuzz(func(t *testing.T, ref string, abs, rel float64) {
		if !(abs >= 0 && abs <= 1 && rel >= 0 && rel <= 1) || abs == 0 && rel == 0 {
			return
		}
		c := &registry.Classification{Category: judgegen.FloatComparison, AbsTol: abs, RelTol: rel}
		cmp := judge.Float{AbsTol: abs, RelTol: rel}
		for _, a := range judgegen.Alternatives(ref, c) {
			if ok, msg := cmp.Compare([]byte(a.Output), []byte(ref)); !ok {
				t.Errorf("alternative %s %q of %q rejected by %s: %s", a.Kind, a.Output, ref, cmp.Name(), msg)
			}
		}
		for _, m := range judgegen.Mutants(ref, c, 20) {
			if m.Kind != "perturbed" {
				continue
			}
			if ok, _ := cmp.Compare([]byte(m.Output), []byte(ref)); ok {
				t.Errorf("perturbed %q of %q accepted by %s", m.Output, ref, cmp.Name())
			}
		}
	})
}

// statementsDir is the labelled Code Jam statements.
const statementsDir = "../../shared/data/codejam-statements"

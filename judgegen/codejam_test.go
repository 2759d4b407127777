package judgegen_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/judge/checker/checkertest"
	"github.com/scalebox-dev/scalebox/judge/registry"
	"github.com/scalebox-dev/scalebox/judgegen"
)

// codejamDir is the shared Code Jam data (Kattis problem packages).
const codejamDir = "../../shared/data/codejam"

// needData skips (fails in CI) when the shared data is missing.
func needData(t testing.TB, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the data is missing: %v", err)
		}
		t.Skipf("data unavailable: %v", err)
	}
}

// loadPackages reads the Kattis problem packages under dir with the
// benchmark loader (format kattis, the builtin codejam configuration, every
// test group, samples included) and describes each as judgegen sees it
// (TaskFromProblem).
func loadPackages(t testing.TB, dir string) []judgegen.Task {
	t.Helper()
	cfg, err := (&benchmarks.Registry{}).Load("codejam")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Data.TestGroups = nil
	b, err := benchmarks.Load(cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range b.Warnings {
		t.Logf("warning: %s", w)
	}
	var tasks []judgegen.Task
	for _, p := range b.Problems {
		tasks = append(tasks, judgegen.TaskFromProblem("codejam", p))
	}
	if len(tasks) == 0 {
		t.Fatalf("no problems under %s", dir)
	}
	return tasks
}

// hasNumbers reports whether a task's answers hold a number to compare
// with a tolerance (besides the "Case #i:" labels).
func hasNumbers(task judgegen.Task) bool {
	c := &registry.Classification{Category: judgegen.FloatComparison, AbsTol: 1e-6, RelTol: 1e-6}
	for _, test := range task.Tests {
		for _, m := range judgegen.Mutants(test.Output, c, 8) {
			if m.Kind == "perturbed" {
				return true
			}
		}
	}
	return false
}

// TestFloatToleranceProblems: every Code Jam float_tolerance problem whose
// answers hold numbers is classified float_comparison, with the
// tolerance of its validator flags (float_tolerance: absolute or
// relative), gets the float template with it, and the template passes
// validation: the official answers and within-tolerance perturbations are
// accepted, beyond-tolerance perturbations and the other mutants rejected.
// From the statement alone (problem.yaml without its validation and flags)
// the same holds with the tolerance the statement states, whose kind
// (absolute, relative, or either) the judge and its mutants share. The one
// problem whose answers are IP ranges has no number to compare: exact
// comparison suffices and it may be classified so.
func TestFloatToleranceProblems(t *testing.T) {
	dir := codejamDir + "/float_tolerance"
	needData(t, dir)
	env := &checker.Env{}
	tasks := loadPackages(t, dir)
	validated := map[string]int{}
	numeric := 0
	for _, task := range tasks {
		flagTol, ok, err := judgegen.FlagTolerance(strings.Fields(task.ValidatorFlags))
		if err != nil || !ok || flagTol.Abs <= 0 || flagTol.Abs != flagTol.Rel {
			t.Errorf("%s: flags %q: %+v %v %v", task.ID, task.ValidatorFlags, flagTol, ok, err)
			continue
		}
		if !hasNumbers(task) {
			c := judgegen.Classify(&task)
			t.Logf("%s: no numbers in the answers; classified %s (%s)", task.ID, c.Category, c.Reason)
			continue
		}
		numeric++
		blind := task
		blind.Validation, blind.ValidatorFlags = "", ""
		stTol, stOK := judgegen.StatementTolerance(blind.Statement)
		for _, mode := range []struct {
			name string
			task judgegen.Task
			want judgegen.Tolerance
		}{{"problem.yaml", task, flagTol}, {"statement only", blind, stTol}} {
			c := judgegen.Classify(&mode.task)
			if c.Category != judgegen.FloatComparison || !c.NeedsJudge || c.AbsTol != mode.want.Abs || c.RelTol != mode.want.Rel || (mode.name != "problem.yaml" && !stOK) {
				t.Errorf("%s (%s): classified %+v, want the tolerance %s", task.ID, mode.name, c, mode.want)
				continue
			}
			spec, name, ok := judgegen.Template(&mode.task, &c)
			if !ok || name != "float" || spec.AbsTol != c.AbsTol || spec.RelTol != c.RelTol {
				t.Errorf("%s (%s): template %q %+v", task.ID, mode.name, name, spec)
				continue
			}
			v, err := judgegen.Validate(context.Background(), env, spec, &mode.task, &c, judgegen.ValidateOptions{Mutants: 8})
			if err != nil {
				t.Fatal(err)
			}
			if !v.Passed {
				t.Errorf("%s (%s): %s failed validation: %v", task.ID, mode.name, spec.Name(), v.Failures)
				continue
			}
			within, beyond, probed := 0, 0, 0
			for _, test := range mode.task.Tests {
				for _, a := range judgegen.Alternatives(test.Output, &c) {
					if a.Kind == "within-tolerance" {
						within++
					}
				}
				n := 0
				for _, m := range judgegen.Mutants(test.Output, &c, 8) {
					if m.Kind == "perturbed" && m.Strict {
						n++
					}
				}
				beyond += n
				if n > 0 {
					probed++
				}
			}
			// Every test that has numbers is probed on both sides.
			if within != probed || beyond < probed || probed == 0 {
				t.Errorf("%s (%s): %d within- and %d beyond-tolerance outputs for %d tests with numbers", task.ID, mode.name, within, beyond, probed)
				continue
			}
			validated[mode.name]++
			t.Logf("%s (%s): %s: %d tests, %d/%d alternatives accepted, %d/%d mutants rejected", task.ID, mode.name, spec.Name(), v.Tests, v.AlternativesAccepted, v.Alternatives, v.MutantsRejected, v.Mutants)
		}
	}
	t.Logf("%d float_tolerance problems, %d with numbers in their answers: a validated float template for %d from problem.yaml, %d from the statement alone",
		len(tasks), numeric, validated["problem.yaml"], validated["statement only"])
	if validated["problem.yaml"] != numeric || validated["statement only"] != numeric || numeric < len(tasks)-1 {
		t.Errorf("validated float templates: %v of %d problems with numbers (%d problems)", validated, numeric, len(tasks))
	}
}

// TestCustomJudgeClassification: every Code Jam custom_judge problem is
// found to need a special judge from problem.yaml (validation: custom), and
// at least 70% from the statement alone. The embedded model was trained
// on these statements, so the second figure is not a measure of how it
// generalises: TestClassifierCrossValidated is.
func TestCustomJudgeClassification(t *testing.T) {
	dir := codejamDir + "/custom_judge"
	needData(t, dir)
	tasks := loadPackages(t, dir)
	need, fromStatement := 0, 0
	for i := range tasks {
		// Without problem.yaml's word, the statement alone must tell.
		c := judgegen.Classify(&tasks[i])
		if c.NeedsJudge {
			need++
		}
		blind := tasks[i]
		blind.Validation, blind.ValidatorFlags = "", ""
		if b := judgegen.Classify(&blind); b.NeedsJudge {
			fromStatement++
		} else {
			t.Logf("%s: the statement alone does not say (%s)", blind.ID, b.Reason)
		}
	}
	t.Logf("%d/%d need a judge; %d/%d from the statement alone", need, len(tasks), fromStatement, len(tasks))
	if need != len(tasks) {
		t.Errorf("%d of %d custom_judge problems classified as needing a judge, want all", need, len(tasks))
	}
	if 10*fromStatement < 7*len(tasks) {
		t.Errorf("the statement alone finds %d of %d", fromStatement, len(tasks))
	}
}

// TestCustomJudgeCheckers: checkers written for six Code Jam custom_judge
// problems (testdata/codejam, Kattis validators in Python) pass
// judgegen's validation: every official answer and alternative accepted,
// every mutant rejected.
func TestCustomJudgeCheckers(t *testing.T) {
	dir := codejamDir + "/custom_judge"
	needData(t, dir)
	env := checkertest.Env(t)
	byName := map[string]judgegen.Task{}
	for _, task := range loadPackages(t, dir) {
		byName[filepath.Base(task.ID)] = task
	}
	files, _ := filepath.Glob("testdata/codejam/*.py")
	if len(files) < 5 {
		t.Fatalf("%d checkers, want at least 5", len(files))
	}
	reg := &registry.Dir{Path: t.TempDir()}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".py")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			task, ok := byName[name]
			if !ok {
				t.Fatalf("no problem %s", name)
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c := judgegen.Classify(&task)
			spec := &checker.Spec{Protocol: checker.Kattis, Language: "python3", Source: string(src)}
			v, err := judgegen.Validate(context.Background(), env, spec, &task, &c, judgegen.ValidateOptions{Mutants: 8, Jobs: 2})
			if err != nil {
				t.Fatal(err)
			}
			if !v.Passed || v.MutantsRejected != v.Mutants || v.Mutants < 5*v.Tests {
				t.Errorf("validation %+v", v)
			}
			t.Logf("%s (%s): %d tests, %d/%d alternatives accepted, %d/%d mutants rejected (%d strict)", name, c.Category, v.Tests, v.AlternativesAccepted, v.Alternatives, v.MutantsRejected, v.Mutants, v.StrictMutants)
			rec := &registry.Record{Benchmark: "codejam", TaskID: task.ID, Checker: *spec, Provenance: registry.Provenance{Kind: registry.FromImported, File: f}, Classification: &c, Validation: v}
			if err := reg.Put(rec); err != nil {
				t.Fatal(err)
			}
		})
	}
}

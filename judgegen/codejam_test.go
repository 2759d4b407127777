package judgegen_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
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

// loadPackages reads the Kattis problem packages under dir, a small loader
// for these tests (issue 4 brings the real one): statement, problem.yaml's
// validation and output_validator_flags, and the tests in data/sample and
// data/secret, in path order.
func loadPackages(t testing.TB, dir string) []judgegen.Task {
	t.Helper()
	var tasks []judgegen.Task
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.Name() != "problem.yaml" {
			return err
		}
		root := filepath.Dir(path)
		id, _ := filepath.Rel(dir, root)
		task := judgegen.Task{Benchmark: "codejam", ID: id}
		yaml, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(yaml), "\n") {
			if v, ok := strings.CutPrefix(l, "validation:"); ok {
				task.Validation = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(l, "output_validator_flags:"); ok {
				task.ValidatorFlags = strings.TrimSpace(v)
			}
		}
		if html, err := os.ReadFile(filepath.Join(root, "problem_statement", "problem.html")); err == nil {
			task.Statement = judgegen.StatementText(string(html))
		}
		var ins []string
		filepath.WalkDir(filepath.Join(root, "data"), func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".in") {
				ins = append(ins, p)
			}
			return nil
		})
		sort.Strings(ins)
		for _, in := range ins {
			input, err1 := os.ReadFile(in)
			ans, err2 := os.ReadFile(strings.TrimSuffix(in, ".in") + ".ans")
			if err1 != nil || err2 != nil {
				return err1
			}
			task.Tests = append(task.Tests, benchmarks.Test{Input: string(input), Output: string(ans)})
		}
		tasks = append(tasks, task)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) == 0 {
		t.Fatalf("no problems under %s", dir)
	}
	return tasks
}

// TestFloatToleranceProblems: every Code Jam float_tolerance problem is
// classified float_comparison from its validator flags, gets the float
// template with the flag's tolerance, and the template passes validation:
// the official answers and within-tolerance perturbations are accepted,
// beyond-tolerance perturbations and the other mutants rejected.
func TestFloatToleranceProblems(t *testing.T) {
	dir := codejamDir + "/float_tolerance"
	needData(t, dir)
	env := &checker.Env{}
	for _, task := range loadPackages(t, dir) {
		c := judgegen.Classify(&task)
		if c.Category != judgegen.FloatComparison || !c.NeedsJudge || c.AbsTol <= 0 || c.AbsTol != c.RelTol {
			t.Errorf("%s: classified %+v", task.ID, c)
			continue
		}
		spec, name, ok := judgegen.Template(&task, &c)
		if !ok || name != "float" {
			t.Errorf("%s: template %q", task.ID, name)
			continue
		}
		v, err := judgegen.Validate(context.Background(), env, spec, &task, &c, judgegen.ValidateOptions{Mutants: 8})
		if err != nil {
			t.Fatal(err)
		}
		within, beyond, numeric := 0, 0, 0
		if !v.Passed {
			t.Errorf("%s: %s failed validation: %v", task.ID, spec.Name(), v.Failures)
		}
		for _, test := range task.Tests {
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
				numeric++
			}
		}
		// Tests whose answers hold no number (IP ranges, say) have no
		// tolerance to probe; every test that has numbers is probed.
		if within != numeric || beyond < numeric {
			t.Errorf("%s: %d within- and %d beyond-tolerance outputs for %d tests with numbers", task.ID, within, beyond, numeric)
		}
		if numeric == 0 {
			t.Logf("%s: no numbers in the answers", task.ID)
		}
		t.Logf("%s: %s: %d tests, %d/%d alternatives accepted, %d/%d mutants rejected", task.ID, spec.Name(), v.Tests, v.AlternativesAccepted, v.Alternatives, v.MutantsRejected, v.Mutants)
	}
}

// TestCustomJudgeClassification: at least 90% of the Code Jam custom_judge
// problems are found to need a special judge by the rules alone.
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
		blind.Validation = ""
		if b := judgegen.Classify(&blind); b.NeedsJudge {
			fromStatement++
		} else {
			t.Logf("%s: the statement alone does not say (%s)", blind.ID, b.Reason)
		}
	}
	t.Logf("%d/%d need a judge; %d/%d from the statement alone", need, len(tasks), fromStatement, len(tasks))
	if 10*need < 9*len(tasks) {
		t.Errorf("%d of %d custom_judge problems classified as needing a judge, want at least 90%%", need, len(tasks))
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

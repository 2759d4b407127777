package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/judge/registry"
	"github.com/scalebox-dev/scalebox/report"
)

// sumChecker accepts any output whose one number is the sum of the input's
// numbers (Kattis protocol).
const sumChecker = `import sys
total = sum(int(x) for x in open(sys.argv[1]).read().split())
toks = sys.stdin.read().split()
sys.exit(42 if len(toks) == 1 and toks[0].lstrip("+-").isdigit() and int(toks[0]) == total else 43)
`

// TestJudgeRegistryCommands: import a checker file, list, show, validate
// it on the benchmark's tests, see eval use it and the report name it,
// then remove it.
func TestJudgeRegistryCommands(t *testing.T) {
	needSandbox(t)
	home := t.TempDir()
	judges := filepath.Join(home, "judges")
	file := filepath.Join(home, "sum.py")
	os.WriteFile(file, []byte(sumChecker), 0o644)
	ctx := context.Background()

	stdout, stderr, code := run(t, ctx, home, "--judges", judges, "judge", "import", "--bench", "demo", "--task", "demo/add", "--protocol", "kattis", "--language", "python3", file)
	if code != 0 || !strings.Contains(stdout, "imported 1 judges") || !strings.Contains(stdout, "0 failed the smoke test") {
		t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
	}
	stdout, _, code = run(t, ctx, home, "--judges", judges, "judge", "list")
	if code != 0 || !strings.Contains(stdout, "demo/add") || !strings.Contains(stdout, "kattis/python3@") || !strings.Contains(stdout, "validated") {
		t.Errorf("list: exit %d\n%s", code, stdout)
	}
	stdout, _, code = run(t, ctx, home, "--judges", judges, "judge", "show", "demo", "demo/add", "--source")
	if code != 0 || stdout != sumChecker {
		t.Errorf("show --source: exit %d\n%s", code, stdout)
	}
	stdout, stderr, code = run(t, ctx, home, "--judges", judges, "judge", "validate", "--bench", "demo", "--task", "demo/add", "-j", "2")
	if code != 0 || !strings.Contains(stdout, "full") || !strings.Contains(stdout, "1 judges validated, 0 failed") {
		t.Errorf("validate: exit %d\n%s\n%s", code, stdout, stderr)
	}
	rec, err := (&registry.Dir{Path: judges}).Get("demo", "demo/add")
	if err != nil || rec.Validation.Kind != "full" || rec.Validation.Mutants < rec.Validation.Tests*3 || rec.Provenance.Kind != "imported" {
		t.Errorf("record %+v, %v", rec, err)
	}

	samples := filepath.Join(home, "s.jsonl")
	os.WriteFile(samples, []byte(`{"task_id": "demo/add", "solution": "print(sum(map(int, input().split())))"}`+"\n"), 0o644)
	out := filepath.Join(home, "r.json")
	_, stderr, code = run(t, ctx, home, "--judges", judges, "eval", "--bench", "demo", "--samples", samples, "--out", out)
	if code != 0 || !strings.Contains(stderr, "judging 1 problems with checkers from the judge registry") {
		t.Fatalf("eval: exit %d\n%s", code, stderr)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Problems[0].Checker; c == nil || c.Origin != "registry" || c.Protocol != "kattis" || rep.Problems[0].Samples[0].Verdict != "AC" {
		t.Errorf("report problem %+v checker %+v", rep.Problems[0], c)
	}

	if _, _, code = run(t, ctx, home, "--judges", judges, "judge", "rm", "demo", "demo/add"); code != 0 {
		t.Errorf("rm: exit %d", code)
	}
	if _, stderr, code = run(t, ctx, home, "--judges", judges, "judge", "show", "demo", "demo/add"); code != 1 || !strings.Contains(stderr, "no such judge") {
		t.Errorf("show after rm: exit %d %s", code, stderr)
	}
}

// TestJudgegenDemo: without an LLM, judgegen classifies the demo's stdio
// problems by rules, makes a float template judge for circle-area and
// lists split-sum (many answers) as needing an LLM; eval then uses the
// stored judge.
func TestJudgegenDemo(t *testing.T) {
	needSandbox(t)
	home := t.TempDir()
	ctx := context.Background()
	stdout, stderr, code := run(t, ctx, home, "judgegen", "--bench", "demo", "--json", "-j", "2")
	if code != 0 {
		t.Fatalf("judgegen: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var sum struct {
		Rows []struct {
			TaskID         string `json:"task_id"`
			Classification struct {
				NeedsJudge bool   `json:"needs_judge"`
				Category   string `json:"category"`
			} `json:"classification"`
			Generated string `json:"generated"`
			Validated bool   `json:"validated"`
			Reason    string `json:"reason"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	got := map[string]string{}
	for _, r := range sum.Rows {
		got[r.TaskID] = fmt.Sprintf("%s %s %v", r.Classification.Category, r.Generated, r.Validated)
	}
	for task, want := range map[string]string{
		"demo/circle-area": "float_comparison template:float true",
		"demo/split-sum":   "multiple_solutions  false",
		"demo/add":         "none  false",
	} {
		if got[task] != want {
			t.Errorf("%s: %q, want %q", task, got[task], want)
		}
	}
	stdout, _, code = run(t, ctx, home, "judge", "list", "--bench", "demo")
	if code != 0 || !strings.Contains(stdout, "demo/circle-area") || !strings.Contains(stdout, "template:float") {
		t.Errorf("judge list: exit %d\n%s", code, stdout)
	}
	// The table form and a rerun that keeps the validated judge.
	stdout, _, code = run(t, ctx, home, "judgegen", "--bench", "demo", "--task", "demo/circle-area")
	if code != 0 || !strings.Contains(stdout, "existing") || !strings.Contains(stdout, "classified 1") {
		t.Errorf("judgegen rerun: exit %d\n%s", code, stdout)
	}
}

// TestJudgegenFlags: flag errors are usage errors.
func TestJudgegenFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"judgegen"}, "--bench is required"},
		{[]string{"judgegen", "--bench", "demo", "--llm-url", "http://x"}, "--llm-url and --model go together"},
		{[]string{"judgegen", "--bench", "demo", "--language", "rust"}, "--language"},
		{[]string{"judgegen", "--bench", "demo", "--eval-classifier", "x"}, "--eval-classifier and --bench do not go together"},
		{[]string{"judgegen", "--eval-classifier", "x", "--folds", "1"}, "--folds must be at least 2"},
		{[]string{"judge", "import", "--bench", "b"}, "give either --scalebox FILE or one checker FILE"},
		{[]string{"judge", "import", "--bench", "b", "x.py"}, "needs --task, --protocol and --language"},
	} {
		_, stderr, code := run(t, context.Background(), "", tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

// TestJudgegenEvalClassifier: --eval-classifier prints per class
// precision and recall in both modes; on a folder the embedded model was
// not trained on it evaluates the model as it is, with --cv it
// cross-validates; a problem.yaml that is not valid YAML is a warning
// naming the file and line; a missing folder is an error.
func TestJudgegenEvalClassifier(t *testing.T) {
	ctx := context.Background()
	dir := "../judgegen/testdata/labelled"
	stdout, stderr, code := run(t, ctx, "", "judgegen", "--eval-classifier", dir, "--misses")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, s := range []string{"evaluated: the model as it is (472 statements", "mode: problem.yaml as it is", "mode: statement only", "needs a judge", "data: " + dir + " (9 problems)"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
	if !strings.Contains(stderr, "warning: "+dir+"/exact/count/problem.yaml:1: not valid YAML") {
		t.Errorf("stderr %q", stderr)
	}
	stdout, stderr, code = run(t, ctx, "", "judgegen", "--eval-classifier", dir, "--cv", "--folds", "2", "--seed", "3", "--json")
	if code != 0 {
		t.Fatalf("--cv: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var rep struct {
		Problems   int    `json:"problems"`
		Evaluation string `json:"evaluation"`
		Modes      []struct {
			Mode       string `json:"mode"`
			NeedsJudge struct {
				Support int `json:"support"`
			} `json:"needs_judge"`
		} `json:"modes"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if rep.Problems != 9 || len(rep.Modes) != 2 || rep.Modes[1].NeedsJudge.Support != 6 || !strings.HasPrefix(rep.Evaluation, "2-fold stratified cross-validation (seed 3)") {
		t.Errorf("report %+v", rep)
	}
	if _, stderr, code = run(t, ctx, "", "judgegen", "--eval-classifier", t.TempDir()); code != 1 || !strings.Contains(stderr, "LABELS.tsv") {
		t.Errorf("empty folder: exit %d, %s", code, stderr)
	}
}

const scaleboxCheckers = "../../shared/data/special_judge/scalebox_aethercode_checker.jsonl"

// TestImportScaleBoxCheckers imports ScaleBox's checker.jsonl: the 398
// rows with a checker become judges, the 2 without are listed as skipped,
// and each judge is compiled and smoke-tested (an output identical to the
// expected one on synthetic tests). Compiling 398 C++ programs takes about
// 7 minutes on 2 cores, so CI compiles a deterministic subset (every 20th
// id after sorting, 20 checkers) and checks that every row is imported;
// SCALEBOX_ALL_CHECKERS=1 runs them all and lists those that fail.
func TestImportScaleBoxCheckers(t *testing.T) {
	needSandbox(t)
	if _, err := exec.LookPath("g++"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but g++ is missing")
		}
		t.Skip("g++ missing")
	}
	if _, err := os.Stat(scaleboxCheckers); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the data is missing: %v", err)
		}
		t.Skip("data missing")
	}
	home := t.TempDir()
	file := scaleboxCheckers
	all := os.Getenv("SCALEBOX_ALL_CHECKERS") == "1"
	stdout, stderr, code := run(t, context.Background(), home, "--judges", filepath.Join(home, "all"), "judge", "import", "--bench", "aethercode", "--scalebox", file, "--no-validate")
	if code != 0 || !strings.Contains(stdout, "imported 398 judges") || !strings.Contains(stdout, "(2 skipped)") || strings.Count(stderr, "has no checker") != 2 {
		t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !all {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		subset := filepath.Join(home, "subset.jsonl")
		w, _ := os.Create(subset)
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for i := 0; sc.Scan(); i++ {
			if i%20 == 0 {
				fmt.Fprintln(w, sc.Text())
			}
		}
		w.Close()
		file = subset
	}
	stdout, stderr, code = run(t, context.Background(), home, "--judges", filepath.Join(home, "checked"), "judge", "import", "--bench", "aethercode", "--scalebox", file, "-j", "4")
	if code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
	}
	recs, err := (&registry.Dir{Path: filepath.Join(home, "checked")}).List("aethercode")
	if err != nil {
		t.Fatal(err)
	}
	compiled, accepted := 0, 0
	var failing []string
	for _, r := range recs {
		v := r.Validation
		if v.Compiles {
			compiled++
		}
		if v.Passed {
			accepted++
		} else {
			failing = append(failing, r.TaskID+": "+firstOf(v.Failures))
		}
	}
	t.Logf("%d checkers: %d compile, %d accept an identical output on a synthetic test", len(recs), compiled, accepted)
	for _, f := range failing {
		t.Logf("  %s", f)
	}
	// The subset's figures, measured: every checker but one compiles and
	// most accept; a drop means the machinery broke, not the data.
	if 10*compiled < 9*len(recs) || 10*accepted < 6*len(recs) {
		t.Errorf("%d of %d compile, %d accept", compiled, len(recs), accepted)
	}
}

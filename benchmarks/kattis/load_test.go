package kattis_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/kattis"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/judge/checker"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

// kattisFS is a folder of three packages: one with per-group flags, one
// with custom validation, one nested deeper with limits.
func kattisFS() fstest.MapFS {
	return fstest.MapFS{
		"README":                              file("not a problem"),
		"a/problem.yaml":                      file("name: Add\nsource: Test Round\nvalidator_flags: float_tolerance 1e-6\nlimits:\n  memory: 512\n"),
		"a/problem_statement/problem.en.md":   file("# Add\n"),
		"a/problem_statement/problem.html":    file("<p>Add</p>"),
		"a/data/sample/1.in":                  file("1 2\n"),
		"a/data/sample/1.ans":                 file("3\n"),
		"a/data/sample/2.in":                  file("no answer\n"),
		"a/data/secret/testdata.yaml":         file("output_validator_flags: case_sensitive\n"),
		"a/data/secret/10.in":                 file("10\n"),
		"a/data/secret/10.ans":                file("ten\n"),
		"a/data/secret/9.in":                  file("9\n"),
		"a/data/secret/9.ans":                 file("nine\n"),
		"a/data/secret/g/testdata.yaml":       file("range: 0 5\n"),
		"a/data/secret/g/1.in":                file("g\n"),
		"a/data/secret/g/1.ans":               file("G\n"),
		"a/data/secret/h/testdata.yaml":       file("output_validator_args: [space_change_sensitive]\n"),
		"a/data/secret/h/1.in":                file("h\n"),
		"a/data/secret/h/1.ans":               file("H\n"),
		"a/data/secret/h/1.desc":              file("ignored"),
		"b/problem.yaml":                      file("name:\n  en: Pylons\n  sv: Pyloner\nvalidation: custom\nvalidator_flags: its own --flags\n"),
		"b/data/secret/1.in":                  file("1\n"),
		"b/data/secret/1.ans":                 file("POSSIBLE\n"),
		"deep/c/problem.yaml":                 file("type: [pass-fail]\nlimits:\n  time_limit: 1.5\n"),
		"deep/c/data/secret/1.in":             file(""),
		"deep/c/data/secret/1.ans":            file("ok\n"),
		"deep/c/data/secret/1/not-a-test.ans": file("in a folder named like a test"),
		".git/problem.yaml":                   file("hidden: not a problem"),
	}
}

func TestLoadKattis(t *testing.T) {
	got, err := kattis.Load(&benchmarks.Config{}, kattisFS(), "packages")
	if err != nil {
		t.Fatal(err)
	}
	want := []*benchmarks.Problem{
		{
			TaskID: "a", Kind: benchmarks.KindStdio, Comparator: "kattis", Statement: "# Add\n",
			ValidatorFlags: []string{"float_tolerance", "1e-6"}, MemoryLimitBytes: 512 << 20,
			Meta: map[string]string{"name": "Add", "source": "Test Round", "validation": "default"},
			Tests: []benchmarks.Test{
				{Name: "sample/1", Input: "1 2\n", Output: "3\n"},
				{Name: "secret/10", Input: "10\n", Output: "ten\n", ValidatorFlags: []string{"case_sensitive"}},
				{Name: "secret/9", Input: "9\n", Output: "nine\n", ValidatorFlags: []string{"case_sensitive"}},
				{Name: "secret/g/1", Input: "g\n", Output: "G\n", ValidatorFlags: []string{"case_sensitive"}},
				{Name: "secret/h/1", Input: "h\n", Output: "H\n", ValidatorFlags: []string{"space_change_sensitive"}},
			},
		},
		{
			// A custom validator's flags are its own business.
			TaskID: "b", Kind: benchmarks.KindStdio, Comparator: "kattis", Validation: benchmarks.ValidationCustom,
			ValidatorFlags: []string{"its", "own", "--flags"},
			Meta:           map[string]string{"name": "Pylons", "validation": "custom"},
			Tests:          []benchmarks.Test{{Name: "secret/1", Input: "1\n", Output: "POSSIBLE\n"}},
		},
		{
			TaskID: "deep/c", Kind: benchmarks.KindStdio, Comparator: "kattis", CPUTimeLimitMS: 1500,
			Meta: map[string]string{"type": "pass-fail", "validation": "default"},
			// data/secret/1/not-a-test.ans has no .in: not a test.
			Tests: []benchmarks.Test{{Name: "secret/1", Output: "ok\n"}},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(benchmarks.Problem{})); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadKattisTestGroups(t *testing.T) {
	got, err := kattis.Load(&benchmarks.Config{Data: benchmarks.DataConfig{TestGroups: []string{"secret"}}}, kattisFS(), "packages")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tt := range got[0].Tests {
		names = append(names, tt.Name)
	}
	if diff := cmp.Diff([]string{"secret/10", "secret/9", "secret/g/1", "secret/h/1"}, names); diff != "" {
		t.Errorf("tests of a (-want +got):\n%s", diff)
	}
	_, err = kattis.Load(&benchmarks.Config{Data: benchmarks.DataConfig{TestGroups: []string{"sample"}}}, kattisFS(), "packages")
	if want := "packages: b: no tests (X.in with X.ans under data/) in the groups sample"; errText(err) != want {
		t.Errorf("error %q, want %q", errText(err), want)
	}
}

// TestLoadKattisSinglePackage: a data folder that is itself a package is
// one problem named after the folder.
func TestLoadKattisSinglePackage(t *testing.T) {
	fsys, err := fs.Sub(kattisFS(), "deep/c")
	if err != nil {
		t.Fatal(err)
	}
	got, err := kattis.Load(&benchmarks.Config{}, fsys, "/x/deep/c/")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].TaskID != "c" {
		t.Errorf("got %d problems, first %q; want one named c", len(got), got[0].TaskID)
	}
}

func TestLoadKattisErrors(t *testing.T) {
	tests := []struct {
		files fstest.MapFS
		want  string
	}{
		{fstest.MapFS{"x/README": file("")}, "d: no problem packages (folders with a problem.yaml) in it"},
		{fstest.MapFS{"p/problem.yaml": file("validation: [custom")}, "d: p/problem.yaml:1: not valid YAML: did not find expected ',' or ']'"},
		{fstest.MapFS{"p/problem.yaml": file("name: x\nlimits: {time_limit: 1: 2}\n")}, "d: p/problem.yaml:2: not valid YAML: did not find expected ',' or '}'"},
		{fstest.MapFS{"p/problem.yaml": file("name: x\n")}, "d: p: no data folder"},
		{fstest.MapFS{"p/problem.yaml": file(""), "p/data/secret/1.in": file("")}, "d: p: no tests (X.in with X.ans under data/)"},
		{fstest.MapFS{"p/problem.yaml": file("validation: strange\n"), "p/data/1.in": file(""), "p/data/1.ans": file("")}, `d: p/problem.yaml: validation "strange" is unknown (want default or custom)`},
		{fstest.MapFS{"p/problem.yaml": file("validator_flags: {a: b}\n"), "p/data/1.in": file(""), "p/data/1.ans": file("")}, "d: p/problem.yaml: line 1: validator flags must be a string or a list of strings"},
		{fstest.MapFS{"p/problem.yaml": file("limits:\n  time_limit: 0\n"), "p/data/1.in": file(""), "p/data/1.ans": file("")}, "d: p/problem.yaml: limits.time_limit 0 is not a positive number of seconds"},
		{fstest.MapFS{"p/problem.yaml": file("limits:\n  memory: 0.5\n"), "p/data/1.in": file(""), "p/data/1.ans": file("")}, "d: p/problem.yaml: limits.memory 0.5 is not a number of MiB"},
		{fstest.MapFS{"p/problem.yaml": file(""), "p/data/testdata.yaml": file("output_validator_flags: [[x]]\n"), "p/data/1.in": file(""), "p/data/1.ans": file("")}, "d: p/data/testdata.yaml: line 1: validator flags must be a string or a list of strings"},
		{fstest.MapFS{"p/problem.yaml": file("validator_flags: float_tolerance\n"), "p/data/s/1.in": file(""), "p/data/s/1.ans": file("")}, "d: p: test s/1: kattis validator flags: float_tolerance needs a value"},
		{fstest.MapFS{"p/problem.yaml": file(""), "p/data/s/testdata.yaml": file("output_validator_flags: ignore_case\n"), "p/data/s/1.in": file(""), "p/data/s/1.ans": file("")}, `d: p: test s/1: kattis validator flags: unknown flag "ignore_case" (known: case_sensitive, space_change_sensitive, float_tolerance X, float_absolute_tolerance X, float_relative_tolerance X)`},
	}
	for _, tt := range tests {
		_, err := kattis.Load(&benchmarks.Config{}, tt.files, "d")
		if diff := cmp.Diff(tt.want, errText(err)); diff != "" {
			t.Errorf("error mismatch (-want +got):\n%s", diff)
		}
	}
}

// TestKattisJudging: each test is judged with the problem's flags and its
// group's, and a custom-validation problem gets SE from JudgeOutput and
// ErrNoJudge from its plan.
func TestKattisJudging(t *testing.T) {
	dir := t.TempDir()
	for name, f := range kattisFS() {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := (&benchmarks.Registry{}).Load("codejam")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Data.TestGroups = nil
	b, err := benchmarks.Load(cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := b.Problem("a")
	tests := []struct {
		test    int
		output  string
		verdict judge.Verdict
		judge   string
	}{
		{0, "3.0000001", judge.AC, "kattis(float_tolerance 1e-6)"},
		{0, "3.001", judge.WA, "kattis(float_tolerance 1e-6)"},
		{1, "TEN", judge.WA, "kattis(float_tolerance 1e-6 case_sensitive)"},
		{2, "nine", judge.AC, "kattis(float_tolerance 1e-6 case_sensitive)"},
		{3, "g", judge.WA, "kattis(float_tolerance 1e-6 case_sensitive)"},
		{4, "h\n", judge.AC, "kattis(float_tolerance 1e-6 space_change_sensitive)"},
		{4, "h", judge.WA, "kattis(float_tolerance 1e-6 space_change_sensitive)"},
	}
	for _, tt := range tests {
		o, err := b.JudgeOutput(context.Background(), a, tt.test, []byte(tt.output), benchmarks.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if o.Verdict != tt.verdict {
			t.Errorf("test %d, output %q: %s (%s), want %s", tt.test, tt.output, o.Verdict, o.Message, tt.verdict)
		}
		if got := b.JudgeName(a, tt.test); got != tt.judge {
			t.Errorf("test %d: judge %q, want %q", tt.test, got, tt.judge)
		}
	}
	custom, _ := b.Problem("b")
	o, err := b.JudgeOutput(context.Background(), custom, 0, []byte("POSSIBLE\n"), benchmarks.PlanOptions{})
	if err != nil || o.Verdict != judge.SE || !strings.Contains(o.Message, "no judge for a custom-validation problem") {
		t.Errorf("custom validation: %+v, %v; want SE saying there is no judge", o, err)
	}
	if b.JudgeName(custom, 0) != "none (custom validation)" {
		t.Errorf("custom validation: judge %q", b.JudgeName(custom, 0))
	}
	if lim := b.Limits(a); lim.MemoryBytes != 512<<20 || lim.CPUTime != cfg.Limits.CPUTime.Std() {
		t.Errorf("limits of a: %+v", lim)
	}
	c, _ := b.Problem("deep/c")
	if lim := b.Limits(c); lim.CPUTime.Milliseconds() != 1500 || lim.MemoryBytes != int64(cfg.Limits.Memory) {
		t.Errorf("limits of deep/c: %+v", lim)
	}
}

const sharedData = "../../../shared/data"

func needData(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing", path)
		}
		t.Skipf("%s missing", path)
	}
}

// TestLoadCodeJamArchive loads the Code Jam and Kick Start packages of
// ../shared/data/codejam with the codejam builtin and checks them against
// the archive's PROBLEMS.tsv: every problem, its tests (with the samples),
// its flags, and custom validation where problem.yaml says so.
func TestLoadCodeJamArchive(t *testing.T) {
	root := filepath.Join(sharedData, "codejam")
	needData(t, filepath.Join(root, "PROBLEMS.tsv"))
	cfg, err := (&benchmarks.Registry{}).Load("codejam")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Data.TestGroups = nil
	b, err := benchmarks.Load(cfg, root)
	if err != nil {
		t.Fatal(err)
	}
	tsv, err := os.ReadFile(filepath.Join(root, "PROBLEMS.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(tsv)), "\n")[1:]
	if len(b.Problems) != len(rows) {
		t.Errorf("%d problems, PROBLEMS.tsv lists %d", len(b.Problems), len(rows))
	}
	custom := 0
	for _, row := range rows {
		f := strings.Split(row, "\t")
		kind, dir, nIn, flags := f[0], f[1], f[2], f[3]
		p, ok := b.Problem(kind + "/" + dir)
		if !ok {
			t.Errorf("%s/%s: not loaded", kind, dir)
			continue
		}
		if got := strconv.Itoa(len(p.Tests)); got != nIn {
			t.Errorf("%s: %s tests, PROBLEMS.tsv says %s input files", p.TaskID, got, nIn)
		}
		switch kind {
		case "custom_judge":
			custom++
			if p.Validation != benchmarks.ValidationCustom || !strings.Contains(flags, "validation: custom") {
				t.Errorf("%s: validation %q, flags %q", p.TaskID, p.Validation, flags)
			}
		case "float_tolerance":
			_, want, _ := strings.Cut(flags, "output_validator_flags: ")
			if p.Validation != "" || strings.Join(p.ValidatorFlags, " ") != want {
				t.Errorf("%s: validation %q, flags %q; PROBLEMS.tsv says %q", p.TaskID, p.Validation, p.ValidatorFlags, flags)
			}
		default:
			t.Errorf("PROBLEMS.tsv: unknown kind %q", kind)
		}
		for _, tt := range p.Tests {
			if !strings.HasPrefix(tt.Name, "sample/") && !strings.HasPrefix(tt.Name, "secret/") {
				t.Errorf("%s: test %q is in neither sample nor secret", p.TaskID, tt.Name)
			}
		}
	}
	if custom == 0 || custom == len(rows) {
		t.Errorf("%d of %d problems have custom validation", custom, len(rows))
	}
	// The builtin judges the secret tests only.
	cfg.Data.TestGroups = []string{"secret"}
	secret, err := benchmarks.Load(cfg, root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range secret.Problems {
		for _, tt := range p.Tests {
			if !strings.HasPrefix(tt.Name, "secret/") {
				t.Errorf("%s: test %q judged with test_groups = [secret]", p.TaskID, tt.Name)
			}
		}
	}
}

// FuzzLoadKattis feeds the package loader arbitrary problem.yaml and
// testdata.yaml files and file names: it must not panic, its errors name
// the data, and what it accepts is a valid problem whose flags the kattis
// comparator either takes or refuses with an error.
func FuzzLoadKattis(f *testing.F) {
	f.Add("name: Add\nvalidator_flags: float_tolerance 1e-6\n", "output_validator_flags: case_sensitive\n", "secret/1", "3\n")
	f.Add("validation: custom\n", "", "sample/01", "x")
	f.Add("output_validator_flags: [float_tolerance, '1e-4']\nlimits: {time_limit: 2, memory: 64}\n", "output_validator_args: space_change_sensitive\n", "secret/g/1", "")
	f.Add("type: interactive\n", "range: 0 5", "1", "")
	f.Fuzz(func(t *testing.T, problemYAML, testdataYAML, test, ans string) {
		files := fstest.MapFS{
			"p/problem.yaml":              file(problemYAML),
			"p/data/secret/testdata.yaml": file(testdataYAML),
			"p/data/secret/0.in":          file("in"),
			"p/data/secret/0.ans":         file(ans),
		}
		if fs.ValidPath("p/data/"+test+".in") && !strings.Contains(test, "testdata") {
			files["p/data/"+test+".in"] = file("in")
			files["p/data/"+test+".ans"] = file(ans)
		}
		problems, err := kattis.Load(&benchmarks.Config{}, files, "d")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "d: ") {
				t.Errorf("error does not name the data: %v", err)
			}
			return
		}
		if len(problems) != 1 || problems[0].TaskID != "p" || len(problems[0].Tests) == 0 {
			t.Fatalf("got %d problems from one package", len(problems))
		}
		p := problems[0]
		for i, tt := range p.Tests {
			if tt.Name == "" || strings.HasPrefix(tt.Name, "/") || strings.HasSuffix(tt.Name, ".in") {
				t.Errorf("test %d has name %q", i, tt.Name)
			}
			if _, err := (&benchmarks.Benchmark{Config: &benchmarks.Config{}}).TestComparator(p, i); err != nil && p.Validation == "" {
				t.Errorf("test %d: loaded with flags the kattis comparator refuses: %v", i, err)
			}
		}
		if p.Validation != "" && p.Validation != benchmarks.ValidationCustom {
			t.Errorf("validation %q", p.Validation)
		}
	})
}

// TestKattisOutputValidatorFolder: a package's output validator becomes the
// problem's Kattis checker when it is one source file (with its headers),
// in output_validators/ or in its only subfolder; otherwise the problem has
// no judge, as without a validator.
func TestKattisOutputValidatorFolder(t *testing.T) {
	pkg := func(validator map[string]string) fstest.MapFS {
		fsys := fstest.MapFS{
			"problem.yaml":      {Data: []byte("name: X\nvalidator_flags: a b\n")},
			"data/secret/1.in":  {Data: []byte("1\n")},
			"data/secret/1.ans": {Data: []byte("1\n")},
			"problem.en.md":     {Data: []byte("x")},
		}
		for n, c := range validator {
			fsys["output_validators/"+n] = &fstest.MapFile{Data: []byte(c)}
		}
		return fsys
	}
	for _, tt := range []struct {
		name      string
		validator map[string]string
		want      *checker.Spec
	}{
		{"subfolder with a header", map[string]string{"v/validate.cpp": "int main(){}", "v/validate.h": "// h"},
			&checker.Spec{Protocol: checker.Kattis, Language: "cpp", Source: "int main(){}", Files: map[string]string{"validate.h": "// h"}, Args: []string{"a", "b"}}},
		{"files directly", map[string]string{"check.py": "print()"},
			&checker.Spec{Protocol: checker.Kattis, Language: "python3", Source: "print()", Args: []string{"a", "b"}}},
		{"two sources", map[string]string{"v/a.cpp": "", "v/b.cpp": ""}, nil},
		{"no source", map[string]string{"v/build": "make"}, nil},
	} {
		got, err := kattis.Load(&benchmarks.Config{}, pkg(tt.validator), "x")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		p := got[0]
		if p.Validation != benchmarks.ValidationCustom {
			t.Errorf("%s: validation %q, want custom", tt.name, p.Validation)
		}
		if diff := cmp.Diff(tt.want, p.Checker); diff != "" {
			t.Errorf("%s: checker (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestLoadKattisInvalidYAML: a problem.yaml that is not valid YAML does not
// lose the problem: a "key: value" line the parser stops at is read with
// its whole value as a string (the Code Jam archive's "name: Steed 2:
// Cruise Control"), another line is left out, and each is a warning of the
// benchmark naming the file and the line.
func TestLoadKattisInvalidYAML(t *testing.T) {
	files := fstest.MapFS{
		"p/problem.yaml":      file("# converted\nauthor: [Google\nname: Steed 2: Cruise Control\nvalidation: custom\noutput_validator_flags: float_tolerance 1e-6\n"),
		"p/data/secret/1.in":  file("1\n"),
		"p/data/secret/1.ans": file("Case #1: 1.5\n"),
	}
	got, err := kattis.Load(&benchmarks.Config{}, files, "d")
	if err != nil {
		t.Fatal(err)
	}
	p := got[0]
	if p.Meta["name"] != "Steed 2: Cruise Control" || p.Validation != benchmarks.ValidationCustom || strings.Join(p.ValidatorFlags, " ") != "float_tolerance 1e-6" {
		t.Errorf("problem %+v", p)
	}
	want := []string{
		`d/p/problem.yaml:2: not valid YAML (did not find expected ',' or ']'); left out: "author: [Google"`,
		`d/p/problem.yaml:3: not valid YAML (mapping values are not allowed in this context); read name as the string "Steed 2: Cruise Control"`,
	}
	if diff := cmp.Diff(want, p.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestReadKattisFacts reads what a problem.yaml says about judging with
// the same tolerant reader.
func TestReadKattisFacts(t *testing.T) {
	f, warnings, err := kattis.ReadFacts("x/problem.yaml", []byte("name: Game Sort: Part 1\ntype: interactive\nvalidation: custom interactive\nvalidator_flags: [float_tolerance, '1e-4']\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := kattis.Facts{Name: "Game Sort: Part 1", Type: "interactive", Validation: "custom interactive", ValidatorFlags: []string{"float_tolerance", "1e-4"}}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "x/problem.yaml:1: not valid YAML") {
		t.Errorf("warnings %q", warnings)
	}
}

// FuzzDecodeKattisYAML: the tolerant reader never panics, ends, and every
// warning and error names the file.
func FuzzDecodeKattisYAML(f *testing.F) {
	f.Add("name: Steed 2: Cruise Control\nvalidation: custom\n")
	f.Add("a: [\nb: c: d\n  e: f: g\n")
	f.Add("limits:\n  time_limit: 1: 2\n")
	f.Add("\t- x: y\n: :\n")
	f.Fuzz(func(t *testing.T, text string) {
		var m map[string]any
		warnings, err := kattis.DecodeYAML("f.yaml", []byte(text), &m)
		for _, w := range warnings {
			if !strings.HasPrefix(w, "f.yaml:") {
				t.Errorf("warning %q does not name the file", w)
			}
		}
		if err != nil && !strings.HasPrefix(err.Error(), "f.yaml") {
			t.Errorf("error %q does not name the file", err)
		}
	})
}

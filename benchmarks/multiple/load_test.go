package multiple_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/multiple"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// multipleLangs are the builtin MultiPL-E benchmarks, with the number of
// problems in each published copy of the data (Qwen2.5-Coder's, ScaleBox's).
var multipleLangs = []struct {
	lang, language string
	qwen, scalebox int
}{
	{"cpp", "cpp", 161, 161},
	{"cs", "csharp", 158, 158},
	{"java", "java", 158, 158},
	{"js", "javascript", 161, 161},
	{"php", "php", 161, 161},
	{"sh", "bash", 158, 158},
	{"ts", "typescript", 159, 159},
}

// TestMultipleBuiltins loads every builtin multiple-<lang> with both
// published copies of its data (../shared/data): the language is one
// MultiPL-E runs in, every problem has a prompt, tests and stop tokens, and
// the version is the copy's release.
func TestMultipleBuiltins(t *testing.T) {
	if got, want := benchmarks.MultipleLanguages(), []string{"bash", "cpp", "csharp", "java", "javascript", "php", "typescript"}; !cmp.Equal(got, want) {
		t.Errorf("MultipleLanguages() = %v, want %v", got, want)
	}
	names, err := (&benchmarks.Registry{}).Names()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range multipleLangs {
		t.Run(l.lang, func(t *testing.T) {
			name := "multiple-" + l.lang
			if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+name+" ") {
				t.Errorf("%s is not among the benchmarks %v", name, names)
			}
			cfg, err := (&benchmarks.Registry{}).Load(name)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Language != l.language || cfg.Format != "multipl-e" {
				t.Errorf("language %q format %q, want %q multipl-e", cfg.Language, cfg.Format, l.language)
			}
			for _, c := range []struct {
				dir, version string
				n            int
			}{{"qwen-multiple-eval", "qwen2.5-coder-d5ead97", l.qwen}, {"scalebox", "scalebox-4bcfefd", l.scalebox}} {
				path := filepath.Join(sharedData, "multipl-e", c.dir, "humaneval-"+l.lang+".jsonl")
				needData(t, path)
				b, err := benchmarks.Load(cfg, path)
				if err != nil {
					t.Fatal(err)
				}
				if len(b.Problems) != c.n || b.Config.Version != c.version || len(b.Warnings) > 0 {
					t.Errorf("%s: %d problems, version %s, warnings %v; want %d, %s, none", path, len(b.Problems), b.Config.Version, b.Warnings, c.n, c.version)
				}
				for _, p := range b.Problems {
					if p.Kind != benchmarks.KindMultiple || p.Prompt == "" || p.TestCode == "" || len(p.StopTokens) == 0 || p.NumTests() != 1 {
						t.Fatalf("%s: problem %+v", path, p)
					}
				}
			}
		})
	}
}

// TestLoadMultipleErrors: bad problem files are errors that name the file,
// the line and the field.
func TestLoadMultipleErrors(t *testing.T) {
	cfg, err := (&benchmarks.Registry{}).Load("multiple-cpp")
	if err != nil {
		t.Fatal(err)
	}
	good := `{"name": "HumanEval_0_x", "language": "cpp", "prompt": "long x() {\n", "tests": "}\nint main() {}\n", "stop_tokens": ["\n}"]}`
	tests := []struct {
		name, line, want string
	}{
		{"not json", `{"name": `, "p.jsonl:2: "},
		{"no name", `{"language": "cpp", "prompt": "p", "tests": "t"}`, `p.jsonl:2: a MultiPL-E problem needs field "name"`},
		{"no prompt", `{"name": "a", "language": "cpp", "tests": "t"}`, `p.jsonl:2: a MultiPL-E problem needs field "prompt"`},
		{"no tests", `{"name": "a", "language": "cpp", "prompt": "p"}`, `p.jsonl:2: a MultiPL-E problem needs field "tests"`},
		{"stop tokens not strings", `{"name": "a", "language": "cpp", "prompt": "p", "tests": "t", "stop_tokens": [1]}`, "p.jsonl:2: json: cannot unmarshal number into Go struct field .stop_tokens"},
		{"empty stop token", `{"name": "a", "language": "cpp", "prompt": "p", "tests": "t", "stop_tokens": [""]}`, `p.jsonl:2: task a: field "stop_tokens": token 0 is empty`},
		{"other language", `{"name": "a", "language": "java", "prompt": "p", "tests": "t"}`, "p.jsonl:2: task a is written in java (scalebox's java), but benchmark multiple-cpp runs cpp: use multiple-java"},
		{"unknown language", `{"name": "a", "language": "py", "prompt": "p", "tests": "t"}`, `p.jsonl:2: task a: field "language" is "py", but benchmark multiple-cpp runs cpp`},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, "p.jsonl", good+"\n"+tt.line+"\n")
			_, err := benchmarks.Load(cfg, path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCutAtStopTokens(t *testing.T) {
	tests := []struct {
		name, completion string
		stop             []string
		want             string
	}{
		{"no stop token", "    return 1;\n", []string{"\n}"}, "    return 1;\n"},
		{"cut at the token", "    return 1;\n}\nint main() {}\n", []string{"\n}"}, "    return 1;"},
		{"first occurrence", "a\n}b\n}c", []string{"\n}"}, "a"},
		{"earliest of several tokens", "x\n//c\nfunction f() {}\n", []string{"\nfunction ", "\n//"}, "x"},
		{"token at the start", "\n}rest", []string{"\n}"}, ""},
		{"empty tokens ignored", "abc", []string{"", "c"}, "ab"},
		{"no tokens", "abc", nil, "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := benchmarks.CutAtStopTokens(tt.completion, tt.stop); got != tt.want {
				t.Errorf("CutAtStopTokens(%q, %q) = %q, want %q", tt.completion, tt.stop, got, tt.want)
			}
		})
	}
}

// multiplePlan loads the first problem of a language's MultiPL-E data and
// plans one sample line for it.
func multiplePlan(t *testing.T, lang, sampleLine string) (*benchmarks.Problem, *benchmarks.Plan) {
	t.Helper()
	cfg, err := (&benchmarks.Registry{}).Load("multiple-" + lang)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(sharedData, "multipl-e", "qwen-multiple-eval", "humaneval-"+lang+".jsonl")
	needData(t, path)
	b, err := benchmarks.Load(cfg, path)
	if err != nil {
		t.Fatal(err)
	}
	p := b.Problems[0]
	samples, err := benchmarks.ReadSamples(strings.NewReader(strings.ReplaceAll(sampleLine, "TASK", p.TaskID)), "s.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	langs, err := runner.DefaultLanguages()
	if err != nil {
		t.Fatal(err)
	}
	l, ok := langs[cfg.Language]
	if !ok {
		t.Fatalf("no language %s", cfg.Language)
	}
	plan, err := b.Plan(p, samples[0], l, benchmarks.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p, plan
}

// TestMultiplePlan: a completion is cut at the first stop token and put
// between the prompt and the tests; a whole program (solution, or
// generation as Qwen2.5-Coder's evaluation writes it) is used as it is;
// the run reads a fresh marker on stdin.
func TestMultiplePlan(t *testing.T) {
	p, plan := multiplePlan(t, "js", `{"task_id": "TASK", "completion": "  return string.length;\n}\n\nfunction extra() { process.exit(0); }\n"}`)
	src := string(plan.Files["main.js"])
	want := p.Prompt + "  return string.length;\n}\n\n" + p.TestCode
	if !strings.Contains(src, want) || strings.Contains(src, "extra") {
		t.Errorf("program\n%s\nwant it to contain\n%s\nand not the text after the stop token", src, want)
	}
	if len(plan.Runs) != 1 || !bytes.HasPrefix(plan.Runs[0].Stdin, []byte("scalebox-done-")) {
		t.Fatalf("runs %+v", plan.Runs)
	}
	_, plan2 := multiplePlan(t, "js", `{"task_id": "TASK", "completion": "  return string.length;\n}\n"}`)
	if bytes.Equal(plan.Runs[0].Stdin, plan2.Runs[0].Stdin) {
		t.Errorf("two runs share the marker %q", plan.Runs[0].Stdin)
	}

	whole := "//whole program\nfunction strlen(s) {\n  return s.length;\n\n// not cut: a whole program is not a completion\n"
	line, _ := json.Marshal(map[string]string{"task_id": "TASK", "generation": whole})
	_, plan = multiplePlan(t, "js", string(line))
	if src := string(plan.Files["main.js"]); !strings.Contains(src, whole+"\n"+p.TestCode) {
		t.Errorf("program\n%s\nwant the generation as it is, then the tests", src)
	}
}

// TestMultipleJudge: a run passes only when it exited 0 and printed this
// run's marker on a line of its own. A program that exits 0 before the
// tests (no marker) or prints a marker of its own fails.
func TestMultipleJudge(t *testing.T) {
	for _, l := range multipleLangs {
		t.Run(l.lang, func(t *testing.T) {
			_, plan := multiplePlan(t, l.lang, `{"task_id": "TASK", "completion": ""}`)
			marker := strings.TrimSpace(string(plan.Runs[0].Stdin))
			judgeRun := plan.Runs[0].Judge
			tests := []struct {
				name string
				r    runner.Result
				want judge.Verdict
			}{
				{"marker", runner.Result{Status: runner.StatusExited, Stdout: []byte("out\n\n" + marker + "\n")}, judge.AC},
				{"marker without newline", runner.Result{Status: runner.StatusExited, Stdout: []byte("\n" + marker)}, judge.AC},
				{"exit 0 before the tests", runner.Result{Status: runner.StatusExited, Stdout: []byte("out\n")}, judge.WA},
				{"fake marker", runner.Result{Status: runner.StatusExited, Stdout: []byte("scalebox-done-00000000000000000000000000000000\n")}, judge.WA},
				{"marker inside a line", runner.Result{Status: runner.StatusExited, Stdout: []byte("x" + marker + "\n")}, judge.WA},
				{"marker but exit 1", runner.Result{Status: runner.StatusExited, ExitCode: 1, Stdout: []byte(marker + "\n")}, judge.RE},
				{"time limit", runner.Result{Status: runner.StatusTimeLimit}, judge.TLE},
			}
			for _, tt := range tests {
				if got := judgeRun(&tt.r).Verdict; got != tt.want && !(tt.want == judge.RE && got == judge.WA) {
					t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
				}
			}
		})
	}
}

// TestMultipleJudgeMessages: a failure's message names the error, not the
// last line of a stack trace.
func TestMultipleJudgeMessages(t *testing.T) {
	tests := []struct {
		lang   string
		r      runner.Result
		want   judge.Verdict
		wantIn string
	}{
		{"cs", runner.Result{Status: runner.StatusExited, ExitCode: 1, Stderr: []byte("\nUnhandled Exception:\nSystem.NullReferenceException: Object reference not set to an instance of an object\n  at Problem.Main (System.String[] args) [0x0000a] in <x>:0 \n  at ScaleboxMain.Main (System.String[] args) [0x00067] in <x>:0\n")},
			judge.RE, "exit code 1: System.NullReferenceException: Object reference not set"},
		{"cs", runner.Result{Status: runner.StatusExited, ExitCode: 3, Stderr: []byte("---- DEBUG ASSERTION FAILED ----\nscalebox: Debug.Assert failed\n")}, judge.WA, "a test failed: scalebox: Debug.Assert failed"},
		{"java", runner.Result{Status: runner.StatusExited, ExitCode: 1, Stderr: []byte("Exception in thread \"main\" java.lang.AssertionError\n\tat Problem.main(Main.java:30)\n\tat ScaleboxMain.main(Main.java:37)\n")}, judge.WA, `a test failed: Exception in thread "main" java.lang.AssertionError`},
		{"js", runner.Result{Status: runner.StatusExited, ExitCode: 1, Stderr: []byte("node:assert:124\n  throw new AssertionError(obj);\n  ^\n\nAssertionError [ERR_ASSERTION]: Expected values to be loosely deep-equal:\n\n1\n\nshould loosely deep-equal\n\n2\n    at test (/box/main.js:14:10)\n\nNode.js v20.20.2\n")}, judge.WA, "a test failed: AssertionError [ERR_ASSERTION]: Expected values to be loosely deep-equal:"},
		{"cpp", runner.Result{Status: runner.StatusSignaled, Signal: syscall.SIGABRT, Stderr: []byte("main: main.cpp:15: int scalebox_tests_main(): Assertion `candidate((0), (1)) == (1)' failed.\n")}, judge.WA, "a test failed: main: main.cpp:15: int scalebox_tests_main(): Assertion"},
		{"sh", runner.Result{Status: runner.StatusExited, ExitCode: 1, Stderr: []byte("main.sh: line 3: bc: command not found\n")}, judge.WA, "a test failed: main.sh: line 3: bc: command not found"},
	}
	for _, tt := range tests {
		_, plan := multiplePlan(t, tt.lang, `{"task_id": "TASK", "completion": ""}`)
		o := plan.Runs[0].Judge(&tt.r)
		if o.Verdict != tt.want || !strings.Contains(o.Message, tt.wantIn) {
			t.Errorf("%s: %s %q, want %s and a message containing %q", tt.lang, o.Verdict, o.Message, tt.want, tt.wantIn)
		}
	}
}

func FuzzLoadMultiple(f *testing.F) {
	f.Add([]byte(`{"name": "HumanEval_0_x", "language": "cpp", "prompt": "long x() {\n", "tests": "}\nint main() {}\n", "stop_tokens": ["\n}"]}`))
	f.Add([]byte(`{"task_id": "a", "prompt": "p", "test": "t"}` + "\n\n" + `{"name": "b", "prompt": "p", "tests": "t", "stop_tokens": []}`))
	f.Add([]byte(`{"name": "a", "language": "js", "prompt": "p", "tests": "t"}`))
	cfg := &benchmarks.Config{Name: "multiple-cpp", Language: "cpp"}
	f.Fuzz(func(t *testing.T, data []byte) {
		problems, err := multiple.Load(cfg, data, "f.jsonl")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.jsonl") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		for _, p := range problems {
			if p.TaskID == "" || p.Prompt == "" || p.TestCode == "" || p.Kind != benchmarks.KindMultiple {
				t.Errorf("accepted %+v", p)
			}
			for _, s := range p.StopTokens {
				if s == "" {
					t.Errorf("accepted an empty stop token: %+v", p)
				}
			}
		}
	})
}

package benchmarks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/runner"
)

var python = &benchmarks.Config{Language: "python3"}

// problemLines is a scalebox-format file with every field set somewhere;
// its lines are joined with "\n" or "\r\n" by the tests.
var problemLines = []string{
	`{"task_id": "a/1", "kind": "stdio", "language": "cpp", "statement": "Echo.", "tests": [{"input": "1\n", "output": "1\n"}, {"input": "", "output": ""}], "comparator": "float", "abs_tol": 0.001, "rel_tol": 1e-9, "canonical_solution": "int main(){}", "meta": {"difficulty": "easy"}}`,
	``,
	`  {"task_id": "a/2", "kind": "assert", "prompt": "def f():\n", "entry_point": "f", "test": "def check(c):\n    assert c() == 1\n", "canonical_solution": "    return 1\n"}  `,
	"\t",
	`{"task_id": "a/3", "kind": "assert", "language": "python3", "entry_point": "g", "test": "def check(c): pass"}`,
}

var wantProblems = []*benchmarks.Problem{
	{
		TaskID: "a/1", Kind: benchmarks.KindStdio, Language: "cpp", Statement: "Echo.",
		Tests:      []benchmarks.Test{{Input: "1\n", Output: "1\n"}, {}},
		Comparator: "float", AbsTol: 0.001, RelTol: 1e-9, CanonicalSolution: "int main(){}",
		Meta: map[string]string{"difficulty": "easy"},
	},
	{TaskID: "a/2", Kind: benchmarks.KindAssert, Prompt: "def f():\n", EntryPoint: "f", TestCode: "def check(c):\n    assert c() == 1\n", CanonicalSolution: "    return 1\n"},
	{TaskID: "a/3", Kind: benchmarks.KindAssert, Language: "python3", EntryPoint: "g", TestCode: "def check(c): pass"},
}

func TestLoadNative(t *testing.T) {
	tests := []struct {
		name, data string
	}{
		{"LF", strings.Join(problemLines, "\n") + "\n"},
		{"CRLF", strings.Join(problemLines, "\r\n") + "\r\n"},
		{"no final newline", strings.Join(problemLines, "\n")},
		{"blank lines around", "\n\n" + strings.Join(problemLines, "\n") + "\n\n  \n"},
	}
	for _, tt := range tests {
		got, err := benchmarks.LoadNative(python, []byte(tt.data), "p.jsonl")
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(wantProblems, got, cmpopts.IgnoreUnexported(benchmarks.Problem{})); diff != "" {
			t.Errorf("%s: problems mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestLoadNativeLongLine(t *testing.T) {
	input := strings.Repeat("1 2 3 4 5 6 7 8\n", 300_000) // about 4.8 MB
	line, err := json.Marshal(benchmarks.Problem{TaskID: "big", Kind: benchmarks.KindStdio, Tests: []benchmarks.Test{{Input: input, Output: "36\n"}}})
	if err != nil {
		t.Fatal(err)
	}
	data := `{"task_id": "small", "kind": "stdio", "tests": [{"input": "", "output": ""}]}` + "\n" + string(line) + "\n"
	got, err := benchmarks.LoadNative(python, []byte(data), "p.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].Tests[0].Input != input {
		t.Errorf("got %d problems; the long one lost its input", len(got))
	}
}

func TestLoadNativeErrors(t *testing.T) {
	const ok = `{"task_id": "ok", "kind": "stdio", "tests": [{"input": "", "output": ""}]}` + "\n"
	cpp := &benchmarks.Config{Language: "cpp"}
	tests := []struct {
		cfg        *benchmarks.Config
		data, want string
	}{
		{python, "", "p.jsonl: no problems"},
		{python, "\n \n\r\n", "p.jsonl: no problems"},
		{python, ok + `{"task_id": "a", "kind": "stdio", "tests": [{"input": "", "output": ""}], "bogus": 1}`, `p.jsonl:2: json: unknown field "bogus"`},
		{python, `{"task_id": "a", "kind": "stdio", "tests": [{"in": "1", "output": ""}]}`, `p.jsonl:1: json: unknown field "in"`},
		{python, `{"task_id": "a", "kind": "stdio", "tests": [{"input": "", "output": ""}], "meta": {"n": 1}}`, "p.jsonl:1: json: cannot unmarshal number into Go struct field Problem.meta of type string"},
		{python, ok + "\n" + `{"kind": "stdio", "tests": [{"input": "", "output": ""}]}`, "p.jsonl:3: task_id is missing"},
		{python, `{"task_id": "", "kind": "stdio"}`, "p.jsonl:1: task_id is missing"},
		{python, `{"task_id": 1, "kind": "stdio"}`, "p.jsonl:1: json: cannot unmarshal number into Go struct field Problem.task_id of type string"},
		{python, ok + `{"task_id": "a", "kind": "stdio"}`, "p.jsonl:2: task a: a stdio problem needs tests"},
		{python, `{"task_id": "a", "kind": "stdio", "tests": []}`, "p.jsonl:1: task a: a stdio problem needs tests"},
		{python, `{"task_id": "a", "kind": "assert", "test": "def check(c): pass"}`, "p.jsonl:1: task a: an assert problem needs test and entry_point"},
		{python, `{"task_id": "a", "kind": "assert", "entry_point": "f"}`, "p.jsonl:1: task a: an assert problem needs test and entry_point"},
		{python, `{"task_id": "a", "kind": "assert", "entry_point": "f", "test": "t", "language": "cpp"}`, "p.jsonl:1: task a: assert problems are Python only, not cpp"},
		{cpp, `{"task_id": "a", "kind": "assert", "entry_point": "f", "test": "t"}`, "p.jsonl:1: task a: assert problems are Python only, not cpp"},
		{python, `{"task_id": "a", "kind": "batch"}`, `p.jsonl:1: task a: kind "batch" is unknown (want "assert", "function", "lcb-function", "leetcode", "multiple" or "stdio")`},
		{python, `{"task_id": "a"}`, `p.jsonl:1: task a: kind "" is unknown (want "assert", "function", "lcb-function", "leetcode", "multiple" or "stdio")`},
		{python, ok + "{\"task_id\": \"a\",", "p.jsonl:2: unexpected EOF"},
		{python, "not json", "p.jsonl:1: invalid character 'o' in literal null (expecting 'u')"},
		{python, "null", "p.jsonl:1: task_id is missing"},
		{python, "[]", "p.jsonl:1: json: cannot unmarshal array into Go value of type benchmarks.Problem"},
		{python, `{"task_id": "a", "kind": "stdio", "tests": [{"input": "", "output": ""}, {"input": "", "output": "", "fetch_files": [` + strings.Repeat(`"f", `, 64) + `"f"]}]}`,
			"p.jsonl:1: task a: test 1: 65 files to fetch, at most 64"},
	}
	for _, tt := range tests {
		got, err := benchmarks.LoadNative(tt.cfg, []byte(tt.data), "p.jsonl")
		if diff := cmp.Diff(tt.want, errText(err)); diff != "" {
			t.Errorf("LoadNative(%q) = %v, error mismatch (-want +got):\n%s", tt.data, got, diff)
		}
	}
}

// TestLoadNativeTrailingData: the loader decodes the first JSON value of a
// line and ignores whatever follows it on that line.
func TestLoadNativeTrailingData(t *testing.T) {
	for _, data := range []string{
		`{"task_id": "a", "kind": "stdio", "tests": [{"input": "", "output": ""}]} {"task_id": "b"}`,
		`{"task_id": "a", "kind": "stdio", "tests": [{"input": "", "output": ""}]}}`,
		`{"task_id": "a", "kind": "stdio", "tests": [{"input": "", "output": ""}]} garbage`,
	} {
		got, err := benchmarks.LoadNative(python, []byte(data), "p.jsonl")
		if !strings.HasPrefix(errText(err), "p.jsonl:1: ") {
			t.Errorf("LoadNative(%q) = %d problems, error %v; want an error for p.jsonl:1", data, len(got), err)
		}
	}
}

// TestLoadDuplicateTaskID: a task id that appears twice is an error naming
// the file, the id and the line of the second occurrence.
func TestLoadDuplicateTaskID(t *testing.T) {
	data := writeFile(t, t.TempDir(), "p.jsonl", tinyProblems+"\n"+`{"task_id": "t/1", "kind": "stdio", "tests": [{"input": "", "output": ""}]}`+"\n")
	c := validConfig()
	c.Name, c.Data.Path = "dup", data
	_, err := benchmarks.Load(&c, "")
	got := errText(err)
	if !strings.Contains(got, data+":4:") || !strings.Contains(got, `"t/1"`) {
		t.Errorf("Load error = %q, want it to name %s:4 and task t/1", got, data)
	}
}

func TestLoadNativeErrorNamesDataFile(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "mine.toml", "name = \"mine\"\nversion = \"1\"\n[data]\npath = \"problems.jsonl\"\n")
	writeFile(t, dir, "problems.jsonl", tinyProblems+`{"task_id": "t/3", "kind": "stdio"}`+"\n")
	c, err := (&benchmarks.Registry{}).LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = benchmarks.Load(c, "")
	want := fmt.Sprintf("load benchmark mine: %s:3: task t/3: a stdio problem needs tests", filepath.Join(dir, "problems.jsonl"))
	if diff := cmp.Diff(want, errText(err)); diff != "" {
		t.Errorf("Load error mismatch (-want +got):\n%s", diff)
	}
}

func TestNumTests(t *testing.T) {
	tests := []struct {
		p    benchmarks.Problem
		want int
	}{
		{benchmarks.Problem{Kind: benchmarks.KindStdio, Tests: make([]benchmarks.Test, 3)}, 3},
		{benchmarks.Problem{Kind: benchmarks.KindStdio}, 0},
		{benchmarks.Problem{Kind: benchmarks.KindAssert}, 1},
		{benchmarks.Problem{Kind: benchmarks.KindAssert, Tests: make([]benchmarks.Test, 3)}, 1},
	}
	for _, tt := range tests {
		if got := tt.p.NumTests(); got != tt.want {
			t.Errorf("NumTests(%+v) = %d, want %d", tt.p, got, tt.want)
		}
	}
}

func TestLoaderNames(t *testing.T) {
	if diff := cmp.Diff([]string{"codecontests", "evalplus", "humaneval", "kattis", "leetcode", "livecodebench", "multipl-e", "scalebox"}, benchmarks.LoaderNames()); diff != "" {
		t.Errorf("LoaderNames mismatch (-want +got):\n%s", diff)
	}
}

// FuzzLoadNative checks that the scalebox-format loader never panics, that
// its errors name the file, and that what it accepts is valid: one JSON
// object per non-blank line, each problem with a task id and what its kind
// needs.
func FuzzLoadNative(f *testing.F) {
	f.Add([]byte(strings.Join(problemLines, "\n")))
	f.Add([]byte(strings.Join(problemLines, "\r\n") + "\r\n"))
	f.Add([]byte(tinyProblems))
	f.Add([]byte(`{"task_id": "a", "kind": "assert", "entry_point": "f", "test": "t", "language": "cpp"}`))
	f.Add([]byte(`{"task_id": "a", "kind": "stdio", "tests": [{"input": "", "output": ""}], "meta": {"k": "v"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		problems, err := benchmarks.LoadNative(python, data, "f.jsonl")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.jsonl") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		lines := 0
		for l := range bytes.SplitSeq(data, []byte("\n")) {
			if l = bytes.TrimSpace(l); len(l) > 0 {
				lines++
				if !json.Valid(l) {
					t.Errorf("accepted a line that is not one JSON value: %q", l)
				}
			}
		}
		if len(problems) == 0 || len(problems) != lines {
			t.Errorf("%d problems from %d non-blank lines", len(problems), lines)
		}
		for _, p := range problems {
			valid := p.TaskID != "" &&
				(p.Kind == benchmarks.KindStdio && len(p.Tests) > 0 ||
					p.Kind == benchmarks.KindAssert && p.TestCode != "" && p.EntryPoint != "" && (p.Language == "" || p.Language == "python3"))
			if !valid {
				t.Errorf("accepted an invalid problem: %+v", p)
			}
		}
	})
}

// TestNew makes a benchmark in memory: the configuration needs no data,
// problems are checked as the loader checks them, and a stdio problem's
// files join its program's.
func TestNew(t *testing.T) {
	cfg := &benchmarks.Config{Name: "inline", Version: "1", Format: "scalebox", Language: "python3",
		Limits: benchmarks.LimitsConfig{CPUTime: benchmarks.Duration(1e9), Memory: 64 << 20, Output: 1 << 20, Processes: 8},
		Judge:  benchmarks.JudgeConfig{Comparator: "scalebox"}, Eval: benchmarks.EvalConfig{EarlyStop: benchmarks.EarlyStopNever}}
	p := &benchmarks.Problem{TaskID: "x", Kind: benchmarks.KindStdio, Tests: []benchmarks.Test{{Input: "1", Output: "1"}}, Files: map[string]string{"data.txt": "42"}}
	b, err := benchmarks.New(cfg, []*benchmarks.Problem{p}, "request")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := b.Problem("x"); !ok || got != p {
		t.Fatalf("Problem(x) = %v, %v", got, ok)
	}
	plan, err := b.Plan(p, &benchmarks.Sample{TaskID: "x", Code: "print(1)"}, &runner.Language{ID: "python3", Source: "main.py"}, benchmarks.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(plan.Files["data.txt"]) != "42" || string(plan.Files["main.py"]) != "print(1)" {
		t.Errorf("plan files %q", plan.Files)
	}
	for _, tt := range []struct {
		p    *benchmarks.Problem
		want string
	}{
		{&benchmarks.Problem{TaskID: "y", Kind: benchmarks.KindStdio, Tests: p.Tests, Files: map[string]string{"../x": ""}}, `request: task y: file name "../x" must be a plain name, without a directory`},
		{&benchmarks.Problem{TaskID: "y", Kind: benchmarks.KindStdio}, "request: task y: a stdio problem needs tests"},
		{&benchmarks.Problem{TaskID: "y", Kind: "weird"}, `request: task y: kind "weird" is unknown`},
	} {
		_, err := benchmarks.New(cfg, []*benchmarks.Problem{tt.p}, "request")
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("New(%+v): %v, want %q", tt.p, err, tt.want)
		}
	}
	if _, err := benchmarks.New(cfg, []*benchmarks.Problem{p, p}, "request"); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("a task twice: %v", err)
	}
}

// TestParseHarnessCutLine: a process ended in the middle of the harness's
// write leaves a last line without its newline; it is dropped, not taken
// for output the program wrote into the channel.
func TestParseHarnessCutLine(t *testing.T) {
	const marker = "scalebox-done-x"
	for _, tt := range []struct {
		name     string
		out      string
		n        int
		complete bool
		err      bool
	}{
		{"whole", "{\"ready\": true}\n{\"i\": 0, \"out\": 1}\n" + marker + "\n", 2, true, false},
		{"cut result", "{\"ready\": true}\n{\"i\": 0, \"out\": 1}\n{\"i\": 1, \"ou", 2, false, false},
		{"marker without newline", "{\"ready\": true}\n" + marker, 1, true, false},
		{"garbage line", "{\"ready\": true}\nhello\n{\"i\": 0}\n", 1, false, true},
		{"garbage before a line", "{\"ready\": true}\nhello{\"i\": 0, \"out\": 1}\n", 1, false, true},
	} {
		lines, complete, err := benchmarks.ParseHarness([]byte(tt.out), marker)
		if len(lines) != tt.n || complete != tt.complete || (err != nil) != tt.err {
			t.Errorf("%s: %d lines, complete %v, err %v; want %d, %v, error %v", tt.name, len(lines), complete, err, tt.n, tt.complete, tt.err)
		}
	}
}

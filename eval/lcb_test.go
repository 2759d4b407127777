package eval

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/internal/pickle"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/report"
)

// lcbFixture is ScaleBox's LiveCodeBench v1 fixture: three real problems
// whose "test" field is base64(zlib(pickle({'input_output': json}))).
const lcbFixture = sharedData + "/livecodebench/scalebox_code_eval_live_code_bench_v1.jsonl"

// pickleStr is base64(zlib(pickle(s))): how code_generation_lite stores
// private test cases.
func pickleStr(s string) string {
	var p bytes.Buffer
	p.Write([]byte{0x80, 4, 'X'})
	binary.Write(&p, binary.LittleEndian, uint32(len(s)))
	p.WriteString(s)
	p.WriteByte('.')
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(p.Bytes())
	w.Close()
	return base64.StdEncoding.EncodeToString(z.Bytes())
}

// lcbFixtureFolder converts the fixture into code_generation_lite's
// published shape: a folder with test.jsonl, one problem per line, the
// first test public and the others private (pickled). The fixture lacks
// contest dates and starter code: plausible ones are filled in.
func lcbFixtureFolder(t *testing.T) string {
	t.Helper()
	needData(t, lcbFixture)
	f, err := os.Open(lcbFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dates := map[string]string{"1873_A": "2023-08-21T00:00:00", "2727": "2023-05-13T00:00:00", "abc301_a": "2023-05-13T00:00:00"}
	var out bytes.Buffer
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var row struct {
			Content string `json:"content"`
			Test    string `json:"test"`
			Labels  string `json:"labels"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		var labels struct {
			TaskID     string `json:"task_id"`
			Category   string `json:"category"`
			Difficulty string `json:"difficulty"`
		}
		if err := json.Unmarshal([]byte(row.Labels), &labels); err != nil {
			t.Fatal(err)
		}
		text, err := pickle.DecodeLCBTests(row.Test)
		if err != nil {
			t.Fatal(err)
		}
		var io struct {
			Inputs  []string `json:"inputs"`
			Outputs []string `json:"outputs"`
			FnName  *string  `json:"fn_name"`
		}
		if err := json.Unmarshal([]byte(text), &io); err != nil {
			t.Fatal(err)
		}
		type test struct {
			Input    string `json:"input"`
			Output   string `json:"output"`
			TestType string `json:"testtype"`
		}
		var tests []test
		meta, testType := "{}", "stdin"
		if io.FnName != nil {
			meta, testType = fmt.Sprintf(`{"func_name": %q}`, *io.FnName), "functional"
		}
		for i := range io.Inputs {
			tests = append(tests, test{io.Inputs[i], io.Outputs[i], testType})
		}
		public, _ := json.Marshal(tests[:1])
		private, _ := json.Marshal(tests[1:])
		id := labels.TaskID[strings.IndexByte(labels.TaskID, '/')+1:]
		rec, _ := json.Marshal(map[string]string{
			"question_title": id, "question_content": row.Content, "platform": labels.Category, "question_id": id,
			"contest_id": id, "contest_date": dates[id], "starter_code": "", "difficulty": labels.Difficulty,
			"public_test_cases": string(public), "private_test_cases": pickleStr(string(private)), "metadata": meta,
		})
		out.Write(rec)
		out.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "test.jsonl"), out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func loadBuiltin(t *testing.T, name, data string, set func(*benchmarks.Config)) *benchmarks.Benchmark {
	t.Helper()
	cfg, err := (&benchmarks.Registry{}).Load(name)
	if err != nil {
		t.Fatal(err)
	}
	if set != nil {
		set(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := benchmarks.Load(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lcbOutputs writes samples in LiveCodeBench's output format.
func lcbOutputs(t *testing.T, codes map[string][]string, order []string) []*benchmarks.Sample {
	t.Helper()
	var recs []map[string]any
	for _, id := range order {
		recs = append(recs, map[string]any{"question_id": id, "code_list": codes[id]})
	}
	data, _ := json.MarshalIndent(recs, "", "  ")
	s, err := benchmarks.ReadSamplesFile(data, "outputs.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLiveCodeBenchFixture runs ScaleBox's three LiveCodeBench v1 problems
// (two stdin, one functional) in the published shape: the fixture's
// canonical_solution, a reward hack (sys.exit(0)), is rejected; correct
// solutions pass; wrong ones fail.
func TestLiveCodeBenchFixture(t *testing.T) {
	dir := lcbFixtureFolder(t)
	sb := needSandbox(t)
	b := loadBuiltin(t, "livecodebench", dir, func(c *benchmarks.Config) { c.SetLiveCodeBench("v1", "", "") })
	want := map[string]struct {
		kind  benchmarks.Kind
		tests int
	}{"1873_A": {benchmarks.KindStdio, 5}, "2727": {benchmarks.KindLCBFunction, 14}, "abc301_a": {benchmarks.KindStdio, 15}}
	if len(b.Problems) != 3 || b.Config.Version != "release_v1" {
		t.Fatalf("%d problems, version %s", len(b.Problems), b.Config.Version)
	}
	for _, p := range b.Problems {
		if w := want[p.TaskID]; p.Kind != w.kind || p.NumTests() != w.tests {
			t.Errorf("%s: kind %s with %d tests, want %s with %d", p.TaskID, p.Kind, p.NumTests(), w.kind, w.tests)
		}
	}
	hack := "import sys; sys.exit(0)"
	codes := map[string][]string{
		"1873_A": {
			hack,
			"t = int(input())\nfor _ in range(t):\n    s = input().strip()\n    print('YES' if sum(a != b for a, b in zip(s, 'abc')) != 3 else 'NO')\n",
			"t = int(input())\nfor _ in range(t):\n    input()\n    print('YES')\n",
			// Right answers, then a truncated last line count.
			"t = int(input())\nfor i in range(t):\n    s = input().strip()\n    if i < t - 1:\n        print('YES' if sum(a != b for a, b in zip(s, 'abc')) != 3 else 'NO')\n",
		},
		"2727": {
			hack,
			"class Solution:\n    def countSeniors(self, details: List[str]) -> int:\n        return sum(int(d[11:13]) > 60 for d in details)\n",
			"class Solution:\n    def countSeniors(self, details: List[str]) -> int:\n        return len(details)\n",
			"class Solution:\n    def countSeniors(self, details):\n        sys.exit(0)\n",
			"class Yes:\n    def __eq__(self, other): return True\nclass Solution:\n    def countSeniors(self, details):\n        return Yes()\n",
		},
		"abc301_a": {
			hack,
			"n = int(input())\ns = input().strip()\nt, a = s.count('T'), s.count('A')\nif t != a:\n    print('T' if t > a else 'A')\nelse:\n    print('A' if s[-1] == 'T' else 'T')\n",
			"input()\nprint('T')\n",
		},
	}
	wantVerdicts := map[string][]judge.Verdict{
		"1873_A":   {judge.WA, judge.AC, judge.WA, judge.WA},
		"2727":     {judge.RE, judge.AC, judge.WA, judge.RE, judge.WA},
		"abc301_a": {judge.WA, judge.AC, judge.WA},
	}
	order := []string{"1873_A", "2727", "abc301_a"}
	opts := options(t, sb, b, lcbOutputs(t, codes, order))
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Samples) != 12 {
		t.Fatalf("%d samples judged, want 12", len(res.Samples))
	}
	for _, s := range res.Samples {
		t.Logf("%s sample %d: %s %s", s.Sample.TaskID, s.Sample.Index, s.Verdict, s.Message)
		w := wantVerdicts[s.Sample.TaskID][s.Sample.Index]
		if s.Verdict != w {
			t.Errorf("%s sample %d: %s (%s), want %s", s.Sample.TaskID, s.Sample.Index, s.Verdict, s.Message, w)
		}
		if s.Sample.Index == 0 && s.Passed() {
			t.Errorf("%s: the sys.exit(0) hack passed", s.Sample.TaskID)
		}
	}
	// The report breaks pass@1 down by platform, difficulty and month.
	rep := BuildReport(res, opts, ReportInfo{})
	f := func(x float64) *float64 { return &x }
	wantPlatform := map[string]report.BreakdownGroup{
		"codeforces": {Tasks: 1, ScoredTasks: 1, PassAt1: f(1.0 / 4)},
		"leetcode":   {Tasks: 1, ScoredTasks: 1, PassAt1: f(1.0 / 5)},
		"atcoder":    {Tasks: 1, ScoredTasks: 1, PassAt1: f(1.0 / 3)},
	}
	wantMonth := map[string]report.BreakdownGroup{
		"2023-08": {Tasks: 1, ScoredTasks: 1, PassAt1: f(1.0 / 4)},
		"2023-05": {Tasks: 2, ScoredTasks: 2, PassAt1: f((1.0/5 + 1.0/3) / 2)},
	}
	if diff := cmp.Diff(wantPlatform, rep.Summary.Breakdowns["platform"]); diff != "" {
		t.Errorf("platform breakdown (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantMonth, rep.Summary.Breakdowns["contest_month"]); diff != "" {
		t.Errorf("contest_month breakdown (-want +got):\n%s", diff)
	}
	if g := rep.Summary.Breakdowns["difficulty"]["easy"]; g.Tasks != 3 {
		t.Errorf("difficulty easy: %+v", g)
	}
}

const leetcodeFile = sharedData + "/leetcode_contest_deepseek/20240121-Jul.jsonl"

// TestLeetCodeContest runs DeepSeek-Coder's LeetCode set: correct solutions
// of 16 problems pass all 100 tests, with numpy importable and without it,
// wrong ones fail, and every one of the 180 problems gives a trivially wrong
// sample a definite verdict (a program that loads and returns wrong values).
func TestLeetCodeContest(t *testing.T) {
	needData(t, leetcodeFile)
	sb := needSandbox(t)
	b := loadBuiltin(t, "leetcode", leetcodeFile, nil)
	correct, err := samplesFile("testdata/leetcode_solutions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(correct) < 10 {
		t.Fatalf("%d correct solutions, want at least 10", len(correct))
	}
	wrong := samples(t,
		`{"task_id": "weekly-contest-381-minimum-number-of-pushes-to-type-word-i", "solution": "class Solution:\n    def minimumPushes(self, word: str) -> int:\n        return len(word)\n"}`,
		`{"task_id": "weekly-contest-374-find-the-peaks", "solution": "class Solution:\n    def findPeaks(self, mountain):\n        return tuple(i for i in range(1, len(mountain) - 1) if mountain[i - 1] < mountain[i] > mountain[i + 1])\n"}`,
		`{"task_id": "weekly-contest-364-maximum-odd-binary-number", "solution": "import sys\nsys.exit(0)\n"}`,
		`{"task_id": "weekly-contest-359-check-if-a-string-is-an-acronym-of-words", "solution": "class T:\n    def __eq__(self, o): return True\nclass Solution:\n    def isAcronym(self, words, s):\n        return T()\n"}`,
	)
	wantWrong := []judge.Verdict{judge.WA, judge.WA, judge.RE, judge.WA}
	// A trivially wrong sample for every problem.
	var trivial []*benchmarks.Sample
	for _, p := range b.Problems {
		code := fmt.Sprintf("class Solution:\n    def %s(self, *args, **kwargs):\n        return None\n", p.EntryPoint)
		trivial = append(trivial, &benchmarks.Sample{TaskID: p.TaskID, Code: code, Index: 1 + len(wrong)})
	}
	all := append(append(append([]*benchmarks.Sample{}, correct...), wrong...), trivial...)
	for i, s := range wrong {
		s.Index = 1 + i
	}
	opts := options(t, sb, b, all)
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Samples) != len(all) {
		t.Fatalf("%d samples judged, want %d", len(res.Samples), len(all))
	}
	trivialVerdicts := map[judge.Verdict]int{}
	for i, s := range res.Samples {
		switch {
		case i < len(correct):
			if !s.Passed() || s.TestsTotal != 100 {
				t.Errorf("correct %s: %s (%s), %d tests", s.Sample.TaskID, s.Verdict, s.Message, s.TestsTotal)
			}
		case i < len(correct)+len(wrong):
			t.Logf("wrong %s: %s %s", s.Sample.TaskID, s.Verdict, s.Message)
			if w := wantWrong[i-len(correct)]; s.Verdict != w {
				t.Errorf("wrong %s: %s (%s), want %s", s.Sample.TaskID, s.Verdict, s.Message, w)
			}
		default:
			trivialVerdicts[s.Verdict]++
			if !s.Verdict.Definite() || s.Passed() {
				t.Errorf("trivial %s: %s (%s), want a definite failure", s.Sample.TaskID, s.Verdict, s.Message)
			}
			// It fails on its values: the program (prelude included) loads,
			// with numpy installed or not.
			if strings.Contains(s.Message, "failed to load") {
				t.Errorf("trivial %s: %s", s.Sample.TaskID, s.Message)
			}
		}
	}
	t.Logf("trivially wrong samples of the %d problems: %v", len(b.Problems), trivialVerdicts)

	// On a host without numpy (the harness hides the host's: the path such a
	// host takes), DeepSeek's prelude skips it and the correct solutions,
	// which do not use it, still pass.
	bare := loadBuiltin(t, "leetcode", leetcodeFile, func(c *benchmarks.Config) { c.Python.Packages = []string{} })
	res, err = Run(context.Background(), options(t, sb, bare, correct))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Samples {
		if !s.Passed() {
			t.Errorf("correct %s without numpy: %s (%s)", s.Sample.TaskID, s.Verdict, s.Message)
		}
	}
}

func samplesFile(path string) ([]*benchmarks.Sample, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return benchmarks.ReadSamplesFile(data, path)
}

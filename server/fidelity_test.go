package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/internal/pickle"
	"github.com/scalebox-dev/scalebox/report"
)

const sharedData = "../../shared/data"

func needData(t testing.TB, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing", p)
			}
			t.Skipf("%s missing", p)
		}
	}
}

// fidelityCase is a benchmark, its data and samples (JSONL).
type fidelityCase struct {
	bench, data, samples string
	extra                []string // eval flags
}

// TestFidelityWithEval: the verdicts /v1/evaluate gives equal those of
// `scalebox eval`, sample for sample, for the Qwen2.5-Coder-1.5B
// HumanEval+ samples and for LiveCodeBench and CodeContests data of
// ../shared/data (with written samples: right, wrong, crashing, hacks).
// A verdict may differ only for a sample whose CPU time sits at its limit
// (over 85% of it in either run), as between two runs of eval.
func TestFidelityWithEval(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: judges 230 samples twice")
	}
	needSandbox(t)
	gen := sharedData + "/generations/qwen2.5-coder-1.5b-base/evalplus/humaneval/generated.jsonl"
	hep := sharedData + "/humanevalplus/v0.1.9/HumanEvalPlus.jsonl.gz"
	cc := sharedData + "/codecontests/scalebox_code_eval_code_contests.jsonl"
	lcbFixture := sharedData + "/livecodebench/scalebox_code_eval_live_code_bench_v1.jsonl"
	needData(t, gen, hep, cc, lcbFixture)
	dir := t.TempDir()
	cases := []fidelityCase{
		{"humanevalplus", hep, gen, nil},
		{"codecontests", cc, codeContestsSamples(t, dir, cc), nil},
		{"livecodebench", lcbFolder(t, dir, lcbFixture), lcbSamples(t, dir), []string{"--release", "v1"}},
	}
	args := []string{"--release", "v1"}
	for _, c := range cases {
		args = append(args, "--bench", c.bench+"="+c.data)
	}
	s := startServer(t, args...)
	for _, c := range cases {
		t.Run(c.bench, func(t *testing.T) {
			out := filepath.Join(dir, c.bench+".json")
			cmd := exec.Command(binary, append([]string{"eval", "--bench", c.bench, "--data", c.data, "--samples", c.samples, "--out", out, "-q", "-j", "2"}, c.extra...)...)
			cmd.Env = s.cmd.Env
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("scalebox eval: %v\n%s", err, msg)
			}
			rep, err := report.Read(out)
			if err != nil {
				t.Fatal(err)
			}
			type key struct {
				task  string
				index int
			}
			want := map[key]report.Sample{}
			for _, p := range rep.Problems {
				for _, smp := range p.Samples {
					want[key{p.TaskID, smp.Index}] = smp
				}
			}
			var samples []json.RawMessage
			for _, line := range readLines(t, c.samples) {
				samples = append(samples, json.RawMessage(line))
			}
			var got struct {
				Results []struct {
					TaskID      string  `json:"task_id"`
					SampleIndex int     `json:"sample_index"`
					Verdict     string  `json:"verdict"`
					Message     string  `json:"message"`
					BasePassed  *bool   `json:"base_passed"`
					LimitRatio  float64 `json:"limit_ratio"`
				} `json:"results"`
			}
			if code := s.post(t, "/v1/evaluate", map[string]any{"benchmark": c.bench, "samples": samples}, &got); code != 200 {
				t.Fatalf("/v1/evaluate: %d", code)
			}
			if len(got.Results) != len(want) || len(want) != len(samples) {
				t.Fatalf("%d results from the server, %d in eval's report, %d samples", len(got.Results), len(want), len(samples))
			}
			verdicts := map[string]int{}
			for _, g := range got.Results {
				w, ok := want[key{g.TaskID, g.SampleIndex}]
				if !ok {
					t.Errorf("%s #%d: not in eval's report", g.TaskID, g.SampleIndex)
					continue
				}
				verdicts[g.Verdict]++
				if g.Verdict == w.Verdict && fmt.Sprint(deref(g.BasePassed)) == fmt.Sprint(deref(w.BasePassed)) {
					continue
				}
				if ratio := max(g.LimitRatio, limitRatio(w)); ratio > 0.85 {
					t.Logf("%s #%d at its CPU time limit (%.2f): eval %s, serve %s", g.TaskID, g.SampleIndex, ratio, w.Verdict, g.Verdict)
					continue
				}
				t.Errorf("%s #%d: eval %s (base %v: %s), serve %s (base %v: %s)", g.TaskID, g.SampleIndex, w.Verdict, deref(w.BasePassed), w.Message, g.Verdict, deref(g.BasePassed), g.Message)
			}
			t.Logf("%s: %d samples, verdicts %v", c.bench, len(got.Results), verdicts)
		})
	}
}

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func limitRatio(s report.Sample) float64 {
	r := 0.0
	for _, t := range s.Tests {
		if t.Usage != nil {
			r = max(r, t.Usage.LimitRatio)
		}
	}
	return r
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func writeSamples(t *testing.T, path string, samples []map[string]string) string {
	t.Helper()
	var b bytes.Buffer
	for _, s := range samples {
		line, _ := json.Marshal(s)
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// codeContestsSamples writes samples for every problem of the CodeContests
// data: the echo of the input, a crash, a sys.exit(0) hack, and for four
// problems a right and a wrong solution.
func codeContestsSamples(t *testing.T, dir, data string) string {
	t.Helper()
	var samples []map[string]string
	for _, line := range readLines(t, data) {
		var row struct {
			ID json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatal(err)
		}
		id := strings.Trim(string(row.ID), `"`)
		for _, code := range []string{"import sys\nprint(sys.stdin.read())", "print(1 // 0)", "import sys\nsys.exit(0)"} {
			samples = append(samples, map[string]string{"task_id": id, "solution": code})
		}
	}
	for task, codes := range map[string][]string{
		"3": {"import sys\nfrom collections import Counter\nd = sys.stdin.read().split()\nn = int(d[0])\na, b = Counter(d[1:1 + n]), Counter(d[1 + n:1 + 2 * n])\nprint(sum((a - b).values()))\n",
			"import sys\nd = sys.stdin.read().split()\nn = int(d[0])\nprint(len(set(d[1:1 + n]) ^ set(d[1 + n:1 + 2 * n])))\n"},
		"17": {"n = input().strip()\nm = input().strip()\nif n == '0':\n    best = '0'\nelse:\n    ds = sorted(n)\n    i = next(j for j, c in enumerate(ds) if c != '0')\n    best = ds[i] + ''.join(ds[:i] + ds[i + 1:])\nprint('OK' if m == best else 'WRONG_ANSWER')\n",
			"n = input().strip()\nm = input().strip()\nprint('OK')\n"},
	} {
		for _, code := range codes {
			samples = append(samples, map[string]string{"task_id": task, "solution": code})
		}
	}
	return writeSamples(t, filepath.Join(dir, "cc.jsonl"), samples)
}

// lcbFolder converts ScaleBox's LiveCodeBench v1 fixture into
// code_generation_lite's shape (test.jsonl; plain JSON test cases; the
// contest dates it lacks filled in).
func lcbFolder(t *testing.T, dir, fixture string) string {
	t.Helper()
	dates := map[string]string{"1873_A": "2023-08-21T00:00:00", "2727": "2023-05-13T00:00:00", "abc301_a": "2023-05-13T00:00:00"}
	f, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var row struct {
			Content, Test, Labels string
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		var labels struct {
			TaskID     string `json:"task_id"`
			Category   string `json:"category"`
			Difficulty string `json:"difficulty"`
		}
		json.Unmarshal([]byte(row.Labels), &labels)
		text, err := pickle.DecodeLCBTests(row.Test)
		if err != nil {
			t.Fatal(err)
		}
		var io struct {
			Inputs  []string `json:"inputs"`
			Outputs []string `json:"outputs"`
			FnName  *string  `json:"fn_name"`
		}
		json.Unmarshal([]byte(text), &io)
		type test struct {
			Input    string `json:"input"`
			Output   string `json:"output"`
			TestType string `json:"testtype"`
		}
		var tests []test
		meta, typ := "{}", "stdin"
		if io.FnName != nil {
			meta, typ = fmt.Sprintf(`{"func_name": %q}`, *io.FnName), "functional"
		}
		for i := range io.Inputs {
			tests = append(tests, test{io.Inputs[i], io.Outputs[i], typ})
		}
		public, _ := json.Marshal(tests[:1])
		private, _ := json.Marshal(tests[1:])
		id := labels.TaskID[strings.IndexByte(labels.TaskID, '/')+1:]
		rec, _ := json.Marshal(map[string]string{
			"question_title": id, "question_content": row.Content, "platform": labels.Category, "question_id": id,
			"contest_id": id, "contest_date": dates[id], "starter_code": "", "difficulty": labels.Difficulty,
			"public_test_cases": string(public), "private_test_cases": string(private), "metadata": meta,
		})
		out.Write(rec)
		out.WriteByte('\n')
	}
	folder := filepath.Join(dir, "lcb")
	os.MkdirAll(folder, 0o755)
	if err := os.WriteFile(filepath.Join(folder, "test.jsonl"), out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return folder
}

// lcbSamples are right, wrong and hacking programs for the fixture's
// problems.
func lcbSamples(t *testing.T, dir string) string {
	t.Helper()
	hack := "import sys; sys.exit(0)"
	codes := map[string][]string{
		"1873_A": {hack,
			"t = int(input())\nfor _ in range(t):\n    s = input().strip()\n    print('YES' if sum(a != b for a, b in zip(s, 'abc')) != 3 else 'NO')\n",
			"t = int(input())\nfor _ in range(t):\n    input()\n    print('YES')\n",
			"t = int(input())\nfor i in range(t):\n    s = input().strip()\n    if i < t - 1:\n        print('YES' if sum(a != b for a, b in zip(s, 'abc')) != 3 else 'NO')\n"},
		"2727": {hack,
			"class Solution:\n    def countSeniors(self, details: List[str]) -> int:\n        return sum(int(d[11:13]) > 60 for d in details)\n",
			"class Solution:\n    def countSeniors(self, details: List[str]) -> int:\n        return len(details)\n",
			"class Yes:\n    def __eq__(self, other): return True\nclass Solution:\n    def countSeniors(self, details):\n        return Yes()\n"},
		"abc301_a": {hack,
			"n = int(input())\ns = input().strip()\nt, a = s.count('T'), s.count('A')\nif t != a:\n    print('T' if t > a else 'A')\nelse:\n    print('A' if s[-1] == 'T' else 'T')\n",
			"input()\nprint('T')\n"},
	}
	var samples []map[string]string
	for _, id := range []string{"1873_A", "2727", "abc301_a"} {
		for _, c := range codes[id] {
			samples = append(samples, map[string]string{"task_id": id, "solution": c})
		}
	}
	return writeSamples(t, filepath.Join(dir, "lcb.jsonl"), samples)
}

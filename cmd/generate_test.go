package cmd

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/generate"
	"github.com/scalebox-dev/scalebox/generate/generatetest"
	"github.com/scalebox-dev/scalebox/report"
)

// runEnvVars is run with extra environment variables (an API key).
func runEnvVars(t *testing.T, ctx context.Context, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	home := t.TempDir()
	deps := Deps{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string {
		switch k {
		case "XDG_CONFIG_HOME", "HOME":
			return home
		}
		return env[k]
	}}
	code := Execute(ctx, deps, args)
	return out.String(), errb.String(), code
}

func readGenerated(t *testing.T, path string) []generate.Line {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []generate.Line
	for _, l := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var g generate.Line
		if err := json.Unmarshal(l, &g); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, g)
	}
	return out
}

// TestGenerateErrors: a wrong URL, model or key, and bad flags, are clear
// errors before any work; the key never shows.
func TestGenerateErrors(t *testing.T) {
	data := filepath.Join(sharedData, "humanevalplus/v0.1.9/HumanEvalPlus.jsonl.gz")
	needData(t, data)
	srv := generatetest.New("served-model", func(*generatetest.Request, int) string { return "x" })
	defer srv.Close()
	srv.Key = "good-key"
	out := filepath.Join(t.TempDir(), "s.jsonl")
	base := []string{"generate", "--bench", "humanevalplus", "--data", data, "--out", out}
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no server", nil, []string{"--llm-url", "http://127.0.0.1:1/v1", "--model", "m"}, 1, "cannot reach the LLM endpoint http://127.0.0.1:1/v1"},
		{"not a URL", nil, []string{"--llm-url", "localhost:8000", "--model", "m"}, 2, "is not an http(s) URL"},
		{"no model", nil, []string{"--llm-url", srv.URL()}, 2, "--model is required"},
		{"no key", nil, []string{"--llm-url", srv.URL(), "--model", "served-model"}, 1, "refused the API key (HTTP 401): $OPENAI_API_KEY is empty"},
		{"wrong key", map[string]string{"MY_KEY": "bad-key-123"}, []string{"--llm-url", srv.URL(), "--model", "served-model", "--api-key-env", "MY_KEY"}, 1, "refused the API key (HTTP 401): set it in $MY_KEY"},
		{"wrong model", map[string]string{"OPENAI_API_KEY": "good-key"}, []string{"--llm-url", srv.URL(), "--model", "gpt-5"}, 1, `model "gpt-5" is not served at ` + srv.URL() + " (it serves: served-model)"},
		{"style for the other API", map[string]string{"OPENAI_API_KEY": "good-key"}, []string{"--llm-url", srv.URL(), "--model", "served-model", "--prompt", "evalplus-base", "--api", "chat"}, 2, "is sent to the completions API, not chat"},
		{"unknown style", map[string]string{"OPENAI_API_KEY": "good-key"}, []string{"--llm-url", srv.URL(), "--model", "served-model", "--prompt", "lcb-chat"}, 2, "prompt style \"lcb-chat\" is unknown for this benchmark (styles: evalplus-chat, evalplus-base, or base, instruct)"},
		{"language of a Python benchmark", map[string]string{"OPENAI_API_KEY": "good-key"}, []string{"--llm-url", srv.URL(), "--model", "served-model", "--language", "cpp"}, 2, "--language applies to benchmarks of stdin programs"},
	} {
		_, stderr, code := runEnvVars(t, context.Background(), c.env, append(append([]string{}, base...), c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "bad-key-123") {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", c.name, code, stderr, c.code, c.want)
		}
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("%d generation requests were sent; the errors must come first", len(srv.Requests()))
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed start wrote %s", out)
	}
}

// lcbProblem is a code_generation_lite record.
func lcbProblem(id, content, starter, funcName string, tests [][2]string) string {
	type tc struct {
		Input    string `json:"input"`
		Output   string `json:"output"`
		TestType string `json:"testtype"`
	}
	meta, typ := "{}", "stdin"
	if funcName != "" {
		meta, typ = `{"func_name": "`+funcName+`"}`, "functional"
	}
	var cases []tc
	for _, x := range tests {
		cases = append(cases, tc{x[0], x[1], typ})
	}
	pub, _ := json.Marshal(cases[:1])
	priv, _ := json.Marshal(cases[1:])
	b, _ := json.Marshal(map[string]string{
		"question_title": id, "question_content": content, "platform": "leetcode", "question_id": id, "contest_id": "c",
		"contest_date": "2024-01-01T00:00:00", "starter_code": starter, "difficulty": "easy", "public_test_cases": string(pub),
		"private_test_cases": string(priv), "metadata": meta,
	})
	if funcName == "" {
		b = bytes.Replace(b, []byte(`"platform":"leetcode"`), []byte(`"platform":"atcoder"`), 1)
	}
	return string(b) + "\n"
}

// TestEvalGeneratesLiveCodeBench is the end to end run on LiveCodeBench:
// eval samples a chat endpoint with lcb_runner's prompt (the server checks
// each request against the prompt lcb_runner's own code built for the
// same problem, byte for byte), extracts the code as lcb_runner does,
// judges every sample as it arrives, and reports pass@k with n = 5 by the
// unbiased estimator. 429 and 500 answers are retried. The generated file
// judged again with --samples gives the same scores, and an interrupted
// run resumes without asking again for a finished sample.
func TestEvalGeneratesLiveCodeBench(t *testing.T) {
	needSandbox(t)
	refs := readReferencePrompts(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "lite")
	os.MkdirAll(data, 0o755)
	var stdinQ, funcQ, funcStarter string
	want := map[string][]json.RawMessage{}
	for _, r := range refs.LiveCodeBench {
		if r.LMStyle != "OpenAIChat" {
			continue
		}
		if r.StarterCode == "" {
			stdinQ = r.QuestionContent
		} else {
			funcQ, funcStarter = r.QuestionContent, r.StarterCode
		}
		want[r.QuestionID] = append(want[r.QuestionID], r.Prompt)
	}
	os.WriteFile(filepath.Join(data, "test.jsonl"), []byte(
		lcbProblem("synthetic-stdin", stdinQ, "", "", [][2]string{{"3 5\n", "8\n"}, {"1 2\n", "3\n"}, {"-4 4\n", "0\n"}})+
			lcbProblem("synthetic-functional", funcQ, funcStarter, "arraySum", [][2]string{{"[1,2,3]", "6"}, {"[]", "0"}, {"[-5]", "-5"}})), 0o644)

	var mu sync.Mutex
	var mismatch []string
	srv := generatetest.New("coder", func(r *generatetest.Request, i int) string {
		id := "synthetic-stdin"
		if strings.Contains(r.Text(), "arraySum") {
			id = "synthetic-functional"
		}
		got, _ := json.Marshal(r.Messages)
		var wantMsgs, gotMsgs any
		json.Unmarshal(want[id][0], &wantMsgs)
		json.Unmarshal(got, &gotMsgs)
		if diff := cmp.Diff(wantMsgs, gotMsgs); diff != "" {
			mu.Lock()
			mismatch = append(mismatch, id+":\n"+diff)
			mu.Unlock()
		}
		if id == "synthetic-stdin" {
			return "Read both numbers:\n```python\na, b = map(int, input().split())\nprint(a + b)\n```\n"
		}
		// The samples of an even index are right, the odd ones wrong;
		// the answer's last block is its code, as lcb_runner reads it.
		body := "return sum(nums)"
		if i%2 == 1 {
			body = "return 0"
		}
		return "A first try:\n```python\nprint('not this')\n```\nThe solution:\n```python\nclass Solution:\n    def arraySum(self, nums: List[int]) -> int:\n        " + body + "\n```"
	})
	defer srv.Close()
	srv.SetFail(func(_ *generatetest.Request, n int) int {
		switch n {
		case 1:
			return http.StatusTooManyRequests
		case 2:
			return http.StatusInternalServerError
		}
		return 0
	})
	// The interruption below: once the request count reaches killAt, the
	// run is cancelled and the request left waiting.
	var (
		killAt   atomic.Int64
		cancelMu sync.Mutex
		cancelFn context.CancelFunc
	)
	srv.SetDelay(func(*generatetest.Request) time.Duration {
		if k := killAt.Load(); k > 0 && int64(len(srv.Requests())) >= k {
			cancelMu.Lock()
			if cancelFn != nil {
				cancelFn()
			}
			cancelMu.Unlock()
			return 2 * time.Second
		}
		return 0
	})
	out := filepath.Join(dir, "r.json")
	args := []string{"eval", "--bench", "livecodebench", "--data", data, "--release", "v1", "--llm-url", srv.URL(), "--model", "coder",
		"-n", "5", "--temperature", "0.7", "--seed", "11", "--llm-retries", "3", "--out", out, "-q"}
	_, stderr, code := run(t, context.Background(), "", args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, m := range mismatch {
		t.Errorf("a prompt differs from lcb_runner's (-lcb_runner +scalebox):\n%s", m)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	// n = 5 per problem: 5 right stdin samples, 3 right of 5 functional.
	wantK := map[string]float64{"1": (1 + report.PassAtK(5, 3, 1)) / 2, "5": 1}
	if diff := cmp.Diff(wantK, rep.Summary.PassAtK); diff != "" || math.Abs(wantK["1"]-0.8) > 1e-12 {
		t.Errorf("pass@k (-want +got):\n%s", diff)
	}
	if rep.Summary.Samples != 10 || rep.Summary.Verdicts["AC"] != 8 || rep.Summary.Verdicts["WA"] != 2 {
		t.Errorf("summary %+v", rep.Summary)
	}
	g := rep.Generation
	samplesPath := strings.TrimSuffix(out, ".json") + ".samples.jsonl"
	if g == nil || g.Model != "coder" || g.PromptStyle != "lcb-chat" || !strings.Contains(g.PromptSource, "LiveCodeBench/LiveCodeBench@28fef95") ||
		g.Temperature != 0.7 || g.TopP != 0.95 || g.MaxTokens != 1200 || *g.Seed != 11 || g.N != 5 || g.SamplesPath != samplesPath ||
		g.Endpoint != srv.URL()+"/chat/completions" || g.Usage == nil || g.Usage.Retries != 2 || g.Usage.Generated != 10 {
		t.Errorf("generation %+v, usage %+v", g, g.Usage)
	}
	if _, err := os.Stat(out + ".journal"); err == nil {
		t.Errorf("the journal of a complete run was kept")
	}
	lines := readGenerated(t, samplesPath)
	if len(lines) != 10 {
		t.Fatalf("%d generated lines", len(lines))
	}
	for _, l := range lines {
		if l.Generation.Model != "coder" || l.Generation.Temperature != 0.7 || len(l.PromptSHA256) != 64 || strings.Contains(*l.Solution, "```") || strings.Contains(*l.Solution, "not this") {
			t.Errorf("line %+v", l)
		}
	}

	// The file judged on its own scores the same.
	again := filepath.Join(dir, "again.json")
	if _, stderr, code := run(t, context.Background(), "", "eval", "--bench", "livecodebench", "--data", data, "--release", "v1", "--samples", samplesPath, "--out", again, "-q"); code != 0 {
		t.Fatalf("eval --samples: exit %d: %s", code, stderr)
	}
	rep2, _ := report.Read(again)
	if diff := cmp.Diff(rep.Summary.PassAtK, rep2.Summary.PassAtK); diff != "" {
		t.Errorf("the generated file scores differently on its own (-overlapped +file):\n%s", diff)
	}
	// The file's settings are the report's generation section.
	if g2 := rep2.Generation; g2 == nil || g2.Model != "coder" || g2.N != 5 || g2.PromptStyle != "lcb-chat" || g2.SamplesPath != samplesPath || g2.Usage != nil {
		t.Errorf("generation of the file's report %+v", g2)
	}

	// Interrupted when the second problem is asked for, then resumed: the
	// second run asks only for what the first did not write.
	before := len(srv.Requests())
	out2 := filepath.Join(dir, "r2.json")
	ctx, cancel := context.WithCancel(context.Background())
	cancelMu.Lock()
	cancelFn = cancel
	cancelMu.Unlock()
	killAt.Store(int64(before + 2))
	args2 := append(append([]string{}, args[:len(args)-3]...), "--out", out2, "-q", "--concurrency", "1")
	_, _, code = run(t, ctx, "", args2...)
	if code != int(ExitInterrupted) {
		t.Fatalf("interrupted run: exit %d", code)
	}
	killAt.Store(0)
	firstRun := srv.Requests()[before:]
	partial := readGenerated(t, strings.TrimSuffix(out2, ".json")+".samples.jsonl")
	if len(partial) != 5 || partial[0].TaskID != "synthetic-stdin" {
		t.Fatalf("the interrupted run wrote %d samples; want the 5 of the first problem", len(partial))
	}
	_, stderr, code = run(t, context.Background(), "", append(args2, "--resume")...)
	if code != 0 {
		t.Fatalf("resumed run: exit %d: %s", code, stderr)
	}
	resumed := srv.Requests()[before+len(firstRun):]
	if len(resumed) != 1 || strings.Contains(resumed[0].Text(), "A+B") {
		t.Errorf("the resumed run sent %d requests; want one, for the second problem only", len(resumed))
	}
	rep3, err := report.Read(out2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rep.Summary.PassAtK, rep3.Summary.PassAtK); diff != "" || rep3.Summary.Samples != 10 {
		t.Errorf("resumed run: %d samples, pass@k (-first +resumed):\n%s", rep3.Summary.Samples, diff)
	}
}

type referencePrompts struct {
	LiveCodeBench []struct {
		QuestionID      string          `json:"question_id"`
		QuestionContent string          `json:"question_content"`
		StarterCode     string          `json:"starter_code"`
		LMStyle         string          `json:"lm_style"`
		Prompt          json.RawMessage `json:"prompt"`
	} `json:"livecodebench_openai_chat"`
}

func readReferencePrompts(t *testing.T) *referencePrompts {
	t.Helper()
	path := filepath.Join(sharedData, "prompts/reference_prompts.json")
	needData(t, path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r referencePrompts
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestEvalGeneratesHumanEvalPlus is the end to end run on HumanEval+ with
// a base model: the completions endpoint replays Qwen2.5-Coder-1.5B's
// recorded greedy completions, scalebox prompts as evalplus does (the
// prompt stripped, evalplus's stop sequences), sanitizes as evalplus's
// codegen does, and every task gets the base and plus verdicts evalplus
// recorded for those completions.
func TestEvalGeneratesHumanEvalPlus(t *testing.T) {
	needSandbox(t)
	if testing.Short() {
		t.Skip("slow: HumanEval+ reference outputs and plus inputs")
	}
	gen := filepath.Join(sharedData, "generations/qwen2.5-coder-1.5b-base/evalplus/humaneval")
	dataGz := filepath.Join(sharedData, "humanevalplus/v0.1.9/HumanEvalPlus.jsonl.gz")
	needData(t, dataGz)
	needData(t, gen+"/generated.jsonl")
	recorded := readJSONL(t, gen+"/generated.jsonl").byID()
	statuses := readEvalplusStatuses(t, gen+"/generated_eval_results.json")
	// A subset of the tasks: those whose recorded completion evalplus's
	// stop sequences leave whole (the replay then gives evalplus's program
	// back), with both verdicts present among them.
	tasks := readJSONL(t, dataGz)
	stops := []string{"<|endoftext|>", "<|endofmask|>", "</s>", "\nif __name__", "\ndef main(", "\nprint(", "\ndef ", "\nclass ", "\nimport ", "\nfrom ", "\nassert "}
	body := map[string]string{} // stripped prompt -> replayed completion
	var subset []string
	passed := 0
	for _, task := range tasks {
		id, prompt := task["task_id"].(string), task["prompt"].(string)
		rec, ok := recorded[id]
		if !ok {
			continue
		}
		b, ok := strings.CutPrefix(rec["completion"].(string), prompt)
		if !ok || family.CutAtStop(b, stops) != b {
			continue
		}
		st := statuses[id]
		if st[1] == "pass" {
			if passed >= 4 {
				continue
			}
			passed++
		} else if len(subset)-passed >= 4 {
			continue
		}
		line, _ := json.Marshal(task)
		subset = append(subset, string(line))
		body[family.PyStrip(prompt)+"\n"] = b
		if len(subset) == 8 {
			break
		}
	}
	if len(subset) != 8 || passed != 4 {
		t.Fatalf("subset of %d tasks, %d passing", len(subset), passed)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "HumanEvalPlus.jsonl")
	os.WriteFile(data, []byte(strings.Join(subset, "\n")+"\n"), 0o644)

	srv := generatetest.New("qwen2.5-coder-1.5b", func(r *generatetest.Request, _ int) string {
		if r.Prompt == nil {
			return "not a completions request"
		}
		return body[*r.Prompt]
	})
	defer srv.Close()
	out := filepath.Join(dir, "r.json")
	_, stderr, code := run(t, context.Background(), "", "eval", "--bench", "humanevalplus", "--data", data, "--llm-url", srv.URL(),
		"--model", "qwen2.5-coder-1.5b", "--prompt", "base", "--out", out, "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, r := range srv.Requests() {
		if r.Path != "/v1/completions" || body[r.Text()] == "" || !cmp.Equal(r.Stop, stops) || r.Temperature != 0 || r.MaxTokens != 768 {
			t.Errorf("request %s, stop %q, temperature %v, max_tokens %d: not evalplus's base request for a task", r.Path, r.Stop, r.Temperature, r.MaxTokens)
		}
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Samples != 8 || rep.Generation == nil || rep.Generation.PromptStyle != "evalplus-base" || !rep.Generation.Sanitize {
		t.Fatalf("summary %+v, generation %+v", rep.Summary, rep.Generation)
	}
	for _, p := range rep.Problems {
		s := p.Samples[0]
		st := statuses[p.TaskID]
		base := s.BasePassed != nil && *s.BasePassed
		if base != (st[0] == "pass") || s.Passed != (st[1] == "pass") {
			t.Errorf("%s: base %v, plus %v (%s %s); evalplus recorded base %s, plus %s", p.TaskID, base, s.Passed, s.Verdict, s.Message, st[0], st[1])
		}
	}
	if got := rep.Summary.PassAtK["1"]; got != 0.5 {
		t.Errorf("pass@1 %v, want 0.5 (4 of 8)", got)
	}
}

// TestEvalGeneratesMultiPLE is the end to end run on MultiPL-E (JavaScript):
// the completions endpoint replays Qwen2.5-Coder-1.5B's recorded
// completions; the prompt is the problem's, the stop sequences its stop
// tokens; 429 and 500 answers are retried; every task's verdict is the
// one the recorded evaluation gave.
func TestEvalGeneratesMultiPLE(t *testing.T) {
	needSandbox(t)
	gen := filepath.Join(sharedData, "generations/qwen2.5-coder-1.5b-base/multipl-e")
	dataFile := filepath.Join(sharedData, "multipl-e/qwen-multiple-eval/humaneval-js.jsonl")
	needData(t, dataFile)
	needData(t, gen+"/pred_js_output.jsonl")
	if _, err := os.Stat("/usr/bin/node"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but node is missing")
		}
		t.Skip("node missing")
	}
	recorded := readJSONL(t, gen+"/pred_js_output.jsonl").byID()
	details := readQwenPassed(t, gen+"/humaneval-js-details.json")
	problems := readJSONL(t, dataFile)
	var subset []string
	suffix := map[string]string{}
	passed := 0
	for _, pr := range problems {
		id, prompt := pr["name"].(string), pr["prompt"].(string)
		rec, ok := recorded[id]
		if !ok {
			continue
		}
		var stop []string
		for _, s := range pr["stop_tokens"].([]any) {
			stop = append(stop, s.(string))
		}
		s, ok := strings.CutPrefix(rec["generation"].(string), prompt+"\n")
		if !ok || family.CutAtStop(s, stop) != s {
			continue
		}
		if details[id] {
			if passed >= 3 {
				continue
			}
			passed++
		} else if len(subset)-passed >= 3 {
			continue
		}
		line, _ := json.Marshal(pr)
		subset = append(subset, string(line))
		suffix[prompt] = s
		if len(subset) == 6 {
			break
		}
	}
	if len(subset) != 6 || passed != 3 {
		t.Fatalf("subset of %d tasks, %d passing", len(subset), passed)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "humaneval-js.jsonl"), []byte(strings.Join(subset, "\n")+"\n"), 0o644)
	srv := generatetest.New("qwen", func(r *generatetest.Request, _ int) string { return suffix[r.Text()] })
	defer srv.Close()
	srv.SetFail(func(_ *generatetest.Request, n int) int {
		switch n % 4 {
		case 1:
			return http.StatusTooManyRequests
		case 2:
			return http.StatusInternalServerError
		}
		return 0
	})
	out := filepath.Join(dir, "r.json")
	_, stderr, code := run(t, context.Background(), "", "eval", "--bench", "multiple-js", "--data", dir, "--llm-url", srv.URL(),
		"--model", "qwen", "--llm-retries", "4", "--concurrency", "2", "--out", out, "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	statuses := map[int]int{}
	for _, r := range srv.Requests() {
		statuses[r.Status]++
		if suffix[r.Text()] == "" || len(r.Stop) == 0 || r.TopP != 0.95 || r.MaxTokens != 512 {
			t.Errorf("request: not MultiPL-E's (prompt known %v, stop %q, top_p %v, max_tokens %d)", suffix[r.Text()] != "", r.Stop, r.TopP, r.MaxTokens)
		}
	}
	if statuses[429] == 0 || statuses[500] == 0 || statuses[200] != 6 {
		t.Errorf("statuses %v: want 429 and 500 retried and 6 answers", statuses)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Samples != 6 || rep.Generation == nil || rep.Generation.PromptStyle != "multiple-base" || rep.Generation.Usage.Retries == 0 {
		t.Fatalf("summary %+v, generation %+v", rep.Summary, rep.Generation)
	}
	for _, p := range rep.Problems {
		if s := p.Samples[0]; s.Passed != details[p.TaskID] {
			t.Errorf("%s: %s (%s); the recorded evaluation: passed=%v", p.TaskID, s.Verdict, s.Message, details[p.TaskID])
		}
	}
}

// readJSONL reads a JSONL file (gzip when named .gz) into records keyed
// by task_id (or name), and returns the records in order when asked for
// a slice.
func readJSONL(t *testing.T, path string) jsonlRecords {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	var out jsonlRecords
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, m)
	}
	return out
}

type jsonlRecords []map[string]any

// byID keys the records by task_id (or name).
func (rs jsonlRecords) byID() map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, r := range rs {
		id, _ := r["task_id"].(string)
		if id == "" {
			id, _ = r["name"].(string)
		}
		out[id] = r
	}
	return out
}

func readEvalplusStatuses(t *testing.T, path string) map[string][2]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Eval map[string]json.RawMessage `json:"eval"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	type rec struct {
		Base string `json:"base_status"`
		Plus string `json:"plus_status"`
	}
	out := map[string][2]string{}
	for id, raw := range f.Eval {
		var list []rec
		if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
			out[id] = [2]string{list[0].Base, list[0].Plus}
			continue
		}
		var one rec
		json.Unmarshal(raw, &one)
		out[id] = [2]string{one.Base, one.Plus}
	}
	return out
}

func readQwenPassed(t *testing.T, path string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string][][2]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for id, list := range raw {
		var d struct {
			Passed bool `json:"passed"`
		}
		json.Unmarshal(list[0][1], &d)
		out[id] = d.Passed
	}
	return out
}

// TestEvalRecipe: a benchmark file with a [generation] section is a
// complete recipe: `eval --bench recipe.toml --out r.json` samples the
// endpoint the file names with the file's settings (the key from the
// variable it names) and judges the samples. The demo's problems mix
// kinds: each is prompted as its kind is (evalplus's prompt for a
// function to complete, lcb_runner's stdin prompt for a program).
func TestEvalRecipe(t *testing.T) {
	needSandbox(t)
	cfg, err := (&benchmarks.Registry{}).Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	b, err := benchmarks.Load(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	// Each task's answer: its first correct Python sample, in a fence
	// (a function's with its prompt, as a chat model answers).
	answers := map[string]string{}
	for _, p := range b.Problems {
		name := strings.TrimPrefix(p.TaskID, "demo/")
		files, _ := filepath.Glob(filepath.Join("../benchmarks/builtin/demo/src", name, "samples", "*-AC-*.py"))
		if len(files) == 0 {
			t.Fatalf("%s: no correct Python sample", p.TaskID)
		}
		code, _ := os.ReadFile(files[0])
		if p.Kind != benchmarks.KindStdio {
			code = append([]byte(p.Prompt), code...)
		}
		answers[p.TaskID] = "Sure:\n```python\n" + string(code) + "\n```\n"
	}
	srv := generatetest.New("recipe-model", func(r *generatetest.Request, _ int) string {
		for _, p := range b.Problems {
			if p.Kind == benchmarks.KindStdio && strings.Contains(r.Text(), p.Statement) ||
				p.Kind != benchmarks.KindStdio && strings.Contains(r.Text(), family.PyStrip(p.Prompt)) {
				return answers[p.TaskID]
			}
		}
		return "no idea"
	})
	defer srv.Close()
	srv.Key = "k-123"
	dir := t.TempDir()
	recipe := filepath.Join(dir, "recipe.toml")
	os.WriteFile(recipe, []byte(`name = "demo"

[generation]
url = "`+srv.URL()+`"
model = "recipe-model"
prompt = "chat"
n = 2
temperature = 0.5
api_key_env = "RECIPE_KEY"
`), 0o644)
	out := filepath.Join(dir, "r.json")
	_, stderr, code := runEnvVars(t, context.Background(), map[string]string{"RECIPE_KEY": "k-123"}, "eval", "--bench", recipe, "--out", out, "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Samples != 2*len(b.Problems) || rep.Summary.Verdicts["AC"] != 2*len(b.Problems) {
		for _, p := range rep.Problems {
			for _, s := range p.Samples {
				if !s.Passed {
					t.Logf("%s: %s %s", p.TaskID, s.Verdict, s.Message)
				}
			}
		}
		t.Errorf("summary %+v", rep.Summary)
	}
	if g := rep.Generation; g == nil || g.Model != "recipe-model" || g.N != 2 || g.Temperature != 0.5 || g.PromptStyle != "chat" {
		t.Errorf("generation %+v", rep.Generation)
	}
	raw, _ := json.Marshal(rep.Config)
	if !strings.Contains(string(raw), `"api_key_env":"RECIPE_KEY"`) || strings.Contains(string(raw), "k-123") {
		t.Errorf("the report's config does not record the recipe, or holds the key: %s", raw)
	}
}

// TestGenerateCommand: `scalebox generate` writes the samples file, each
// line with its settings and prompt hash; it will not overwrite a file,
// and --resume with a larger -n asks only for the new samples.
func TestGenerateCommand(t *testing.T) {
	refs := readReferencePrompts(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "lite")
	os.MkdirAll(data, 0o755)
	var lines string
	for _, r := range refs.LiveCodeBench {
		if r.LMStyle == "OpenAIChat" && r.StarterCode == "" {
			lines += lcbProblem("a", r.QuestionContent, "", "", [][2]string{{"1 2\n", "3\n"}, {"2 2\n", "4\n"}})
		}
	}
	os.WriteFile(filepath.Join(data, "test.jsonl"), []byte(lines), 0o644)
	srv := generatetest.New("m", func(r *generatetest.Request, i int) string {
		return fmt.Sprintf("```python\nprint(%d)\n```", *r.Seed+int64(i))
	})
	defer srv.Close()
	out := filepath.Join(dir, "s.jsonl")
	args := []string{"generate", "--bench", "livecodebench", "--data", data, "--release", "v1", "--llm-url", srv.URL(), "--model", "m",
		"--seed", "100", "--top-p", "0.9", "--max-tokens", "50", "--stop", "\n###", "--out", out}
	stdout, stderr, code := run(t, context.Background(), "", append(args, "-n", "2")...)
	if code != 0 || !strings.Contains(stdout, out+": 2 samples (2 new, 0 resumed) of 1 problems") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	got := readGenerated(t, out)
	if len(got) != 2 {
		t.Fatalf("%d lines", len(got))
	}
	for _, l := range got {
		set := l.Generation
		if set.Model != "m" || set.Style != "lcb-chat" || set.TopP != 0.9 || set.MaxTokens != 50 || *set.Seed != 100 || set.Temperature != 0.2 ||
			!cmp.Equal(set.Stop, []string{"\n###"}) || set.Endpoint != srv.URL()+"/chat/completions" || len(l.PromptSHA256) != 64 ||
			*l.Solution != fmt.Sprintf("print(%d)", 100+l.Index) {
			t.Errorf("line %+v, settings %+v", l, set)
		}
	}
	if r := srv.Requests()[0]; r.N != 2 || r.TopP != 0.9 || r.MaxTokens != 50 || !cmp.Equal(r.Stop, []string{"\n###"}) {
		t.Errorf("request %+v", r)
	}
	if _, stderr, code := run(t, context.Background(), "", append(args, "-n", "2")...); code != 1 || !strings.Contains(stderr, "exists: continue it with --resume") {
		t.Errorf("overwrite: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, context.Background(), "", append(args, "-n", "3", "--resume")...); code != 0 {
		t.Fatalf("resume: exit %d, %s", code, stderr)
	}
	reqs := srv.Requests()
	if last := reqs[len(reqs)-1]; len(reqs) != 2 || max(last.N, 1) != 1 || *last.Seed != 102 {
		t.Errorf("%d requests; the resumed one asks n=%d from seed %v, want 1 from 102", len(reqs), last.N, *last.Seed)
	}
	if got := readGenerated(t, out); len(got) != 3 {
		t.Errorf("%d lines after resume", len(got))
	}
}

// TestGenerateResumeAfterKill kills a running `scalebox generate` with
// SIGKILL midway and resumes it: the server, counting requests, sees no
// request for a sample the killed run had written, and the file ends with
// every sample once.
func TestGenerateResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: builds the binary")
	}
	bin := buildBinary(t)
	srv := generatetest.New("m", func(r *generatetest.Request, i int) string {
		return fmt.Sprintf("```python\nprint(%d)\n```", *r.Seed+int64(i))
	})
	defer srv.Close()
	srv.SetDelay(func(*generatetest.Request) time.Duration { return 150 * time.Millisecond })
	dir := t.TempDir()
	out := filepath.Join(dir, "s.jsonl")
	args := []string{"generate", "--bench", "demo", "--llm-url", srv.URL(), "--model", "m", "-n", "4", "--seed", "1000",
		"--sanitize=false", "--concurrency", "2", "--out", out, "-q"}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		data, _ := os.ReadFile(out)
		if bytes.Count(data, []byte("\n")) >= 8 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the samples file did not fill")
		}
		time.Sleep(20 * time.Millisecond)
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	killed := readGenerated(t, out)
	if len(killed) >= 4*13 {
		t.Fatalf("the run finished before the kill (%d samples)", len(killed))
	}
	written := map[string]bool{}
	for _, l := range killed {
		written[fmt.Sprintf("%s#%d", l.TaskID, l.Index)] = true
	}
	before := len(srv.Requests())
	stdout, stderr, code := run(t, context.Background(), "", append(args, "--resume")...)
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, fmt.Sprintf("(%d new, %d resumed)", 4*13-len(killed), len(killed))) {
		t.Errorf("summary %q", stdout)
	}
	cfg, _ := (&benchmarks.Registry{}).Load("demo")
	b, _ := benchmarks.Load(cfg, "")
	for _, r := range srv.Requests()[before:] {
		task := ""
		for _, p := range b.Problems {
			if strings.Contains(r.Text(), p.Statement) || p.Prompt != "" && strings.Contains(r.Text(), family.PyStrip(p.Prompt)) {
				task = p.TaskID
			}
		}
		for i := 0; i < max(r.N, 1); i++ {
			if k := fmt.Sprintf("%s#%d", task, *r.Seed-1000+int64(i)); written[k] {
				t.Errorf("the resumed run asked again for %s", k)
			}
		}
	}
	all := readGenerated(t, out)
	seen := map[string]bool{}
	for _, l := range all {
		k := fmt.Sprintf("%s#%d", l.TaskID, l.Index)
		if seen[k] {
			t.Errorf("%s twice", k)
		}
		seen[k] = true
	}
	if len(all) != 4*13 {
		t.Errorf("%d samples, want %d", len(all), 4*13)
	}
}

package multipleparity

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// sharedData is ../shared/data from the repository root.
const sharedData = "../../../shared/data"

// needSandbox returns the real sandbox (the default backend, or the one
// SCALEBOX_TEST_SANDBOX names: pool, bwrap; SCALEBOX_TEST_PYTHON_FORK_SERVER=off
// turns the fork server off), or skips (fails in CI).
func needSandbox(t testing.TB) runner.ClosableSandbox {
	t.Helper()
	sb, err := runner.NewSandbox(os.Getenv("SCALEBOX_TEST_SANDBOX"), runner.Options{NoPythonForkServer: os.Getenv("SCALEBOX_TEST_PYTHON_FORK_SERVER") == "off"})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the sandbox is unavailable: %v", err)
		}
		t.Skipf("sandbox unavailable: %v", err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// needData skips (fails in CI) when a file a test needs is missing.
func needData(t testing.TB, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing (scripts/install-deps.sh installs the tools)", p)
			}
			t.Skipf("%s missing", p)
		}
	}
}

// multipleOptions loads multiple-<lang> on Qwen2.5-Coder's copy of the
// MultiPL-E data with the given samples, on the real sandbox; it skips
// (fails in CI) when the language's toolchain is missing here.
func multipleOptions(t *testing.T, lang string, smp func(b *benchmarks.Benchmark) []*benchmarks.Sample) eval.Options {
	t.Helper()
	data := sharedData + "/multipl-e/qwen-multiple-eval/humaneval-" + lang + ".jsonl"
	needData(t, data)
	sb := needSandbox(t)
	cfg, err := (&benchmarks.Registry{}).Load("multiple-" + lang)
	if err != nil {
		t.Fatal(err)
	}
	b, err := benchmarks.Load(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	langs, err := runner.DefaultLanguages()
	if err != nil {
		t.Fatal(err)
	}
	builder, err := runner.NewBuilder(sb, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { builder.Close() })
	vis := func(string) bool { return true }
	if v, ok := sb.(interface{ Visible(string) bool }); ok {
		vis = v.Visible
	}
	res := runner.NewResolver(langs, vis)
	if _, err := res.Toolchain(cfg.Language); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
	if lang == "java" {
		needData(t, benchmarks.JavatuplesJar)
	}
	return eval.Options{Benchmark: b, Samples: smp(b), Sandbox: sb, Resolver: res, Builder: builder, Jobs: runtime.NumCPU(), EarlyStop: true}
}

// qwenDetail is one task's entry in humaneval-<lang>-details.json, as the
// Qwen2.5-Coder evaluation (DeepSeek-Coder's multiple-eval) writes it:
// task id -> [[completion_id, {passed, result, ...}]].
type qwenDetail struct {
	Passed bool   `json:"passed"`
	Result string `json:"result"`
}

func readQwenDetails(t *testing.T, path string) map[string]qwenDetail {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string][][2]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]qwenDetail{}
	for id, list := range raw {
		if len(list) != 1 {
			t.Fatalf("%s: task %s has %d samples, want 1 (greedy)", path, id, len(list))
		}
		var d qwenDetail
		if err := json.Unmarshal(list[0][1], &d); err != nil {
			t.Fatalf("%s: task %s: %v", path, id, err)
		}
		out[id] = d
	}
	return out
}

// multipleParity is one language's published figure (Qwen2.5-Coder's
// technical report, pass@1 in percent; results.json) and the tasks where
// scalebox's verdict knowingly differs from the recorded one, each with
// its reason. A listed task must disagree: if it agrees, its reason is
// gone and the list must shrink.
type multipleParity struct {
	lang      string
	published float64
	known     map[string]string
	// needs are host files the known list assumes (tools the programs
	// call).
	needs []string
}

var multipleParityCases = []multipleParity{
	{lang: "cpp", published: 42.86},
	{lang: "java", published: 38.61},
	{lang: "js", published: 47.83},
	{lang: "ts", published: 47.80},
	{lang: "php", published: 44.10, known: map[string]string{
		// str_split("") is [] since PHP 8.2 ([""] before): the generation's
		// count(array_count_values(str_split(""))) is 0 here, 1 with the
		// older PHP the recorded run used. Debian 12 has PHP 8.2.
		"HumanEval_16_count_distinct_characters": "PHP >= 8.2: str_split(\"\") is []",
	}},
	{lang: "cs", published: 48.73, known: map[string]string{
		// The recorded run counts a C# program as passed unless "Fail" is
		// in its stderr, so one that dies of an unhandled exception before
		// its tests end passes there. Here (and in MultiPL-E's own
		// eval_cs.py) it fails. These are the 8 such tasks.
		"HumanEval_12_longest":               "unhandled NullReferenceException (the tests call .Equals on the null the task expects)",
		"HumanEval_162_string_to_md5":        "unhandled NullReferenceException (the tests call .Equals on the null the task expects)",
		"HumanEval_20_find_closest_elements": "unhandled NullReferenceException",
		"HumanEval_116_sort_array":           "unhandled FormatException: Mono has no binary format specifier",
		"HumanEval_67_fruit_distribution":    "unhandled FormatException from long.Parse",
		"HumanEval_148_bf":                   "unhandled ArgumentOutOfRangeException",
		"HumanEval_18_how_many_times":        "unhandled ArgumentOutOfRangeException from Substring",
		"HumanEval_19_sort_numbers":          "unhandled KeyNotFoundException",
	}},
	{lang: "sh", published: 22.15, needs: []string{"/usr/bin/bc"}, known: map[string]string{
		// The recorded run had no bc ("bc: command not found"); here it
		// is installed (scripts/install-deps.sh) and the generations that
		// compute with it pass.
		"HumanEval_47_median":  "bc is installed here, not where the recorded run was",
		"HumanEval_92_any_int": "bc is installed here, not where the recorded run was",
	}},
}

// TestMultipleParity runs Qwen2.5-Coder-1.5B's greedy MultiPL-E
// generations (../shared/data/generations) on the real sandbox and
// toolchains: every task's verdict must equal the recorded passed flag
// except for the listed disagreements, and pass@1 must be within one task
// of the published figure once the listed disagreements are accounted for
// (without them for the languages that have none).
func TestMultipleParity(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: compiles and runs 1,116 real samples in 7 languages")
	}
	gen := sharedData + "/generations/qwen2.5-coder-1.5b-base/multipl-e"
	for _, c := range multipleParityCases {
		t.Run(c.lang, func(t *testing.T) {
			pred, details := gen+"/pred_"+c.lang+"_output.jsonl", gen+"/humaneval-"+c.lang+"-details.json"
			needData(t, pred, details)
			for _, f := range c.needs {
				needData(t, f)
			}
			opts := multipleOptions(t, c.lang, func(*benchmarks.Benchmark) []*benchmarks.Sample {
				f, err := os.Open(pred)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				s, err := benchmarks.ReadSamples(f, pred)
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
			opts.Jobs = runtime.NumCPU()
			res, err := eval.Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			want := readQwenDetails(t, details)
			if len(res.Samples) != len(want) {
				t.Fatalf("%d results, %d recorded", len(res.Samples), len(want))
			}
			passed, net := 0, 0
			for _, r := range res.Samples {
				id := r.Sample.TaskID
				rec, ok := want[id]
				if !ok {
					t.Errorf("%s: no recorded verdict", id)
					continue
				}
				if r.Verdict == judge.SE {
					t.Errorf("%s: system error: %s", id, r.Message)
				}
				if r.Passed() {
					passed++
				}
				reason, known := c.known[id]
				switch {
				case r.Passed() != rec.Passed && !known:
					t.Errorf("%s: %s (%s), recorded passed=%v (%.200s)", id, r.Verdict, r.Message, rec.Passed, rec.Result)
				case r.Passed() == rec.Passed && known:
					t.Errorf("%s: agrees with the recorded verdict (%v), but is listed as a known disagreement (%s)", id, rec.Passed, reason)
				case known && r.Passed():
					net++
				case known:
					net--
				}
			}
			n := len(res.Samples)
			got := 100 * float64(passed) / float64(n)
			// The published figure counted in tasks, moved by the listed
			// disagreements.
			expected := c.published*float64(n)/100 + float64(net)
			t.Logf("multiple-%s: pass@1 %.2f (%d/%d), published %.2f, %d known disagreements (net %+d tasks)", c.lang, got, passed, n, c.published, len(c.known), net)
			if math.Abs(float64(passed)-expected) > 1 {
				t.Errorf("pass@1 %.2f (%d of %d); published %.2f is %.1f tasks, %.1f with the known disagreements: more than one task apart", got, passed, n, c.published, c.published*float64(n)/100, expected)
			}
		})
	}
}

// TestMultipleKnownDisagreementsAreExplained keeps the lists honest: every
// entry names a task of its language and gives a reason.
func TestMultipleKnownDisagreementsAreExplained(t *testing.T) {
	for _, c := range multipleParityCases {
		for id, reason := range c.known {
			if !strings.HasPrefix(id, "HumanEval_") || strings.TrimSpace(reason) == "" {
				t.Errorf("%s: %q: %q", c.lang, id, reason)
			}
		}
	}
	if len(multipleParityCases) != len(benchmarks.MultipleLanguages()) {
		t.Errorf("%d parity cases for %d languages", len(multipleParityCases), len(benchmarks.MultipleLanguages()))
	}
}
